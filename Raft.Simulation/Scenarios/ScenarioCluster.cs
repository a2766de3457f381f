using System.Globalization;
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
using Raft.Simulation.Faults;
using Raft.Simulation.Tracing;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// The manual cluster a scenario drives: nodes with their storage, a numbered list of messages in
/// flight that move only when the scenario says so, cut links and crashed nodes. There is no clock
/// and no randomness: node nK's election timeout is pinned to ElectionTicks + K - 1, so that ticks
/// play out the same way every time. Every step is described in plain, stable text.
/// </summary>
public sealed partial class ScenarioCluster
{
    private readonly SortedDictionary<NodeId, RaftNode> nodes = [];
    private readonly SortedDictionary<NodeId, MemoryStorage> storages = [];
    private readonly SortedSet<(NodeId From, NodeId To)> cutLinks = [];
    private readonly SortedSet<NodeId> crashed = [];
    private readonly SortedSet<NodeId> crashAfterSend = [];
    private readonly SortedDictionary<NodeId, KvStateMachine> stores = [];
    private readonly List<InFlightMessage> inFlight = [];
    private readonly ScenarioSafety safety = new();
    private int nextMessageNumber = 1;
    private long incarnation;

    /// <param name="size">How many voters the cluster starts with: n1..n<paramref name="size"/>.</param>
    /// <param name="options">The core's options.</param>
    /// <param name="spares">Servers after them that start with an empty configuration: idle until a leader adds them (thesis §4).</param>
    /// <param name="trace">Where to record what happens (a new trace if null).</param>
    /// <param name="timeBase">The trace's clock at this cluster's start: a cluster made again by <c>rewind</c> continues the clock.</param>
    public ScenarioCluster(int size, RaftOptions options, int spares = 0, Trace? trace = null, long timeBase = 0)
    {
        Trace = trace ?? new Trace(keepAll: true);
        this.timeBase = timeBase;
        Options = options.Validate();
        Members = NodeId.Range(size + spares);
        InitialVoters = NodeId.Range(size);
        MembershipInPlay = spares > 0;
        foreach (var id in Members)
        {
            storages[id] = new MemoryStorage();
            Start(id);
        }
    }

    public RaftOptions Options { get; }

    /// <summary>
    /// What happened, as the simulator records it (for the viewer: <c>raft-sim run FILE --html</c>).
    /// Its clock is <see cref="StepCount"/>: a scenario has no time, only steps.
    /// </summary>
    public Trace Trace { get; }

    private readonly long timeBase;

    /// <summary>The trace's clock: one unit per step, continuing from the cluster this one replaced.</summary>
    public long Now => timeBase + StepCount;

    private void Record(in TraceEvent traceEvent) => Trace.Add(traceEvent);

    /// <summary>The scenario's own network as the trace shows it: the message number is the copy's seq.</summary>
    private Network.InFlightMessage OnTheWire(InFlightMessage message, bool duplicate = false) =>
        new(message.Number, message.Message, Now, Now, duplicate);

    private int violationsRecorded;

    /// <summary>Puts in the trace what the safety watch found since the last look (it keeps checking after a violation).</summary>
    private void RecordNewViolations()
    {
        var found = safety.Found;
        for (; violationsRecorded < found.Count; violationsRecorded++)
            Record(TraceEvent.Violated(Now, found[violationsRecorded] with { TimeMicros = Now }));
    }

    /// <summary>Notes a scenario command in the trace, so that a reader can step command by command.</summary>
    public void RecordCommand(string file, int line, string text) =>
        Record(TraceEvent.Note(Now, TraceKind.Note, "-", $"> {text}  ({Path.GetFileName(file)}:{line})"));

    /// <summary>Every server of the scenario, spares included: the names commands may use.</summary>
    public IReadOnlyList<NodeId> Members { get; }

    /// <summary>The voters the cluster started with; the servers after them are spares.</summary>
    public IReadOnlyList<NodeId> InitialVoters { get; }

    /// <summary>True once any node has taken a step; logs can no longer be preset.</summary>
    public bool Started { get; private set; }

    public IReadOnlyList<InFlightMessage> InFlight => inFlight;

    /// <summary>Messages sent since the last <see cref="ResetCounts"/> (or the start), by kind.</summary>
    public SortedDictionary<string, int> SentByKind { get; } = new(StringComparer.Ordinal);

