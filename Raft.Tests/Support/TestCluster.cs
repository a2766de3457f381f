using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.StateMachine;
using Raft.Core.Storage;
using Raft.Simulation.Execution;

namespace Raft.Tests.Support;

/// <summary>
/// A tiny deterministic driver for unit tests: nodes, their storage and state machines, and one
/// FIFO queue of messages that the test delivers explicitly. No time, no threads, no randomness:
/// election timeouts are pinned to ElectionTicks + the node's index unless the test says otherwise.
/// Every loop is bounded (TIGER_STYLE: explicit limits): a test asking for more ticks than
/// <see cref="MaxTicksPerCall"/> or more steps than <see cref="MaxSteps"/> in all fails at once
/// with a message, so that a broken core makes a test fail, not tick for ever and eat the machine.
/// </summary>
public sealed class TestCluster
{
    private readonly SortedDictionary<NodeId, RaftNode> nodes = [];
    private readonly SortedDictionary<NodeId, MemoryStorage> storages = [];
    private readonly SortedDictionary<NodeId, KvStateMachine> machines = [];
    private readonly SortedDictionary<NodeId, List<LogEntry>> applied = [];
    private readonly SortedSet<(NodeId, NodeId)> cutLinks = [];
    private readonly SortedSet<NodeId> crashed = [];
    private readonly List<Message> inFlight = [];
    private long incarnation;
    private long steps;

    /// <summary>Most ticks one <see cref="Tick(int, int)"/> or <see cref="TickAll"/> call may ask for; no unit test needs more.</summary>
    public const int MaxTicksPerCall = 100_000;

    /// <summary>Most inputs all nodes together may take in one test (the effect log keeps each one's effects).</summary>
    public const long MaxSteps = 1_000_000;

