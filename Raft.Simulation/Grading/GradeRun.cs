using Raft.Core;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Simulation.Faults;
using Raft.Simulation.Nodes;
using Raft.Simulation.Tracing;

namespace Raft.Simulation.Grading;

/// <summary>
/// One seed of one grading test: builds the simulation around the node under test, steps it, and
/// acts on it from outside (crash the current leader, cut a majority off) as a test needs. What it
/// does is logged in <see cref="Actions"/>, so a failure report can tell the whole fault story.
/// All randomness comes from the seed; nothing here reads the clock.
/// </summary>
public sealed class GradeRun
{
    private const ulong GraderStream = 900;
    private readonly NodeSource node;
    private readonly bool keepTrace;
    private readonly List<string> actions = [];
    private Simulation? simulation;

    public GradeRun(NodeSource node, ulong seed, bool keepTrace)
    {
        this.node = node;
        this.keepTrace = keepTrace;
        Seed = seed;
        Random = new SplitMix64(SplitMix64.Derive(seed, GraderStream));
    }

    public ulong Seed { get; }

    /// <summary>The grader's own random stream (which node to cut off...), independent of the simulation's.</summary>
    public SplitMix64 Random { get; }

    public MessageMeter Meter { get; } = new();

    /// <summary>What the grader did to the cluster, with virtual times.</summary>
    public IReadOnlyList<string> Actions => actions;

    public SimulationOptions Options { get; private set; } = new();

    public Simulation Sim => simulation ?? throw new InvalidOperationException("the run has not started");

    public bool Started => simulation is not null;

    public long Now => Sim.Now;

    public bool Violated => Sim.Violation is not null;

    /// <summary>Starts the simulation: <paramref name="options"/> with this run's seed, the node's teaching bug and the trace setting.</summary>
    /// <param name="options">The run's options (the seed, trace and teaching bug are the grader's).</param>
    /// <param name="readIndex">
    /// Serve gets with ReadIndex, as <paramref name="options"/> say (lab 5). Otherwise gets go through
    /// the log like writes: ReadIndex reads are lab 5's work, and the student skeleton refuses them
    /// until then (labs/lab5-kv-service.md). Lab 5 also grades the node's own key-value store
    /// (<see cref="NodeSource.CreateStore"/>); the other labs run the reference store.
    /// </param>
    public Simulation Start(SimulationOptions options, bool readIndex = false)
    {
        Options = options with { Seed = Seed, KeepTrace = keepTrace, Reads = readIndex ? options.Reads : ReadMode.Log, Raft = options.Raft with { Bug = node.Bug } };
        var store = readIndex ? node.CreateStore ?? throw new InvalidOperationException("lab 5 grades a key-value store, and the node came without one") : null;
        simulation = new Simulation(Options, spec => new GuardedNode(spec.Id, node.Create(spec), Meter), store is null ? null : () => new GuardedStore(store()));
        return simulation;
    }

    /// <summary>Steps until <paramref name="done"/> holds (true), or a violation, or virtual time passes <paramref name="deadlineMicros"/> (false).</summary>
    public bool RunUntil(long deadlineMicros, Func<bool> done)
    {
        while (!Violated)
        {
            if (done()) return true;
            if (Sim.Now >= deadlineMicros || !Sim.StepEvent()) return false;
        }
        return false;
    }

    /// <summary>Steps for <paramref name="micros"/> of virtual time; false if a violation came first.</summary>
    public bool RunFor(long micros)
    {
        var until = Sim.Now + micros;
        RunUntil(until, () => false);
        return !Violated;
    }

    /// <summary>Runs to the end (faults stop, liveness, linearizability: <see cref="Simulation.Run"/>).</summary>
    public SimulationResult Finish() => Sim.Run();

    /// <summary>A majority of the cluster's voters.</summary>
    public int Majority => Sim.Members.Count / 2 + 1;