    public int Delivered { get; private set; }

    public int Lost { get; private set; }

    public void ResetCounts()
    {
        SentByKind.Clear();
        Delivered = 0;
        Lost = 0;
    }

    public bool IsCrashed(NodeId id) => crashed.Contains(id);

    public bool IsCut(NodeId from, NodeId to) => cutLinks.Contains((from, to));

    public RaftNode Node(NodeId id) => nodes[id];

    public MemoryStorage Storage(NodeId id) => storages[id];

    public ScenarioSafety Safety => safety;

    /// <summary>The put and get operations clients made, for <c>expect linearizable</c>.</summary>
    public ScenarioClients Clients { get; } = new();

    /// <summary>How many steps all nodes have taken together: the clock of the client history.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Replaces a node's disk with a log of the given terms and restarts it from there (before the
    /// story begins). With <paramref name="committed"/> &gt; 0 the story states that its entries up to
    /// that index are committed, so the safety watch holds every server to them.
    /// </summary>
    public void PresetLog(NodeId id, long currentTerm, IReadOnlyList<long> terms, long committed = 0)
    {
        var storage = new MemoryStorage();
        storage.Persist(new PersistHardState(new HardState(currentTerm, null)));
        // Each preset entry carries a recognisable command: "i@t", so that two entries differ exactly when their terms do.
        var entries = terms.Select((term, i) => new LogEntry(i + 1, term, EntryKind.Command,
            System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{i + 1}@{term}")))).ToArray();
        if (entries.Length > 0) storage.Persist(new PersistEntries(1, entries));
        storages[id] = storage;
        Start(id);
        if (committed > 0)
        {
            safety.DeclareCommitted(id, committed, StepCount);
            RecordNewViolations();
        }
    }

    /// <summary>
    /// Feeds one input to a live node, carries out its effects in order and describes what
    /// changed. A node marked by <see cref="CrashAfterSend"/> crashes right after the last send of
    /// its first step that sends: the effects after it (persists, if the node sends first) never happen.
    /// </summary>
    public Output Step(NodeId id, Input input, List<string> report)
    {
        if (crashed.Contains(id)) throw new InvalidOperationException($"{id} is crashed");
        Started = true;
        StepCount++;
        var node = nodes[id];
        var before = (node.Role, node.Term, node.VotedFor, node.CommitIndex, LastIndex: node.Log.LastIndex, node.Configuration);
        var output = node.Step(input);
        if (input is Tick && node.Term > before.Term) Record(TraceEvent.Timeout(Now, id, node.Term));
        if (input is Propose propose && output.Proposal is { Accepted: true } accepted && Decode(propose.Command) is { ClientId: not BulkClient } command)
            Clients.Invoked(id, accepted.Index, accepted.Term, command, StepCount);
        var firstLine = report.Count;
        var effects = output.Effects;
        // A step that sends nothing leaves the crash pending for a later step that does.
        var crashing = crashAfterSend.Contains(id) && effects.Any(e => e is Send);
        if (crashing)
        {
            crashAfterSend.Remove(id);
            var lastSend = effects.Select((e, i) => e is Send ? i : -1).Max();
            effects = effects.Take(lastSend + 1).ToArray();
        }
        var replies = new List<string>();
        new EffectExecutor(new ScenarioEffects(this, id, before.LastIndex, report, replies)).Execute(effects);
        if (node.Role != before.Role || node.Term != before.Term || node.VotedFor != before.VotedFor)
            report.Insert(firstLine, $"  {id} is {Describe(node.Role)} term={node.Term} vote={node.VotedFor?.ToString() ?? "-"}");
        if (!node.Configuration.Equals(before.Configuration))
            report.Add($"  {id} uses config {node.Configuration}");
        if (node.CommitIndex != before.CommitIndex)
            report.Add($"  {id} commit {before.CommitIndex} -> {node.CommitIndex}");
        report.AddRange(replies);
        if (node.Term != before.Term) Record(TraceEvent.TermChanged(Now, id, before.Term, node.Term));
        if (node.Role != before.Role) Record(TraceEvent.RoleChanged(Now, id, before.Role, node.Role, node.Term));
        if (node.CommitIndex > before.CommitIndex) Record(TraceEvent.Committed(Now, id, before.CommitIndex, node.CommitIndex));
        safety.AfterStep(node, output.Effects, StepCount);
        RecordNewViolations();
        if (crashing)
        {
            var skipped = output.Effects.Count - effects.Count;
            report.Add($"  {id} crashes after its sends{(skipped == 0 ? "" : $", before {string.Join(", ", output.Effects.Skip(effects.Count).Select(Describe))}")}");
            Crash(id);
        }
        return output;
    }

    /// <summary>
    /// The shared executor's target here: storage is in memory and durable at once, so nothing
    /// waits; each effect is carried out and described in the step's report.
    /// </summary>
    private sealed class ScenarioEffects(ScenarioCluster cluster, NodeId id, long lastIndexBefore, List<string> report, List<string> replies) : IEffectTarget
    {
        public long Write(Effect write)
        {
            if (write is PersistSnapshot) cluster.CarryOutSnapshot(id, write, report);
            else cluster.storages[id].Persist(write);
            if (write is PersistEntries or PersistSnapshot) cluster.Record(TraceEvent.Wrote(cluster.Now, id, write));
            if (write is PersistEntries entries)
                report.Add($"  {id} log {(entries.FirstIndex <= lastIndexBefore ? $"overwrites from {entries.FirstIndex}:" : "appends")} {string.Join(' ', entries.Entries.Select(Describe))}");
            return 0;
        }

        public void Send(Send send, long afterWrite)
        {
            var message = send.Message;
            var inFlight = new InFlightMessage(cluster.nextMessageNumber++, message);
            cluster.SentByKind[message.Kind] = cluster.SentByKind.GetValueOrDefault(message.Kind) + 1;
            cluster.inFlight.Add(inFlight);
            cluster.safety.OnSend(message, cluster.storages[id], cluster.StepCount);
            cluster.Record(TraceEvent.Sent(cluster.Now, cluster.OnTheWire(inFlight)));
            report.Add($"  {id} sends {inFlight}");
        }

        public void Apply(ApplyEntry apply, long afterWrite)
        {
            var entry = apply.Entry;
            cluster.Record(TraceEvent.Applied(cluster.Now, id, entry));
            cluster.Apply(id, entry, replies);
            cluster.ServeReadsUpTo(id, entry.Index, replies);
        }

        public void Restore(RestoreSnapshot restore, long afterWrite)
        {
            cluster.Record(TraceEvent.Restored(cluster.Now, id, restore.Snapshot));
            cluster.CarryOutSnapshot(id, restore, report);
        }

        public void Read(Effect read, long afterWrite) => cluster.CarryOutRead(id, read, report, replies);
    }

    /// <summary>Runs a key-value command on the node's store; the leader that accepted it answers its client.</summary>
    private void Apply(NodeId id, LogEntry entry, List<string> replies)
    {
        if (entry.Kind != EntryKind.Command || Decode(entry.Command) is not { } command) return;
        var result = stores[id].Execute(command);
        if (Clients.Applied(id, entry, result, StepCount) is not null)
            replies.Add($"  {id} replies {Describe(command)}: {result}");
    }

    /// <summary>The key-value command in an entry, or null for free text (<c>propose</c>, preset logs).</summary>
    private static KvCommand? Decode(byte[] bytes)
    {
        try
        {
            return KvCommand.Decode(bytes);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary><c>put k=v</c> or <c>get k</c>: the command without its client numbering.</summary>
    public static string Describe(KvCommand command) => command.Operation == KvOperation.Get
        ? $"get {command.Key}"
        : $"{command.Operation.ToString().ToLowerInvariant()} {command.Key}={command.Value}";

    private static string Describe(Effect effect) => effect switch
    {
        PersistHardState => "persisting term and vote",
        PersistEntries write => $"persisting entries from {write.FirstIndex}",
        ApplyEntry apply => $"applying {apply.Entry.Index}",
        _ => effect.GetType().Name,
    };

    /// <summary>Delivers one in-flight message, or drops it when its link is cut or its receiver is down.</summary>
    public void Deliver(InFlightMessage message, List<string> report)
    {
        inFlight.Remove(message);
        var to = message.Message.To;
        if (crashed.Contains(to) || cutLinks.Contains((message.Message.From, to)))
        {
            Record(TraceEvent.Undeliverable(Now, OnTheWire(message), receiverDown: crashed.Contains(to)));
            report.Add($"{message}: lost ({(crashed.Contains(to) ? $"{to} is down" : "link cut")})");
            Lost++;
            return;
        }
        Delivered++;
        Record(TraceEvent.Delivered(Now, OnTheWire(message), byHand: true));
        report.Add($"{message}");
        Step(to, new Receive(message.Message), report);
    }

    public void Drop(InFlightMessage message)
    {
        inFlight.Remove(message);
        Record(TraceEvent.DroppedByHand(Now, OnTheWire(message)));
        Lost++;
    }

    public InFlightMessage Duplicate(InFlightMessage message)
    {
        var copy = new InFlightMessage(nextMessageNumber++, message.Message);
        inFlight.Add(copy);
        Record(TraceEvent.Sent(Now, OnTheWire(copy, duplicate: true)));
        return copy;
    }

    public void Cut(NodeId a, NodeId b)
    {
        if (cutLinks.Add((a, b))) Record(TraceEvent.Fault(Now, new CutLinkFault(Now, a.Value, b.Value)));
        if (cutLinks.Add((b, a))) Record(TraceEvent.Fault(Now, new CutLinkFault(Now, b.Value, a.Value)));
    }

    public void Heal()
    {
        cutLinks.Clear();
        Record(TraceEvent.Fault(Now, new HealFault(Now)));
    }

    /// <summary>Loses the node's volatile state; its storage survives. Messages to it are lost on delivery.</summary>
    public void Crash(NodeId id)
    {
        if (crashed.Add(id)) Record(TraceEvent.Fault(Now, new CrashFault(Now, id.Value)));
        crashAfterSend.Remove(id);
        Clients.Crashed(id);
    }

    /// <summary>nK will crash in the middle of its next step that sends: after the sends, before what follows them.</summary>
    public void CrashAfterSend(NodeId id) => crashAfterSend.Add(id);

    public void Restart(NodeId id)
    {
        crashed.Remove(id);
        Record(TraceEvent.Fault(Now, new RestartFault(Now, id.Value)));
        Start(id);
    }

    /// <summary>The terms of the entries the node holds: from index 1, or after its snapshot once it has compacted.</summary>
    public static long[] Terms(IRaftNode node) =>
        Enumerable.Range((int)node.Log.FirstIndex, (int)(node.Log.LastIndex - node.Log.SnapshotIndex)).Select(i => node.Log.TermAt(i)).ToArray();

    /// <summary>
    /// <c>3@2</c>; <c>3@2(noop)</c> for the empty entry a new leader appends (§8);
    /// <c>3@2(config voters=n1,n2,n3 learners=n4)</c> for a configuration (thesis §4).
    /// </summary>
    public static string Describe(LogEntry entry) => entry.Kind switch
    {
        EntryKind.NoOp => $"{entry.Index}@{entry.Term}(noop)",
        EntryKind.Configuration => $"{entry.Index}@{entry.Term}(config {DescribeConfiguration(entry)})",
        _ => $"{entry.Index}@{entry.Term}",
    };

    /// <summary>The configuration a configuration entry holds: <c>voters=n1,n2,n3 learners=n4</c>.</summary>
    public static string DescribeConfiguration(LogEntry entry) =>
        Raft.Core.Membership.Configuration.TryDecode(entry.Command, out var configuration) ? configuration.ToString() : "unreadable";

    public static string Describe(Role role) => role.ToString().ToLowerInvariant();

    private void Start(NodeId id)
    {
        incarnation++;
        // A restarted node restores its store from its snapshot, if any, and re-applies its
        // committed entries after it (from index 1 without a snapshot).
        stores[id] = new KvStateMachine();
        ForgetReads(id);
        if (storages[id].Snapshot is { } stored)
        {
            stores[id].Restore(stored.Data);
            AppliedInStore(id, stored.LastIncludedIndex);
        }
        // A spare starts with an empty configuration: it waits for a leader to add it.
        var members = InitialVoters.Contains(id) ? InitialVoters : [];
        // FixedSequence(K-1) pins the timeout to ElectionTicks + K - 1: n1 times out first, then n2...
        var persisted = storages[id].Load();
        nodes[id] = new RaftNode(id, members, Options, new FixedSequence(id.Value - 1),
            persisted, firstMessageId: incarnation * 1_000_000L);
        safety.OnStart(nodes[id], persisted, StepCount);
        Record(TraceEvent.Recovered(Now, id, persisted, nodes[id].CommitIndex));
    }
}
