using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.StateMachine;
using Raft.Core.Storage;
using Raft.Simulation.Checkers;
using Raft.Simulation.Execution;

namespace Raft.Benchmarks.Core;

/// <summary>
/// The smallest pump that runs the core for real: a few <see cref="RaftNode"/>s, each with its
/// <see cref="EffectExecutor"/>, a disk that is durable at once (<see cref="MemoryStorage"/>), a
/// <see cref="KvStateMachine"/>, and one FIFO queue of messages delivered until it is empty. No
/// time passes: nobody ticks, so the leader elected at the start stays the leader.
/// </summary>
public sealed class InMemoryCluster
{
    private readonly RaftNode[] nodes;
    private readonly MemoryStorage[] disks;
    private readonly KvStateMachine[] machines;
    private readonly EffectExecutor[] executors;
    private readonly Queue<Message> inFlight = new();
    private readonly SafetyChecker? safety;

    /// <param name="voters">Cluster size; n1 is elected at once.</param>
    /// <param name="checkSafety">Whether a <see cref="SafetyChecker"/> watches every step, as in the simulator.</param>
    public InMemoryCluster(int voters, bool checkSafety = false)
    {
        var members = NodeId.Range(voters);
        nodes = new RaftNode[voters];
        disks = new MemoryStorage[voters];
        machines = new KvStateMachine[voters];
        executors = new EffectExecutor[voters];
        var options = new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2 };
        for (var i = 0; i < voters; i++)
        {
            disks[i] = new MemoryStorage();
            machines[i] = new KvStateMachine();
            nodes[i] = new RaftNode(members[i], members, options, new FixedSequence(i), disks[i].Load());
            executors[i] = new EffectExecutor(new InstantDisk(this, i));
        }
        if (checkSafety)
        {
            safety = new SafetyChecker();
            for (var i = 0; i < voters; i++) safety.OnStart(nodes[i], disks[i].Load(), nowMicros: 0);
        }
        Step(0, Campaign.Instance);
        DeliverAll();
        if (nodes[0].Role != Role.Leader) throw new InvalidOperationException("n1 did not become leader");
    }

    public RaftNode Leader => nodes[0];

    /// <summary>Entries the leader has applied.</summary>
    public long Applied => nodes[0].LastApplied;

    /// <summary>Proposes <paramref name="command"/> to the leader; it is committed once the messages flow.</summary>
    public void Propose(byte[] command)
    {
        var output = Step(0, new Propose(command));
        if (output.Proposal is not { Accepted: true }) throw new InvalidOperationException($"proposal refused: {output.Proposal}");
    }

    /// <summary>Delivers messages until none is in flight; returns how many.</summary>
    public int DeliverAll()
    {
        var delivered = 0;
        while (inFlight.TryDequeue(out var message))
        {
            Step(message.To.Value - 1, new Receive(message));
            delivered++;
        }
        return delivered;
    }

    /// <summary>Snapshots and compacts every node up to what it applied (§7), so a long benchmark keeps a short log.</summary>
    public void Compact()
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            if (nodes[i].LastApplied > nodes[i].Log.SnapshotIndex)
            {
                Step(i, new Compact(nodes[i].LastApplied, machines[i].Snapshot()));
            }
        }
    }

    private Output Step(int index, Input input)
    {
        var output = nodes[index].Step(input);
        executors[index].Execute(output.Effects);
        safety?.AfterStep(nodes[index], output.Effects, nowMicros: 0);
        if (safety?.First is { } violation) throw new InvalidOperationException($"safety violated: {violation}");
        return output;
    }

    /// <summary>Every write is durable at once, so nothing ever waits for one.</summary>
    private sealed class InstantDisk(InMemoryCluster cluster, int index) : IEffectTarget
    {
        public long Write(Effect write)
        {
            cluster.disks[index].Persist(write);
            return 0;
        }

        public void Send(Send send, long afterWrite) => cluster.inFlight.Enqueue(send.Message);

        public void Apply(ApplyEntry apply, long afterWrite) => cluster.machines[index].Apply(apply.Entry);

        public void Restore(RestoreSnapshot restore, long afterWrite) => cluster.machines[index].Restore(restore.Snapshot.Data);

        public void Read(Effect read, long afterWrite)
        {
        }
    }
}
