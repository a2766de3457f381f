using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Randomness;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// Figure 3's properties under seeded random schedules: message loss, duplication and reordering,
/// partitions, crashes and restarts. A failure names the seed and the step; rerun with that seed.
/// </summary>
public sealed class SafetyPropertyTests
{
    private const int Steps = 1500;

    [Test]
    public void Figure3_safety_properties_hold_under_random_schedules([Range(1, 40)] int seed)
    {
        var violation = RunRandomSchedule((ulong)seed, TeachingBug.None, out var cluster);
        Assert.That(violation, Is.Null, $"seed {seed}");

        // Liveness once the network heals: one leader, and every log equal to its log.
        foreach (var id in cluster.Members.Select(m => m.Value).Where(id => !cluster.LiveIds().Contains(id)).ToList()) cluster.Restart(id);
        cluster.HealAll();
        cluster.DeliverAll();
        cluster.TickAll(60);
        var leaders = cluster.LiveIds().Where(id => cluster[id].Role == Role.Leader).ToList();
        if (leaders.Count != 1)
            foreach (var id in cluster.LiveIds()) TestContext.Out.WriteLine($"n{id} {cluster[id].Role} term={cluster[id].Term} last={cluster[id].Log.LastIndex}@{cluster[id].Log.LastTerm} vote={cluster[id].VotedFor} commit={cluster[id].CommitIndex}");
        Assert.That(leaders, Has.Count.EqualTo(1), $"seed {seed}: one leader after healing");
        foreach (var id in cluster.LiveIds())
            Assert.That(cluster.Terms(id), Is.EqualTo(cluster.Terms(leaders[0])), $"seed {seed}: n{id} caught up");
    }

    [TestCase(TeachingBug.VoteWithoutLogCheck)]
    [TestCase(TeachingBug.SkipPrevLogTermCheck)]
    [TestCase(TeachingBug.ApplyBeforeCommit)]
    public void The_random_schedules_catch_a_teaching_bug(TeachingBug bug)
    {
        // Teeth for the property above: some seed among the first 200 breaks a safety property.
        var caught = Enumerable.Range(1, 200).Select(seed => RunRandomSchedule((ulong)seed, bug, out _)).FirstOrDefault(v => v is not null);
        Assert.That(caught, Is.Not.Null, $"no seed caught {bug}");
    }

    /// <summary>Runs one schedule; returns a description of the first violated property, or null.</summary>
    private static string? RunRandomSchedule(ulong seed, TeachingBug bug, out TestCluster cluster)
    {
        var random = new SplitMix64(seed);
        cluster = new TestCluster(5, new RaftOptions { Bug = bug, MaxEntriesPerAppend = 4 });
        var checker = new Figure3Checker(cluster);
        var commands = 0;
        for (var step = 0; step < Steps; step++)
        {
            try
            {
                RandomAction(cluster, random, ref commands);
            }
            catch (InvalidOperationException e) when (bug != TeachingBug.None)
            {
                // A broken rule may also trip one of the core's own assertions (e.g. terms going back in a log).
                return $"seed {seed}, step {step}: invariant assertion: {e.Message}";
            }
            if (checker.Check() is { } violation) return $"seed {seed}, step {step}: {violation}";
        }
        return null;
    }

    private static void RandomAction(TestCluster cluster, SplitMix64 random, ref int commands)
    {
        var live = cluster.LiveIds().ToList();
        var roll = random.Next(100);
        if (roll < 45) cluster.DeliverNext();
        else if (roll < 50 && cluster.InFlight.Count > 0) cluster.Take(m => ReferenceEquals(m, cluster.InFlight[0])); // loss
        else if (roll < 55 && cluster.InFlight.Count > 0)
        {
            var message = cluster.InFlight[random.Next(cluster.InFlight.Count)];
            if (cluster.LiveIds().Contains(message.To.Value)) cluster.Deliver(message); // duplicated and reordered
        }
        else if (roll < 80) foreach (var id in live) cluster.Tick(id);
        else if (roll < 88)
        {
            foreach (var id in live.Where(id => cluster[id].Role == Role.Leader)) cluster.Propose(id, Put(++commands));
        }
        else if (roll < 92) cluster.Isolate(1 + random.Next(cluster.Members.Count));
        else if (roll < 95) cluster.HealAll();
        else if (roll < 97 && live.Count > 3) cluster.Crash(live[random.Next(live.Count)]);
        else
        {
            var down = cluster.Members.Select(m => m.Value).Except(live).ToList();
            if (down.Count > 0) cluster.Restart(down[random.Next(down.Count)]);
        }
    }

    /// <summary>Election Safety, Log Matching, Leader Completeness and State Machine Safety (Figure 3).</summary>
    private sealed class Figure3Checker(TestCluster cluster)
    {
        private readonly Dictionary<long, NodeId> leaderOfTerm = [];
        private readonly Dictionary<long, LogEntry> appliedAt = [];
        private readonly Dictionary<NodeId, int> effectsSeen = [];
        private readonly HashSet<(NodeId, long)> leadersChecked = [];

        public string? Check() => CheckStateMachineSafety() ?? CheckElectionSafetyAndLeaderCompleteness() ?? CheckLogMatching();

        private string? CheckStateMachineSafety()
        {
            foreach (var (node, effects) in cluster.EffectLog)
            {
                var from = effectsSeen.GetValueOrDefault(node);
                foreach (var apply in effects.Skip(from).OfType<ApplyEntry>())
                {
                    if (!appliedAt.TryAdd(apply.Entry.Index, apply.Entry) && !appliedAt[apply.Entry.Index].Equals(apply.Entry))
                        return $"State Machine Safety: {node} applied {apply.Entry}, another node applied {appliedAt[apply.Entry.Index]}";
                }
                effectsSeen[node] = effects.Count;
            }
            return null;
        }

        private string? CheckElectionSafetyAndLeaderCompleteness()
        {
            foreach (var id in cluster.LiveIds().Where(id => cluster[id].Role == Role.Leader))
            {
                var node = cluster[id];
                if (!leaderOfTerm.TryAdd(node.Term, node.Id) && leaderOfTerm[node.Term] != node.Id)
                    return $"Election Safety: {leaderOfTerm[node.Term]} and {node.Id} both lead term {node.Term}";
                // A new leader must hold every entry committed (here: applied somewhere) before its election.
                if (!leadersChecked.Add((node.Id, node.Term))) continue;
                foreach (var entry in appliedAt.Values)
                {
                    if (entry.Index > node.Log.LastIndex || !node.Log.EntryAt(entry.Index).Equals(entry))
                        return $"Leader Completeness: {node.Id}, leader of term {node.Term}, lacks committed {entry}";
                }
            }
            return null;
        }

        private string? CheckLogMatching()
        {
            var live = cluster.LiveIds().ToList();
            foreach (var a in live)
            {
                foreach (var b in live.Where(b => b > a))
                {
                    var la = cluster[a].Log;
                    var lb = cluster[b].Log;
                    // Equal digest at the highest index with equal terms means equal prefixes up to there.
                    for (var i = Math.Min(la.LastIndex, lb.LastIndex); i >= 1; i--)
                    {
                        if (la.TermAt(i) != lb.TermAt(i)) continue;
                        if (la.DigestAt(i) != lb.DigestAt(i)) return $"Log Matching: n{a} and n{b} agree on the term at {i} but not on the prefix";
                        break;
                    }
                }
            }
            return null;
        }
    }
}
