using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Node;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Nodes;

/// <summary>One simulated server: the core under test, its disk, its state machine and status.</summary>
public sealed class SimNode(NodeId id, IRaftNode core, IKeyValueStore store, double clockRate)
{
    public NodeId Id => id;

    public IRaftNode Core { get; set; } = core;

    public SimDisk Disk { get; } = new();

    public IKeyValueStore StateMachine { get; set; } = store;

    public NodeStatus Status { get; set; } = NodeStatus.Up;

    /// <summary>Counts starts; tick events of an earlier incarnation are ignored.</summary>
    public int Incarnation { get; set; } = 1;

    /// <summary>This node's tick length relative to the nominal one (clock drift).</summary>
    public double ClockRate { get; set; } = clockRate;

    /// <summary>Client proposals this node accepted as leader, by log index, waiting to be applied.</summary>
    public SortedDictionary<long, (Clients.ClientRequest Request, long Term)> PendingProposals { get; } = [];

    /// <summary>Client reads handed to the core as ReadIndex inputs, by request id, waiting for ReadReady or ReadRefused.</summary>
    public SortedDictionary<long, Clients.ClientRequest> PendingReads { get; } = [];

    /// <summary>Confirmed reads waiting for the state machine to apply up to their read index.</summary>
    public List<(Clients.ClientRequest Request, long ReadIndex)> ReadsAwaitingApply { get; } = [];

    /// <summary>Highest log index applied to <see cref="StateMachine"/> in this incarnation.</summary>
    public long AppliedIndex { get; set; }

    /// <summary>A crash loses the reads in progress: their clients time out and retry.</summary>
    public void ForgetReads()
    {
        PendingReads.Clear();
        ReadsAwaitingApply.Clear();
        AppliedIndex = 0;
    }

    /// <summary>Carries out this incarnation's effects and holds what it shows the world until its writes are durable.</summary>
    public Execution.EffectExecutor Executor { get; set; } = null!;

    /// <summary>Inputs that arrived while paused or while the disk synced the last step's writes, handled in order after.</summary>
    public Queue<Input> Backlog { get; } = new();

    /// <summary>Effects of the last step held until its writes are durable (the durability barrier), in order.</summary>
    public List<Raft.Core.Effects.Effect> Held { get; set; } = [];

    /// <summary>An empty list that takes <see cref="Held"/>'s place while the held effects are released (two lists, no copy).</summary>
    public List<Raft.Core.Effects.Effect> Released { get; set; } = [];

    /// <summary>
    /// The effects of the node's latest step, in one list reused step after step. Those of a step
    /// that waits for its writes (<see cref="Held"/>) stay here until it is finished and checked:
    /// the node takes no input meanwhile.
    /// </summary>
    internal List<Raft.Core.Effects.Effect> StepEffects { get; } = [];

    /// <summary>What the node was before the step that waits in <see cref="Held"/>, to record and check what the step changed once its writes are durable.</summary>
    internal StepStart HeldStepStart { get; set; }

    /// <summary>When the writes of the last step are durable, while <see cref="Held"/> waits for them; otherwise 0.</summary>
    public long SyncedAtMicros { get; set; }
}
