using Raft.Core.Membership;
using Raft.Core.Randomness;

namespace Raft.Simulation.Faults;

/// <summary>Draws a fault schedule for a profile from the fault stream of a seed.</summary>
public static class FaultScheduleGenerator
{
    /// <summary>Mean time between two faults.</summary>
    public const long MeanGapMicros = 700_000;

    public static IReadOnlyList<FaultAction> Generate(FaultProfile profile, int nodes, long durationMicros, SplitMix64 random)
    {
        var actions = new List<FaultAction>();
        var unreliable = profile is FaultProfile.Unreliable or FaultProfile.Chaos;
        var partitions = profile is FaultProfile.Partitions or FaultProfile.Chaos;
        var crashes = profile is FaultProfile.Crashes or FaultProfile.Chaos;
        var pauses = profile is FaultProfile.Chaos;
        var transfers = profile is FaultProfile.Chaos;
        if (unreliable) actions.Add(new NetworkFault(0, 0.05, 0.03, 0.05));
        if (!partitions && !crashes) return actions;

        var down = new SortedSet<int>();
        var paused = new SortedSet<int>();
        var time = 0L;
        while (true)
        {
            time += MeanGapMicros / 4 + (long)(random.NextDouble() * MeanGapMicros * 1.5);
            if (time >= durationMicros) break;
            var node = 1 + random.Next(nodes);
            var choice = random.Next(100);
            if (crashes && choice < 30)
            {
                if (down.Remove(node)) actions.Add(new RestartFault(time, node));
                else { down.Add(node); actions.Add(new CrashFault(time, node)); }
            }
            else if (pauses && choice < 40)
            {
                if (paused.Remove(node)) actions.Add(new ResumeFault(time, node));
                else { paused.Add(node); actions.Add(new PauseFault(time, node)); }
            }
            else if (transfers && choice < 46) actions.Add(new TransferFault(time, node));
            else if (partitions && choice < 55) actions.Add(new HealFault(time));
            else if (partitions && choice < 70) actions.Add(new IsolateFault(time, node));
            else if (partitions && choice < 80) actions.Add(new CutLinkFault(time, node, 1 + (node + random.Next(nodes - 1)) % nodes));
            else if (partitions && choice < 90) actions.Add(new PartitionFault(time, RandomSplit(nodes, random)));
            else if (partitions) actions.Add(new BridgeFault(time, node, RandomSplit(nodes, random)));
            else if (down.Count > 0)
            {
                var restart = down.Min;
                down.Remove(restart);
                actions.Add(new RestartFault(time, restart));
            }
        }
        return actions;
    }

    /// <summary>
    /// Adds single-server membership changes (thesis §4), drawn from their own stream so that the
    /// other faults of a seed stay as they were: <c>add</c>, <c>learner</c> and <c>remove</c> of any of
    /// the <paramref name="servers"/> (the leader refuses the ones that make no sense, and says why).
    /// At equal times the other faults come first.
    /// </summary>
    public static IReadOnlyList<FaultAction> WithMembershipChanges(IReadOnlyList<FaultAction> faults, int servers, long durationMicros, SplitMix64 random)
    {
        var changes = new List<FaultAction>();
        var time = 0L;
        while (true)
        {
            time += MeanGapMicros / 2 + (long)(random.NextDouble() * MeanGapMicros * 2);
            if (time >= durationMicros) break;
            var node = 1 + random.Next(servers);
            var choice = random.Next(100);
            var kind = choice < 45 ? MembershipChangeKind.AddVoter : choice < 60 ? MembershipChangeKind.AddLearner : MembershipChangeKind.Remove;
            changes.Add(new MembershipFault(time, kind, node));
        }
        // OrderBy is a stable sort: the merge does not depend on anything but the two lists.
        return faults.Concat(changes).OrderBy(a => a.AtMicros).ToList();
    }

    private static IReadOnlyList<IReadOnlyList<int>> RandomSplit(int nodes, SplitMix64 random)
    {
        var a = new List<int>();
        var b = new List<int>();
        for (var n = 1; n <= nodes; n++) (random.Next(2) == 0 ? a : b).Add(n);
        if (a.Count == 0) { a.Add(b[^1]); b.RemoveAt(b.Count - 1); }
        if (b.Count == 0) { b.Add(a[^1]); a.RemoveAt(a.Count - 1); }
        return [a, b];
    }
}
