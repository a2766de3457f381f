using Raft.Core.Storage;
using Raft.Core;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Simulation.Checkers;
using static Raft.Tests.Checkers.CheckedCluster;

namespace Raft.Tests.Checkers;

/// <summary>
/// The safety checker owns its evidence (ARCHITECTURE.md §8): it chains the entries it sees with
/// its own hash, so a node under test whose log reports digest 0 for every prefix, or a commit
/// index beyond its log, cannot make a property hold by saying so.
/// </summary>
public sealed class SafetyCheckerEvidenceTests
{
    private static readonly NodeId N1 = new(1), N2 = new(2), N3 = new(3);

    private static RaftOptions Options(TeachingBug bug = TeachingBug.None) => new() { ElectionTicks = 10, HeartbeatTicks = 2, Bug = bug };

    private static IRaftNode ConstantDigest(RaftNode node) => new LyingNode(node, constantDigest: true);

    /// <summary>
    /// n1 holds 2@2 where n2 and n3 hold 2@1. n1 wins term 3 and sends its no-op 3@3 after 2@2; without
    /// the §5.3 term check, n2 appends it after its own 2@1: one entry, two different prefixes.
    /// </summary>
    private static CheckedCluster DivergedWithConstantDigests()
    {
        var cluster = new CheckedCluster(3, Options(TeachingBug.SkipPrevLogTermCheck), ConstantDigest);
        cluster.PresetLog(1, 2, Entry(1, 1, "a"), Entry(2, 2, "b"));
        cluster.PresetLog(2, 2, Entry(1, 1, "a"), Entry(2, 1, "c"));
        cluster.PresetLog(3, 2, Entry(1, 1, "a"), Entry(2, 1, "c"));
        cluster.Campaign(1);
        cluster.Deliver(m => m is RequestVote or RequestVoteResponse);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster.Checker.First, Is.Null, "nothing is wrong yet");
        cluster.Deliver(m => m is AppendEntries && m.To == N2);
        Assert.That(cluster[2].Log.TermAt(3), Is.EqualTo(3), "n2 took 3@3 after 2@1");
        return cluster;
    }

    [Test]
    public void Log_matching_is_judged_by_the_entries_not_by_the_digests_the_nodes_report()
    {
        var cluster = DivergedWithConstantDigests();

        Assert.That(cluster[2].Log.DigestAt(3), Is.EqualTo(cluster[1].Log.DigestAt(3)), "the lie: both logs claim the same prefix");
        Assert.That(cluster.Checker.First?.Property, Is.EqualTo(Property.LogMatching));
        Assert.That(cluster.Checker.First!.Message, Is.EqualTo("n2 and n1 both hold entry 3@3, but not the same entries up to it"));
    }

    [Test]
    public void Committed_prefixes_are_compared_by_the_checkers_own_digests()
    {
        var cluster = DivergedWithConstantDigests();

        cluster.Deliver(m => m.To != N3); // n1 commits 3@3 with n2's acknowledgement, and n2 learns it
        cluster.Step(1, Raft.Core.Inputs.Tick.Instance);
        cluster.Step(1, Raft.Core.Inputs.Tick.Instance); // a heartbeat carries the commit index
        cluster.Deliver(m => m.To != N3);

        Assert.That(cluster[2].CommitIndex, Is.EqualTo(3));
        Assert.That(cluster.Checker.Violations.Select(v => (v.Property, v.Message)),
            Does.Contain((Property.StateMachineSafety, "n2 commits entry 2@1, where 2@2 is committed")));
    }

    /// <summary>
    /// n1 and n2 commit 1@2 and 2@2 while n3, cut off, holds three entries of term 1. Voting without the
    /// §5.4.1 log check, n2 then elects n3: a leader whose log is long enough, but not the committed one.
    /// </summary>
    [Test]
    public void Leader_completeness_is_judged_by_the_entries_not_by_the_digests_the_nodes_report()
    {
        var cluster = new CheckedCluster(3, Options(TeachingBug.VoteWithoutLogCheck), ConstantDigest);
        cluster.PresetLog(1, 1);
        cluster.PresetLog(2, 1);
        cluster.PresetLog(3, 2, Entry(1, 1, "x"), Entry(2, 1, "y"), Entry(3, 1, "z"));
        cluster.Campaign(1);
        cluster.Deliver(m => m.To != N3 && m.From != N3);
        cluster.Propose(1, "p");
        cluster.Deliver(m => m.To != N3 && m.From != N3);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2));
        Assert.That(cluster.Checker.First, Is.Null, "nothing is wrong yet");

        cluster.Campaign(3);
        cluster.Deliver(m => m is RequestVote or RequestVoteResponse && m.From != N1 && m.To != N1);

        Assert.That(cluster[3].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster.Checker.First?.Property, Is.EqualTo(Property.LeaderCompleteness));
        Assert.That(cluster.Checker.First!.Message, Is.EqualTo("n3 leads term 3 without committed entry 1@2 (its log: [1..4] ending in term 3)"));
    }

    [Test]
    public void Leader_append_only_is_judged_by_the_entries_not_by_the_digests_the_node_reports()
    {
        var checker = new SafetyChecker();
        var leader = new ScriptedNode(N1, [N1, N2, N3]) { Term = 2 };
        leader.Write(1, Entry(1, 1, "a"), Entry(2, 1, "b"));
        checker.OnStart(leader, new HardState(2, null), 0);
        leader.Role = Role.Leader;
        checker.AfterStep(leader, [], 1);

        // Still leading term 2, it replaces its last entry: the log is as long as before, and its digests say nothing changed.
        checker.AfterStep(leader, [leader.Write(2, Entry(2, 2, "c"))], 2);

        Assert.That(checker.First?.Property, Is.EqualTo(Property.LeaderAppendOnly));
        Assert.That(checker.First!.Message, Is.EqualTo("leader n1 of term 2 changed its log below index 2"));
    }

    [Test]
    public void A_commit_index_beyond_the_end_of_the_log_is_a_violation()
    {
        var cluster = new CheckedCluster(3, Options(), node => node.Id == N1 ? new LyingNode(node, commitBeyondLog: true) : node);

        cluster.Campaign(1);
        cluster.Deliver(_ => true);

        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2), "n1 claims 2 with a log of one entry");
        Assert.That(cluster.Checker.First?.Property, Is.EqualTo(Property.CommitIndexWithinLog));
        Assert.That(cluster.Checker.First!.Message, Is.EqualTo("n1 has commit index 2, beyond the end of the log it wrote, [1..1] ending in term 1"));
    }

    [Test]
    public void The_correct_core_passes_with_digests_that_say_nothing()
    {
        var cluster = new CheckedCluster(3, Options(), ConstantDigest);
        cluster.Campaign(1);
        cluster.Deliver(_ => true);
        for (var i = 0; i < 5; i++)
        {
            cluster.Propose(1, $"p{i}");
            cluster.Deliver(_ => true);
        }
        Assert.That(cluster[3].Log.LastIndex, Is.EqualTo(6));
        Assert.That(cluster.Checker.First, Is.Null);
    }

    [Test]
    public void A_write_that_leaves_a_gap_in_the_log_is_a_violation()
    {
        var checker = new SafetyChecker();
        var node = new ScriptedNode(N1, [N1]);
        checker.OnStart(node, PersistentState.Empty, 0);

        checker.AfterStep(node, [new Raft.Core.Effects.PersistEntries(3, [Entry(3, 1, "a")])], 1);

        Assert.That(checker.First?.Property, Is.EqualTo(Property.LogWellFormed));
        Assert.That(checker.First!.Message, Is.EqualTo("n1 wrote entries from 3, after a log that ends at 0: a gap"));
    }

    [Test]
    public void A_node_must_report_the_log_it_wrote()
    {
        var checker = new SafetyChecker();
        var node = new ScriptedNode(N1, [N1]) { Term = 1 };
        checker.OnStart(node, new HardState(1, null), 0);
        checker.AfterStep(node, [node.Write(1, Entry(1, 1, "a"))], 1);

        node.AppendUnwritten(Entry(2, 1, "b"));
        checker.AfterStep(node, [], 2);

        Assert.That(checker.First?.Property, Is.EqualTo(Property.LogWellFormed));
        Assert.That(checker.First!.Message, Is.EqualTo("n1 reports a log [1..2] ending in term 1, but the log it wrote is [1..1] ending in term 1"));
    }

    [Test]
    public void A_restarted_node_must_report_the_log_its_disk_holds()
    {
        var checker = new SafetyChecker();
        var node = new ScriptedNode(N1, [N1]) { Term = 1 };
        node.AppendUnwritten(Entry(1, 1, "a"));
        node.AppendUnwritten(Entry(2, 1, "b"));

        checker.OnStart(node, new PersistentState(new HardState(1, null), [Entry(1, 1, "a")]), 0);

        Assert.That(checker.First?.Property, Is.EqualTo(Property.LogWellFormed), "the disk holds one entry; the node claims two");
    }

    [Test]
    public void A_node_must_not_rewrite_entries_it_has_committed()
    {
        var checker = new SafetyChecker();
        var node = new ScriptedNode(N1, [N1]) { Term = 2, Role = Role.Leader };
        checker.OnStart(node, new HardState(2, null), 0);
        var write = node.Write(1, Entry(1, 1, "a"), Entry(2, 1, "b"));
        node.CommitIndex = 2;
        checker.AfterStep(node, [write], 1);
        node.Role = Role.Follower;
        checker.AfterStep(node, [], 2);

        checker.AfterStep(node, [node.Write(2, Entry(2, 2, "c"))], 3);

        Assert.That(checker.First?.Property, Is.EqualTo(Property.StateMachineSafety));
        Assert.That(checker.First!.Message, Is.EqualTo("n1 rewrote its log from index 2, below its commit index 2, and lost committed entries"));
    }

    /// <summary>A single-voter node commits entries 1..3 and then compacts twice, claiming <paramref name="first"/> and then <paramref name="second"/> as the prefixes' digests.</summary>
    private static SafetyChecker CompactTwice(ulong first, ulong second)
    {
        var checker = new SafetyChecker();
        var node = new ScriptedNode(N1, [N1]) { Term = 1, Role = Role.Leader };
        checker.OnStart(node, new HardState(1, null), 0);
        var write = node.Write(1, Entry(1, 1, "a"), Entry(2, 1, "b"), Entry(3, 1, "c"));
        node.CommitIndex = 3;
        checker.AfterStep(node, [write], 1);
        checker.AfterStep(node, [node.Compact(2, first)], 2);
        checker.AfterStep(node, [node.Compact(3, second)], 3);
        return checker;
    }

    [Test]
    public void Snapshot_digests_must_tell_different_prefixes_apart()
    {
        Assert.That(CompactTwice(7, 8).First, Is.Null);

        var checker = CompactTwice(7, 7);

        Assert.That(checker.First?.Property, Is.EqualTo(Property.LogWellFormed));
        Assert.That(checker.First!.Message, Is.EqualTo("n1 stored a snapshot up to 3 with digest 0000000000000007, which a snapshot up to 2 carried: the digest does not tell the two prefixes apart"));
    }

    [Test]
    public void A_snapshot_must_cover_only_committed_entries()
    {
        var checker = new SafetyChecker();
        var node = new ScriptedNode(N1, [N1]) { Term = 1 };
        checker.OnStart(node, new HardState(1, null), 0);
        checker.AfterStep(node, [node.Write(1, Entry(1, 1, "a"), Entry(2, 1, "b"))], 1);

        checker.AfterStep(node, [node.Compact(2, 7)], 2);

        Assert.That(checker.First?.Property, Is.EqualTo(Property.StateMachineSafety));
        Assert.That(checker.First!.Message, Is.EqualTo("n1 stored a snapshot up to 2@1, beyond the committed entries (up to 0)"));
    }
}
