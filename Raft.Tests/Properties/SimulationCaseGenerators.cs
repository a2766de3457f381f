using FsCheck;
using FsCheck.Fluent;
using Raft.Core;
using Raft.Core.Membership;
using Raft.Simulation;
using Raft.Simulation.Faults;

namespace Raft.Tests.Properties;

/// <summary>
/// FsCheck generators and shrinkers for whole simulation runs: cluster size, clients, core
/// options (PreVote, CheckQuorum, read mode, log compaction), spare servers, the network (reliable,
/// or lossy with duplicates and reordering, with or without long-held messages) and a timed fault
/// schedule with membership changes (thesis §4).
/// A schedule mixes single actions with episodes that tell the stories explore's chaos profile
/// tells and independent actions rarely do: a node crashed and restarted later, paused and
/// resumed, a follower cut off long enough to lag far behind and then reconnected, the leader
/// isolated while clients still write to it and then healed (a deposed leader with an
/// uncommitted suffix to truncate), the leader crashed or paused. Runs last 3, 6 or 10 seconds.
/// Shrinking drops actions, removes spares, nodes and clients, makes the network reliable, turns
/// drift off and shortens times, so a failure ends as the smallest schedule that still fails.
/// </summary>
public static class SimulationCaseGenerators
{
    /// <summary>The shortest generated run; others last twice or three times and a bit as long.</summary>
    public const long DurationMicros = 3_000_000;

    public static Arbitrary<SimulationCase> Cases(TeachingBug bug = TeachingBug.None, bool withFaults = true) =>
        Arb.From(Generate(bug, withFaults), Shrink);