    /// <param name="size">Voters the cluster starts with, n1..nSize.</param>
    /// <param name="options">Options for every node.</param>
    /// <param name="spares">Servers n(Size+1).. that start with an empty configuration, waiting to be added (thesis §4).</param>
    public TestCluster(int size, RaftOptions? options = null, int spares = 0)
    {
        Options = options ?? new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2 };
        Members = NodeId.Range(size);
        AllIds = NodeId.Range(size + spares);
        foreach (var id in AllIds)
        {
            storages[id] = new MemoryStorage();
            Start(id);
        }
    }

    public RaftOptions Options { get; }

    /// <summary>The voters the cluster started with.</summary>
    public IReadOnlyList<NodeId> Members { get; }

    /// <summary>The initial voters and the spares.</summary>
    public IReadOnlyList<NodeId> AllIds { get; }

    /// <summary>Every effect each node produced, in order, since the start of the test.</summary>
    public SortedDictionary<NodeId, List<Effect>> EffectLog { get; } = [];

    /// <summary>Messages sent and not yet delivered or dropped, oldest first.</summary>
    public IReadOnlyList<Message> InFlight => inFlight;

    /// <summary>Number of messages delivered so far.</summary>
    public int Delivered { get; private set; }

    public RaftNode this[int id] => nodes[new NodeId(id)];

    public static NodeId N(int id) => new(id);

    public MemoryStorage Storage(int id) => storages[N(id)];

    public KvStateMachine StateMachine(int id) => machines[N(id)];

    public IReadOnlyList<LogEntry> Applied(int id) => applied[N(id)];

    /// <summary>
    /// Replaces a node's disk with a log of the given terms (index 1, 2, ...) holding
    /// <see cref="PresetCommand"/>s, and restarts it from it.
    /// </summary>
    public void PresetLog(int id, long currentTerm, params long[] terms)
    {
        var storage = new MemoryStorage();
        storage.Persist(new PersistHardState(new HardState(currentTerm, null)));
        var entries = terms.Select((term, i) => new LogEntry(i + 1, term, EntryKind.Command, PresetCommand(i + 1, term).Encode())).ToArray();
        if (entries.Length > 0) storage.Persist(new PersistEntries(1, entries));
        storages[N(id)] = storage;
        Start(N(id));
    }

    /// <summary>
    /// The command PresetLog stores at (index, term): a put whose bytes depend only on index and
    /// term, so equal (index, term) on two nodes means equal entries, as Log Matching expects.
    /// </summary>
    public static KvCommand PresetCommand(long index, long term) =>
        new(ClientId: 1000 + term, Sequence: index, KvOperation.Put, $"k{index}", $"t{term}");

    /// <summary>A distinct, valid client command for proposals: client 1 puts "v{n}" under "k{n}".</summary>
    public static KvCommand Put(int n) => new(ClientId: 1, Sequence: n, KvOperation.Put, $"k{n}", $"v{n}");

    public Output Step(int id, Input input)
    {
        var node = N(id);
        if (crashed.Contains(node)) throw new InvalidOperationException($"{node} is crashed");
        if (++steps > MaxSteps) Assert.Fail($"the test cluster took more than {MaxSteps} steps: a loop in the test runs away (a broken core that never settles?)");
        var output = nodes[node].Step(input);
        EffectLog[node].AddRange(output.Effects);
        new EffectExecutor(new InstantDisk(this, node)).Execute(output.Effects);
        return output;
    }

    /// <summary>The shared executor's target here: a write is durable at once, so nothing ever waits for one.</summary>
    private sealed class InstantDisk(TestCluster cluster, NodeId node) : IEffectTarget
    {
        public long Write(Effect write)
        {
            cluster.storages[node].Persist(write);
            return 0;
        }

        public void Send(Send send, long afterWrite) => cluster.inFlight.Add(send.Message);

        public void Apply(ApplyEntry apply, long afterWrite)
        {
            cluster.applied[node].Add(apply.Entry);
            cluster.machines[node].Apply(apply.Entry);
        }

        public void Restore(RestoreSnapshot restore, long afterWrite) => cluster.machines[node].Restore(restore.Snapshot.Data);

        public void Read(Effect read, long afterWrite)
        {
        }
    }

    public Output Tick(int id) => Step(id, Raft.Core.Inputs.Tick.Instance);

    /// <summary>Snapshots node <paramref name="id"/>'s state machine as of its applied index and compacts its log (§7).</summary>
    public Output Compact(int id) => Step(id, new Raft.Core.Inputs.Compact(this[id].LastApplied, machines[N(id)].Snapshot()));

    public void Tick(int id, int times)
    {
        CheckTicks(times, $"Tick(n{id}, {times})");
        for (var i = 0; i < times; i++) Tick(id);
    }

    /// <summary>
    /// Ticks a follower or candidate until one tick before its election timeout. Fails if it leads
    /// (a leader has no election timeout: <see cref="RaftNode.TicksUntilElection"/> is int.MaxValue).
    /// </summary>
    public void TickUntilJustBeforeElection(int id)
    {
        var node = this[id];
        if (node.Role == Role.Leader) Assert.Fail($"n{id} leads in term {node.Term}: it has no election timeout to tick towards");
        Tick(id, node.TicksUntilElection - 1);
    }

    /// <summary>Ticks every live node <paramref name="times"/> times, delivering messages after each round.</summary>
    public void TickAll(int times, bool deliver = true)
    {
        CheckTicks(times, $"TickAll({times})");
        for (var i = 0; i < times; i++)
        {
            foreach (var id in LiveIds()) Tick(id);
            if (deliver) DeliverAll();
        }
    }

    public Output Campaign(int id) => Step(id, Raft.Core.Inputs.Campaign.Instance);

    public Output Propose(int id, byte[] command) => Step(id, new Propose(command));

    public Output Propose(int id, KvCommand command) => Propose(id, command.Encode());

    /// <summary>Campaigns and delivers until quiet; returns the node for chaining.</summary>
    public RaftNode Elect(int id)
    {
        Campaign(id);
        DeliverAll();
        return this[id];
    }

    /// <summary>Delivers the oldest in-flight message (dropped if its link is cut or its receiver is down).</summary>
    public Message? DeliverNext()
    {
        if (inFlight.Count == 0) return null;
        var message = inFlight[0];
        inFlight.RemoveAt(0);
        if (cutLinks.Contains((message.From, message.To)) || crashed.Contains(message.To)) return message;
        Delivered++;
        Step(message.To.Value, new Receive(message));
        return message;
    }

    /// <summary>Delivers until nothing is in flight; returns how many messages were delivered.</summary>
    public int DeliverAll(int limit = 100_000)
    {
        var before = Delivered;
        for (var i = 0; i < limit && inFlight.Count > 0; i++) DeliverNext();
        if (inFlight.Count > 0) throw new InvalidOperationException($"still {inFlight.Count} messages in flight after {limit} deliveries");
        return Delivered - before;
    }

    /// <summary>
    /// Like <see cref="DeliverAll"/>, but drops each message for which <paramref name="drop"/> is
    /// true when its turn comes (the predicate sees the cluster as it is at that moment).
    /// </summary>
    public int DeliverAllExcept(Func<Message, bool> drop, int limit = 100_000)
    {
        var before = Delivered;
        for (var i = 0; i < limit && inFlight.Count > 0; i++)
        {
            if (drop(inFlight[0])) inFlight.RemoveAt(0);
            else DeliverNext();
        }
        if (inFlight.Count > 0) throw new InvalidOperationException($"still {inFlight.Count} messages in flight after {limit} deliveries");
        return Delivered - before;
    }

    /// <summary>Removes and returns the in-flight messages matching <paramref name="match"/>.</summary>
    public IReadOnlyList<Message> Take(Func<Message, bool> match)
    {
        var taken = inFlight.Where(match).ToList();
        inFlight.RemoveAll(m => taken.Contains(m));
        return taken;
    }

    public void DropAll() => inFlight.Clear();

    /// <summary>Delivers one message directly, bypassing the queue.</summary>
    public Output Deliver(Message message) => Step(message.To.Value, new Receive(message));

    /// <summary>Cuts both directions between <paramref name="node"/> and every other node.</summary>
    public void Isolate(int node)
    {
        foreach (var other in AllIds.Where(m => m != N(node)))
        {
            cutLinks.Add((N(node), other));
            cutLinks.Add((other, N(node)));
        }
    }

    /// <summary>Cuts both directions between two nodes.</summary>
    public void Cut(int a, int b)
    {
        cutLinks.Add((N(a), N(b)));
        cutLinks.Add((N(b), N(a)));
    }

    public void HealAll() => cutLinks.Clear();

    /// <summary>Loses all volatile state; what was persisted stays on the node's storage.</summary>
    public void Crash(int id)
    {
        crashed.Add(N(id));
        inFlight.RemoveAll(m => m.From == N(id));
    }

    public RaftNode Restart(int id)
    {
        crashed.Remove(N(id));
        Start(N(id));
        return this[id];
    }

    public IEnumerable<int> LiveIds() => AllIds.Where(m => !crashed.Contains(m)).Select(m => m.Value);

    /// <summary>The terms of a node's log, FirstIndex first (index 1 unless compacted).</summary>
    public long[] Terms(int id)
    {
        var log = this[id].Log;
        return Enumerable.Range((int)log.FirstIndex, (int)(log.LastIndex - log.FirstIndex + 1)).Select(i => log.TermAt(i)).ToArray();
    }

    private static void CheckTicks(int times, string call)
    {
        if (times is < 0 or > MaxTicksPerCall) Assert.Fail($"{call}: a tick count outside [0, {MaxTicksPerCall}] is a bug in the test or in the core it reads it from");
    }

    private void Start(NodeId id)
    {
        incarnation++;
        var persisted = storages[id].Load();
        nodes[id] = new RaftNode(id, Members.Contains(id) ? Members : [], Options, new FixedSequence(id.Value - 1),
            persisted, firstMessageId: incarnation * 1_000_000_000L);
        machines[id] = new KvStateMachine();
        if (persisted.Snapshot is { } snapshot) machines[id].Restore(snapshot.Data); // §7: restart from snapshot plus log
        applied[id] = [];
        EffectLog.TryAdd(id, []);
    }
}
