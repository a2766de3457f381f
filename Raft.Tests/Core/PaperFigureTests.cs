using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>The paper's Figure 7 (a leader repairs any follower log) and Figure 8 (§5.4.2: no commit of old terms by counting).</summary>
public sealed class PaperFigureTests
{
    private static readonly long[] Figure7Leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];

    [TestCase("a", new long[] { 1, 1, 1, 4, 4, 5, 5, 6, 6 })]
    [TestCase("b", new long[] { 1, 1, 1, 4 })]
    [TestCase("c", new long[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6 })]
    [TestCase("d", new long[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7 })]
    [TestCase("e", new long[] { 1, 1, 1, 4, 4, 4, 4 })]
    [TestCase("f", new long[] { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3 })]
    public void Figure7_the_term_8_leader_makes_every_follower_log_equal_to_its_own(string follower, long[] followerTerms)
    {
        // n1 is the leader of Figure 7; n3 holds a copy of its log and votes for it (the follower
        // of (c) and (d) would refuse: its log is more up to date). All are in term 7.
        var cluster = new TestCluster(3);
        cluster.PresetLog(1, 7, Figure7Leader);
        cluster.PresetLog(2, 7, followerTerms);
        cluster.PresetLog(3, 7, Figure7Leader);
        var leaderDigests = Enumerable.Range(0, Figure7Leader.Length + 1).Select(i => cluster[1].Log.DigestAt(i)).ToArray();

        cluster.Elect(1);

        var leader = cluster[1];
        Assert.That(leader.Role, Is.EqualTo(Role.Leader));
        Assert.That(leader.Term, Is.EqualTo(8));
        Assert.That(cluster.Terms(1), Is.EqualTo(Figure7Leader.Append(8)), "the leader only appended its no-op");
        Assert.That(Enumerable.Range(0, leaderDigests.Length).Select(i => leader.Log.DigestAt(i)), Is.EqualTo(leaderDigests),
            "nothing the leader held was removed or changed (Leader Append-Only)");
        Assert.That(cluster.Terms(2), Is.EqualTo(cluster.Terms(1)), $"follower ({follower})");
        Assert.That(cluster[2].Log.DigestAt(cluster[2].Log.LastIndex), Is.EqualTo(leader.Log.DigestAt(leader.Log.LastIndex)),
            "equal digests: equal entries, not just equal terms");
    }

    /// <summary>
    /// Figure 8 (c): S1 leads term 4 with log [1, 2]; S2 holds [1, 2]; S3 and S4 hold [1]; S5,
    /// which led term 3 and holds [1, 3], is down. S1's no-op (index 3, term 4) stays on S1 alone,
    /// while S3 and S4 receive the term-2 entry: it sits on a majority (S1, S3, S4).
    /// </summary>
    private static TestCluster Figure8c(TeachingBug bug = TeachingBug.None)
    {
        // One entry per AppendEntries, so that index 2 can travel without index 3.
        var cluster = new TestCluster(5, new RaftOptions { MaxEntriesPerAppend = 1, Bug = bug });
        cluster.PresetLog(1, 3, 1, 2);
        cluster.PresetLog(2, 3, 1, 2);
        cluster.PresetLog(3, 3, 1);
        cluster.PresetLog(4, 3, 1);
        cluster.PresetLog(5, 3, 1, 3);
        cluster.Crash(5);

        cluster.Campaign(1);
        cluster.DeliverAllExcept(m => m is AppendEntries a && a.Entries.Any(e => e.Term == 4) && WouldAccept(cluster[a.To.Value].Log, a));

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].Term, Is.EqualTo(4));
        Assert.That(cluster.Terms(1), Is.EqualTo(new long[] { 1, 2, 4 }));
        Assert.That(cluster[1].ProgressOf(N(3))!.Match, Is.EqualTo(2));
        Assert.That(cluster[1].ProgressOf(N(4))!.Match, Is.EqualTo(2));
        return cluster;
    }

    private static bool WouldAccept(IReadOnlyRaftLog log, AppendEntries append) =>
        append.PrevLogIndex <= log.LastIndex && log.TermAt(append.PrevLogIndex) == append.PrevLogTerm;

    [Test]
    public void Figure8_a_leader_does_not_commit_an_old_term_entry_by_counting_replicas()
    {
        var cluster = Figure8c();

        Assert.That(cluster[1].CommitIndex, Is.Zero, "index 2 (term 2) is on a majority but not of term 4");
        Assert.That(cluster.Applied(1), Is.Empty);
    }

    [Test]
    public void Figure8_the_old_term_entry_commits_once_a_current_term_entry_is_on_a_majority()
    {
        var cluster = Figure8c();

        cluster.Tick(1, cluster.Options.HeartbeatTicks); // retransmits the no-op
        cluster.DeliverAll();

        Assert.That(cluster[1].ProgressOf(N(3))!.Match, Is.EqualTo(3));
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(3), "index 3 (term 4) commits, and index 2 with it");
        Assert.That(cluster.Applied(1).Select(e => e.Term), Is.EqualTo(new long[] { 1, 2, 4 }));
    }

    [Test]
    public void Figure8_the_counting_bug_commits_the_old_term_entry()
    {
        // Teeth for the two tests above: this commit is the one S5 could later overwrite (Figure 8 (d)).
        var cluster = Figure8c(TeachingBug.CommitOldTermByCounting);

        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2));
    }

    [Test]
    public void Figure8_d_an_old_term_entry_on_a_majority_can_still_be_overwritten()
    {
        // Why the rule matters: S1 crashes; S5 (last term 3) wins term 5 with S2, S3, S4 (last term 2)
        // and replaces index 2 everywhere. Had S1 counted index 2 as committed, that would break
        // State Machine Safety.
        var cluster = Figure8c();
        cluster.Crash(1);
        cluster.Restart(5);

        cluster.Elect(5); // term 4: S2..S4 already voted for S1 in term 4
        Assert.That(cluster[5].Role, Is.Not.EqualTo(Role.Leader));
        cluster.Elect(5); // term 5

        Assert.That(cluster[5].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[5].Term, Is.EqualTo(5));
        foreach (var id in new[] { 2, 3, 4 })
            Assert.That(cluster[id].Log.TermAt(2), Is.EqualTo(3), $"S{id}'s term-2 entry was replaced");
    }

    [Test]
    public void Figure8_e_once_a_current_term_entry_is_committed_the_old_leader_of_term_3_cannot_win()
    {
        var cluster = Figure8c();
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        cluster.DeliverAll();
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(3));
        cluster.Crash(1);
        cluster.Restart(5);

        cluster.Elect(5);
        cluster.Elect(5);
        cluster.Elect(5);

        Assert.That(cluster[5].Role, Is.Not.EqualTo(Role.Leader), "S2, S3 and S4 now end in term 4, newer than S5's last term 3: all refuse");
        Assert.That(cluster[3].Log.TermAt(2), Is.EqualTo(2));
    }
}