    /// <summary>
    /// The leader as the grader sees it: an up node in role Leader that a majority of the cluster
    /// (itself included) follows: up, in its term, and linked to it both ways. A deposed leader
    /// that has not noticed is not one. Of several, the one of the highest term.
    /// </summary>
    public NodeId? Leader()
    {
        NodeId? best = null;
        long bestTerm = -1;
        foreach (var candidate in Sim.Nodes.Values)
        {
            if (candidate.Status != NodeStatus.Up || candidate.Core.Role != Role.Leader) continue;
            var term = candidate.Core.Term;
            var followers = Sim.Nodes.Values.Count(n => n.Status == NodeStatus.Up && n.Core.Term == term && Linked(candidate.Id, n.Id));
            if (followers >= Majority && term > bestTerm)
            {
                best = candidate.Id;
                bestTerm = term;
            }
        }
        return best;
    }

    /// <summary>Up nodes in role Leader (whether or not anyone follows them).</summary>
    public IReadOnlyList<NodeId> NodesInLeaderRole() =>
        Sim.Nodes.Values.Where(n => n.Status == NodeStatus.Up && n.Core.Role == Role.Leader).Select(n => n.Id).ToList();

    /// <summary>Waits up to <paramref name="withinMicros"/> for a <see cref="Leader"/>.</summary>
    public NodeId? AwaitLeader(long withinMicros)
    {
        NodeId? found = null;
        RunUntil(Sim.Now + withinMicros, () => (found = Leader()) is not null);
        return found;
    }

    public bool Linked(NodeId a, NodeId b) => a == b || (!Sim.Network.IsCut(a, b) && !Sim.Network.IsCut(b, a));

    public SimNode NodeOf(NodeId id) => Sim.Nodes[id];

    public void Crash(NodeId id, string why = "")
    {
        Log($"crash {id}{why}");
        Traced(new CrashFault(Sim.Now, id.Value));
        Sim.Crash(Sim.Nodes[id]);
    }

    public void Restart(NodeId id)
    {
        Log($"restart {id}");
        Traced(new RestartFault(Sim.Now, id.Value));
        Sim.Restart(Sim.Nodes[id]);
    }

    /// <summary>The grader's own faults go into the run's trace like scheduled ones, so a replayed failure and its viewer page show them.</summary>
    private void Traced(FaultAction action) => Sim.Trace.Add(TraceEvent.Fault(Sim.Now, action));

    /// <summary>Cuts every link between <paramref name="id"/> and the others.</summary>
    public void Isolate(NodeId id, string why = "")
    {
        Log($"isolate {id}{why}");
        Traced(new IsolateFault(Sim.Now, id.Value));
        foreach (var other in Sim.Servers.Where(o => o != id))
        {
            Sim.Network.Cut(id, other);
            Sim.Network.Cut(other, id);
        }
    }

    /// <summary>Restores the links between <paramref name="id"/> and every other server except those in <paramref name="stillCut"/>.</summary>
    public void Reconnect(NodeId id, IReadOnlyCollection<NodeId> stillCut)
    {
        Log($"reconnect {id}");
        if (stillCut.Count == 0) Traced(new ReconnectFault(Sim.Now, id.Value));
        else Sim.Trace.Add(TraceEvent.Note(Sim.Now, TraceKind.Note, "-", $"reconnect {id}, still cut from {string.Join(' ', stillCut.Order())}"));
        foreach (var other in Sim.Servers.Where(o => o != id && !stillCut.Contains(o)))
        {
            Sim.Network.Restore(id, other);
            Sim.Network.Restore(other, id);
        }
    }

    /// <summary>Cuts every link between different groups; nodes in no group are isolated.</summary>
    public void Partition(IReadOnlyList<IReadOnlyList<NodeId>> groups)
    {
        Log("partition " + string.Join(" | ", groups.Select(g => string.Join(" ", g))));
        Traced(new PartitionFault(Sim.Now, groups.Select(g => (IReadOnlyList<int>)g.Select(n => n.Value).ToList()).ToList()));
        Sim.Network.HealAll();
        var groupOf = new SortedDictionary<NodeId, int>();
        for (var g = 0; g < groups.Count; g++)
            foreach (var n in groups[g]) groupOf[n] = g;
        foreach (var a in Sim.Servers)
            foreach (var b in Sim.Servers)
                if (a != b && (!groupOf.TryGetValue(a, out var ga) || !groupOf.TryGetValue(b, out var gb) || ga != gb))
                    Sim.Network.Cut(a, b);
    }