    public static Gen<SimulationCase> Generate(TeachingBug bug, bool withFaults) =>
        from seed in Gen.Choose(1, int.MaxValue)
        from nodes in Gen.Frequency((4, Gen.Constant(3)), (4, Gen.Constant(5)), (1, Gen.Constant(7)))
        from membership in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true))) // a third of the cases change membership
        from spares in membership ? Gen.Choose(0, 2) : Gen.Constant(0)
        from clients in Gen.Choose(1, 5)
        from maxEntries in Gen.Elements(1, 4, 64)
        from drift in Gen.Elements(0.0, 0.05)
        from duration in Gen.Frequency((3, Gen.Constant(DurationMicros)), (2, Gen.Constant(2 * DurationMicros)), (2, Gen.Constant(10_000_000L)))
        from schedule in withFaults ? Schedule(nodes + spares, membership, duration) : Gen.Constant<IReadOnlyList<FaultAction>>([])
        from unreliable in withFaults ? Gen.Elements(false, true) : Gen.Constant(false)
        from longDelays in withFaults ? Gen.Frequency((3, Gen.Constant(0.0)), (1, Gen.Elements(0.02, 0.05, 0.1))) : Gen.Constant(0.0)
        from preVote in Gen.Elements(false, true)
        from checkQuorum in Gen.Elements(false, true)
        from reads in Gen.Elements(ReadMode.Log, ReadMode.ReadIndex, ReadMode.Lease)
        from snapshotEvery in Gen.Elements(0, 0, 10, 40) // half the cases compact their logs (§7)
        select new SimulationCase((ulong)seed, nodes, clients, duration, maxEntries, drift, schedule, bug, preVote, checkQuorum,
            reads == ReadMode.Lease && !checkQuorum ? ReadMode.ReadIndex : reads, // lease reads need CheckQuorum
            spares, snapshotEvery, unreliable, longDelays);

    /// <summary>
    /// Faults on any of the servers, the initial voters and the spares alike; with <paramref name="membership"/>,
    /// membership changes among them. About as many faults per second as explore's chaos profile.
    /// </summary>
    private static Gen<IReadOnlyList<FaultAction>> Schedule(int servers, bool membership, long durationMicros)
    {
        var faults = Gen.Frequency((1, Action(servers, durationMicros)), (2, Episode(servers, durationMicros)));
        var most = (int)(durationMicros / 1_000_000 * (membership ? 3 : 2)) + 2;
        return from count in Gen.Choose(0, most)
               from episodes in Gen.ArrayOf(membership ? Gen.Frequency((3, faults), (1, MembershipChange(servers, durationMicros).Select(a => new[] { a }))) : faults, count)
               select (IReadOnlyList<FaultAction>)episodes.SelectMany(e => e).OrderBy(a => a.AtMicros).ToList();
    }

    private static Gen<long> Time(long durationMicros) => Gen.Choose(0, (int)(durationMicros / 1000)).Select(ms => ms * 1000L);

    /// <summary>One action on its own, in a single-element array (see <see cref="Episode"/>).</summary>
    private static Gen<FaultAction[]> Action(int servers, long durationMicros)
    {
        var node = Gen.Choose(1, servers);
        var time = Time(durationMicros);
        return Gen.Frequency(
            (3, from t in time from n in node select (FaultAction)new CrashFault(t, n)),
            (3, from t in time from n in node select (FaultAction)new RestartFault(t, n)),
            (3, from t in time from n in node select (FaultAction)new IsolateFault(t, n)),
            (3, from t in time select (FaultAction)new HealFault(t)),
            (2, from t in time from a in node from b in node where a != b select (FaultAction)new CutLinkFault(t, a, b)),
            (2, from t in time from split in Gen.Choose(1, servers - 1) select (FaultAction)Split(t, servers, split)),
            (1, from t in time from n in node from split in Gen.Choose(1, servers - 1)
                select (FaultAction)new BridgeFault(t, n, Split(t, servers, split).Groups)),
            (1, from t in time from n in node select (FaultAction)new PauseFault(t, n)),
            (1, from t in time from n in node select (FaultAction)new ResumeFault(t, n)),
            (1, from t in time from n in node select (FaultAction)new TransferFault(t, n)),
            (1, from t in time from loss in Gen.Elements(0.0, 0.05, 0.2) from dup in Gen.Elements(0.0, 0.05) from reorder in Gen.Elements(0.0, 0.1)
                select (FaultAction)new NetworkFault(t, loss, dup, reorder)))
            .Select(a => new[] { a });
    }

    /// <summary>
    /// A fault and its end, some time later: the stories of explore's chaos profile, which keeps
    /// track of what is down and paused, and of the leader-aimed faults that depose a leader.
    /// </summary>
    private static Gen<FaultAction[]> Episode(int servers, long durationMicros)
    {
        var node = Gen.Choose(1, servers);
        var time = Time(durationMicros);
        var outage = Gen.Frequency((3, Gen.Choose(50, 700)), (2, Gen.Choose(700, 3_000))).Select(ms => ms * 1000L); // long ones leave a follower far behind
        return Gen.Frequency(
            (3, from t in time from n in node from d in outage select new FaultAction[] { new CrashFault(t, n), new RestartFault(t + d, n) }),
            (2, from t in time from n in node from d in outage select new FaultAction[] { new PauseFault(t, n), new ResumeFault(t + d, n) }),
            (3, from t in time from n in node from d in outage select new FaultAction[] { new IsolateFault(t, n), new ReconnectFault(t + d, n) }),
            (3, from t in time from d in outage select new FaultAction[] { new IsolateFault(t, FaultAction.TheLeader), new HealFault(t + d) }),
            (2, from t in time select new FaultAction[] { new CrashFault(t, FaultAction.TheLeader) }),
            (1, from t in time select new FaultAction[] { new PauseFault(t, FaultAction.TheLeader) }),
            (2, from t in time from d in outage from split in Gen.Choose(1, servers - 1)
                select new FaultAction[] { Split(t, servers, split), new HealFault(t + d) }));
    }

    private static Gen<FaultAction> MembershipChange(int servers, long durationMicros) =>
        from t in Time(durationMicros)
        from kind in Gen.Frequency(
            (2, Gen.Constant(MembershipChangeKind.AddVoter)), (1, Gen.Constant(MembershipChangeKind.AddLearner)), (2, Gen.Constant(MembershipChangeKind.Remove)))
        from n in Gen.Choose(1, servers)
        select (FaultAction)new MembershipFault(t, kind, n);

    private static PartitionFault Split(long at, int nodes, int firstGroupSize) =>
        new(at, [Enumerable.Range(1, firstGroupSize).ToList(), Enumerable.Range(firstGroupSize + 1, nodes - firstGroupSize).ToList()]);

    /// <summary>Smaller variants of a case, most aggressive first.</summary>
    public static IEnumerable<SimulationCase> Shrink(SimulationCase c)
    {
        // Drop half the schedule, then single actions.
        if (c.Schedule.Count > 1)
        {
            var half = c.Schedule.Count / 2;
            yield return c with { Schedule = c.Schedule.Take(half).ToList() };
            yield return c with { Schedule = c.Schedule.Skip(half).ToList() };
        }
        for (var i = 0; i < c.Schedule.Count; i++)
            yield return c with { Schedule = c.Schedule.Where((_, j) => j != i).ToList() };

        // Fewer servers: no spares, one spare fewer, then nodes 7 -> 5 -> 3, dropping actions that
        // name a server that is gone (ids above the new total).
        if (c.Spares > 0)
        {
            yield return Restricted(c with { Spares = 0 });
            if (c.Spares > 1) yield return Restricted(c with { Spares = c.Spares - 1 });
        }
        if (c.Nodes > 3) yield return Restricted(c with { Nodes = c.Nodes - 2 });
        if (c.Clients > 1) yield return c with { Clients = c.Clients - 1 };
        if (c.MaxClockDrift > 0) yield return c with { MaxClockDrift = 0 };
        if (c.LongDelayRate > 0) yield return c with { LongDelayRate = 0 };
        if (c.Unreliable) yield return c with { Unreliable = false };
        if (c.PreVote) yield return c with { PreVote = false };
        if (c.SnapshotEvery > 0) yield return c with { SnapshotEvery = 0 };
        if (c.Reads == ReadMode.Lease) yield return c with { Reads = ReadMode.ReadIndex };
        if (c.CheckQuorum && c.Reads != ReadMode.Lease) yield return c with { CheckQuorum = false };

        // Shorter: end soon after the last action; then move every action earlier.
        var lastAction = c.Schedule.Count == 0 ? 0 : c.Schedule.Max(a => a.AtMicros);
        var shorter = Math.Max(lastAction + 500_000, c.DurationMicros / 2);
        if (shorter < c.DurationMicros) yield return c with { DurationMicros = shorter };
        if (c.Schedule.Any(a => a.AtMicros >= 2000))
            yield return c with { Schedule = c.Schedule.Select(a => a with { AtMicros = a.AtMicros / 2 / 1000 * 1000 }).ToList() };
    }

    private static SimulationCase Restricted(SimulationCase c) =>
        c with { Schedule = c.Schedule.Select(a => Restrict(a, c.Nodes + c.Spares)).OfType<FaultAction>().ToList() };

    private static FaultAction? Restrict(FaultAction action, int nodes) => action switch
    {
        MembershipFault a => a.Node <= nodes ? a : null,
        CrashFault a => a.Node <= nodes ? a : null,
        RestartFault a => a.Node <= nodes ? a : null,
        IsolateFault a => a.Node <= nodes ? a : null,
        ReconnectFault a => a.Node <= nodes ? a : null,
        PauseFault a => a.Node <= nodes ? a : null,
        ResumeFault a => a.Node <= nodes ? a : null,
        TransferFault a => a.Node <= nodes ? a : null,
        CutLinkFault a => a.From <= nodes && a.To <= nodes ? a : null,
        PartitionFault a => PartitionWithin(a, nodes),
        BridgeFault a => a.Bridge <= nodes && PartitionWithin(new PartitionFault(a.AtMicros, a.Groups), nodes) is { } p ? a with { Groups = p.Groups } : null,
        _ => action,
    };

    private static PartitionFault? PartitionWithin(PartitionFault partition, int nodes)
    {
        var groups = partition.Groups.Select(g => (IReadOnlyList<int>)g.Where(n => n <= nodes).ToList()).Where(g => g.Count > 0).ToList();
        return groups.Count > 1 ? partition with { Groups = groups } : null;
    }
}