    public void Heal()
    {
        Log("heal");
        Traced(new HealFault(Sim.Now));
        Sim.Network.HealAll();
    }

    /// <summary>Up to <paramref name="count"/> distinct nodes drawn from <paramref name="from"/> with the grader's stream.</summary>
    public IReadOnlyList<NodeId> Pick(IEnumerable<NodeId> from, int count)
    {
        var pool = from.ToList();
        var picked = new List<NodeId>();
        while (picked.Count < count && pool.Count > 0)
        {
            var i = Random.Next(pool.Count);
            picked.Add(pool[i]);
            pool.RemoveAt(i);
        }
        return picked;
    }

    /// <summary>
    /// After <see cref="Finish"/>: waits up to <paramref name="withinMicros"/> until every up
    /// node's state machine (the simulator's, fed only by the entries the node applied) holds the
    /// same keys and values. Returns what differs, or null.
    /// </summary>
    public string? AwaitSameState(long withinMicros)
    {
        if (Violated) return null;
        bool Same() => Sim.Nodes.Values.Where(n => n.Status == NodeStatus.Up).Select(StateText).Distinct().Count() <= 1;
        if (RunUntil(Sim.Now + withinMicros, Same)) return null;
        if (Violated) return null;
        var states = Sim.Nodes.Values.Where(n => n.Status == NodeStatus.Up).Select(n => $"{n.Id}: {Shorten(StateText(n))}");
        return $"the servers' state machines still differ {TraceEvent.FormatTime(withinMicros)} after the run settled (every server must apply every committed entry):\n    {string.Join("\n    ", states)}";
    }

    /// <summary>
    /// Lab 5, exactly once (thesis §6.3), judged on the values rather than on the answers: the
    /// committed log, as the safety checker saw it applied, run through the reference store (which
    /// applies each client's sequence number once) must give the values every up server's store holds.
    /// A retried write that its store applied twice shows here even when no client read it back.
    /// Null when they agree; call it once <see cref="AwaitSameState"/> has passed.
    /// </summary>
    public string? StoresMatchTheCommittedLog()
    {
        if (Violated) return null;
        var reference = new Core.StateMachine.KvStateMachine();
        var index = 1L;
        for (; Sim.Safety.AppliedAt(index) is { } entry; index++) reference.Apply(entry);
        var expected = string.Join(" ", reference.Values.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        foreach (var node in Sim.Nodes.Values.Where(n => n.Status == NodeStatus.Up))
        {
            var actual = StateText(node);
            if (actual == expected) continue;
            var differing = FirstDifference(reference.Values, node.StateMachine.Values);
            return $"{node.Id}'s store does not hold what the committed log gives when each command applies once (entries 1..{index - 1}, thesis §6.3): {differing}";
        }
        return null;
    }

    private static string FirstDifference(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual)
    {
        foreach (var key in expected.Keys.Concat(actual.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal))
        {
            var want = expected.TryGetValue(key, out var w) ? $"\"{Shorten(w)}\"" : "absent";
            var have = actual.TryGetValue(key, out var h) ? $"\"{Shorten(h)}\"" : "absent";
            if (want != have) return $"key {key} is {have}, and should be {want}";
        }
        return "the stores differ";
    }

    private static string StateText(SimNode node) => string.Join(" ", node.StateMachine.Values.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "...";

    /// <summary>The up nodes other than <paramref name="leader"/>.</summary>
    public IReadOnlyList<NodeId> Followers(NodeId leader) =>
        Sim.Nodes.Values.Where(n => n.Id != leader && n.Status == NodeStatus.Up && Sim.Members.Contains(n.Id)).Select(n => n.Id).ToList();

    private void Log(string action) => actions.Add($"at {TraceEvent.FormatTime(Sim.Now)} {action}");
}
