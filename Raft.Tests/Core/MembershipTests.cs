using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>Single-server membership changes and learners (thesis §4).</summary>
public sealed class MembershipTests
{
    private static Output Change(TestCluster cluster, int leader, MembershipChangeKind kind, int node) =>
        cluster.Step(leader, new ChangeMembership(kind, N(node)));

    /// <summary>Elects n1 and commits its no-op, so that it may change the membership.</summary>
    private static TestCluster ClusterWithLeader(int size, int spares = 0, RaftOptions? options = null)
    {
        var cluster = new TestCluster(size, options, spares);
        cluster.Elect(1);
        cluster.TickAll(2); // a heartbeat round tells the followers the no-op is committed
        return cluster;
    }

    private static void CommitPuts(TestCluster cluster, int leader, int from, int count)
    {
        for (var i = from; i < from + count; i++) cluster.Propose(leader, Put(i));
        cluster.DeliverAll();
        cluster.TickAll(2);
    }

    [Test]
    public void A_spare_server_waits_for_a_leader_and_never_campaigns()
    {
        var cluster = new TestCluster(3, spares: 1);

        cluster.Tick(4, 100);

        Assert.That(cluster[4].Configuration, Is.EqualTo(Configuration.Empty));
        Assert.That(cluster[4].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[4].Term, Is.Zero);
        Assert.That(cluster.InFlight, Is.Empty, "it asked nobody for a vote");
    }

    [Test]
    public void An_added_server_joins_as_a_learner_and_is_promoted_once_it_has_caught_up()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        CommitPuts(cluster, 1, 1, 20);

        var outcome = Change(cluster, 1, MembershipChangeKind.AddVoter, 4).Proposal!;

        Assert.That(outcome.Accepted, Is.True);
        Assert.That(cluster[1].Log.EntryAt(outcome.Index).Kind, Is.EqualTo(EntryKind.Configuration));
        Assert.That(cluster[1].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3 learners=n4(joining)"), "in force as soon as appended (§4.1)");
        Assert.That(cluster[1].PendingPromotions, Is.EqualTo(new[] { N(4) }));

        cluster.DeliverAll();
        cluster.TickAll(4);

        foreach (var id in cluster.LiveIds())
            Assert.That(cluster[id].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"), $"n{id}");
        Assert.That(cluster[1].PendingPromotions, Is.Empty);
        Assert.That(cluster[4].Log.DigestAt(cluster[4].CommitIndex), Is.EqualTo(cluster[1].Log.DigestAt(cluster[4].CommitIndex)));
        Assert.That(cluster[4].CommitIndex, Is.EqualTo(cluster[1].CommitIndex));
        Assert.That(cluster.StateMachine(4).Values["k20"], Is.EqualTo("v20"), "the new server applied the log it was sent");
    }

    [Test]
    public void A_learner_is_promoted_only_after_its_match_reaches_the_commit_index()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        CommitPuts(cluster, 1, 1, 5);
        Change(cluster, 1, MembershipChangeKind.AddVoter, 4);

        // Deliver everything except what reaches n4: the learner entry commits on n1..n3, n4 stays empty.
        cluster.DeliverAllExcept(m => m.To == N(4));
        cluster.TickAll(2, deliver: false);
        cluster.DeliverAllExcept(m => m.To == N(4));

        Assert.That(cluster[1].Configuration.IsLearner(N(4)), Is.True, "not promoted while it has nothing");
        Assert.That(cluster[1].ProgressOf(N(4))!.Match, Is.Zero);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(cluster[1].Log.LastIndex), "a learner does not hold up commitment");
    }

    [Test]
    public void An_added_server_is_promoted_by_the_next_leader_when_the_one_that_accepted_it_is_gone()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        CommitPuts(cluster, 1, 1, 5);
        var outcome = Change(cluster, 1, MembershipChangeKind.AddVoter, 4).Proposal!;
        Assert.That(outcome.Accepted, Is.True);
        Assert.That(Configuration.TryDecode(cluster[1].Log.EntryAt(outcome.Index).Command, out var added), Is.True,
            "the answer names the entry that adds n4, not index 0");
        Assert.That(added.Joining, Is.EqualTo(new[] { N(4) }), "and that entry says n4 is to become a voter");
        cluster.DeliverAllExcept(m => m.To == N(4)); // the entry commits; n4 hears nothing, so n1 cannot promote it yet
        cluster.TickAll(2, deliver: false);
        cluster.DeliverAllExcept(m => m.To == N(4));
        Assert.That(cluster[1].Configuration.IsLearner(N(4)), Is.True);

        cluster.Crash(1);
        cluster.Elect(2);
        cluster.TickAll(6);

        Assert.That(cluster[2].Role, Is.EqualTo(Role.Leader));
        foreach (var id in cluster.LiveIds())
            Assert.That(cluster[id].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"), $"n{id}");
    }

    [Test]
    public void Asking_again_to_add_a_server_that_is_still_catching_up_is_refused_as_it_is_already_joining()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        Change(cluster, 1, MembershipChangeKind.AddVoter, 4);
        cluster.DeliverAllExcept(m => m.To == N(4)); // committed, but n4 has nothing yet
        cluster.TickAll(2, deliver: false);
        cluster.DeliverAllExcept(m => m.To == N(4));

        var again = Change(cluster, 1, MembershipChangeKind.AddVoter, 4);

        Assert.That(again.Proposal!.Refusal, Is.EqualTo(ProposeRefusal.MembershipChangeInvalid));
        Assert.That(again.OfType<PersistEntries>(), Is.Empty, "nothing new is appended");
        Assert.That(cluster[1].Configuration.IsJoining(N(4)), Is.True, "the first request still stands");
    }

    [Test]
    public void Asking_again_after_the_joining_entry_was_compacted_into_a_snapshot_is_refused_without_harm()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        Change(cluster, 1, MembershipChangeKind.AddVoter, 4);
        cluster.DeliverAllExcept(m => m.To == N(4));
        CommitPutsExceptTo(cluster, 4, 10);
        cluster.Compact(1); // the configuration entry that made n4 join is now in the snapshot

        var again = Change(cluster, 1, MembershipChangeKind.AddVoter, 4);

        Assert.That(again.Proposal!.Refusal, Is.EqualTo(ProposeRefusal.MembershipChangeInvalid));
        cluster.DeliverAll();
        cluster.TickAll(6);
        Assert.That(cluster[1].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"), "promoted once the snapshot brought it up to date");
    }

    private static void CommitPutsExceptTo(TestCluster cluster, int excluded, int count)
    {
        for (var i = 1; i <= count; i++) cluster.Propose(1, Put(i));
        cluster.DeliverAllExcept(m => m.To == N(excluded));
        cluster.TickAll(2, deliver: false);
        cluster.DeliverAllExcept(m => m.To == N(excluded));
    }

    [Test]
    public void Adding_a_learner_as_a_voter_while_another_change_is_uncommitted_is_refused()
    {
        var cluster = ClusterWithLeader(3, spares: 2);
        Change(cluster, 1, MembershipChangeKind.AddLearner, 4);
        cluster.DeliverAll();
        cluster.TickAll(2);
        Change(cluster, 1, MembershipChangeKind.AddLearner, 5); // not yet committed

        var outcome = Change(cluster, 1, MembershipChangeKind.AddVoter, 4).Proposal!;

        Assert.That(outcome.Refusal, Is.EqualTo(ProposeRefusal.MembershipChangeInProgress), "one change at a time; retry once it commits");
        Assert.That(cluster[1].Configuration.IsJoining(N(4)), Is.False);
    }

    [Test]
    public void A_learner_added_as_such_stays_a_learner_and_never_counts()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        Change(cluster, 1, MembershipChangeKind.AddLearner, 4);
        cluster.DeliverAll();
        cluster.TickAll(4);
        Assert.That(cluster[1].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3 learners=n4"));

        cluster.Crash(2);
        cluster.Crash(3);
        var put = cluster.Propose(1, Put(1)).Proposal!;
        cluster.DeliverAll();

        Assert.That(cluster[4].Log.LastIndex, Is.EqualTo(put.Index), "the learner received the entry");
        Assert.That(cluster[1].CommitIndex, Is.LessThan(put.Index), "n1 and a learner are not a majority of three voters");
    }

    [Test]
    public void A_learner_never_starts_an_election_and_cannot_be_handed_leadership()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        Change(cluster, 1, MembershipChangeKind.AddLearner, 4);
        cluster.DeliverAll();
        cluster.Crash(1);

        cluster.Tick(4, 100);
        cluster.DropAll();
        Assert.That(cluster[4].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[4].Term, Is.EqualTo(1));

        cluster.Step(4, new Receive(new TimeoutNow(N(1), N(4), 1, 1)));
        Assert.That(cluster[4].Role, Is.EqualTo(Role.Follower), "TimeoutNow makes only voters campaign");
    }

    [Test]
    public void A_leader_does_not_transfer_leadership_to_a_learner()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        Change(cluster, 1, MembershipChangeKind.AddLearner, 4);
        cluster.DeliverAll();

        cluster.Step(1, new TransferLeadership(N(4)));

        Assert.That(cluster[1].TransferTarget, Is.Null);
        Assert.That(cluster.Propose(1, Put(1)).Proposal!.Accepted, Is.True);
    }

    [Test]
    public void Only_one_membership_change_may_be_uncommitted()
    {
        var cluster = ClusterWithLeader(3, spares: 2);
        Assert.That(Change(cluster, 1, MembershipChangeKind.AddLearner, 4).Proposal!.Accepted, Is.True);

        var second = Change(cluster, 1, MembershipChangeKind.AddLearner, 5).Proposal!;

        Assert.That(second.Refusal, Is.EqualTo(ProposeRefusal.MembershipChangeInProgress));
        cluster.DeliverAll();
        Assert.That(Change(cluster, 1, MembershipChangeKind.AddLearner, 5).Proposal!.Accepted, Is.True, "accepted once the first committed");
    }

    [Test]
    public void With_the_overlapping_changes_bug_a_second_change_starts_before_the_first_commits()
    {
        var cluster = ClusterWithLeader(3, spares: 2, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, Bug = TeachingBug.OverlappingMembershipChanges });
        Change(cluster, 1, MembershipChangeKind.AddLearner, 4);

        Assert.That(Change(cluster, 1, MembershipChangeKind.AddLearner, 5).Proposal!.Accepted, Is.True);
    }

    [Test]
    public void A_new_leader_changes_the_membership_only_after_committing_an_entry_of_its_term()
    {
        var cluster = new TestCluster(3, spares: 1);
        cluster.Campaign(1);
        cluster.DeliverAllExcept(m => m is AppendEntries); // elected, its no-op not replicated

        var refused = Change(cluster, 1, MembershipChangeKind.AddLearner, 4).Proposal!;

        Assert.That(refused.Refusal, Is.EqualTo(ProposeRefusal.LeaderNotReady));
    }

    [TestCase(MembershipChangeKind.AddVoter, 2, TestName = "adding a voter that is one already")]
    [TestCase(MembershipChangeKind.AddLearner, 2, TestName = "adding a voter as a learner")]
    [TestCase(MembershipChangeKind.Remove, 9, TestName = "removing a non-member")]
    public void Changes_that_make_no_sense_are_refused(MembershipChangeKind kind, int node)
    {
        var cluster = ClusterWithLeader(3);

        Assert.That(Change(cluster, 1, kind, node).Proposal!.Refusal, Is.EqualTo(ProposeRefusal.MembershipChangeInvalid));
    }

    [Test]
    public void The_last_voter_cannot_be_removed()
    {
        var cluster = ClusterWithLeader(1);

        Assert.That(Change(cluster, 1, MembershipChangeKind.Remove, 1).Proposal!.Refusal, Is.EqualTo(ProposeRefusal.MembershipChangeInvalid));
    }

    [Test]
    public void A_follower_refuses_membership_changes_and_names_the_leader()
    {
        var cluster = ClusterWithLeader(3, spares: 1);

        var outcome = Change(cluster, 2, MembershipChangeKind.AddVoter, 4).Proposal!;

        Assert.That(outcome.Refusal, Is.EqualTo(ProposeRefusal.NotLeader));
        Assert.That(outcome.LeaderHint, Is.EqualTo(N(1)));
    }

    [Test]
    public void A_follower_uses_a_configuration_once_appended_and_drops_it_when_truncated()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        cluster.Isolate(3);
        Change(cluster, 1, MembershipChangeKind.AddLearner, 4);
        var toN2 = cluster.Take(m => m.To == N(2) && m is AppendEntries { Entries.Count: > 0 });
        cluster.DropAll();
        foreach (var message in toN2) cluster.Deliver(message);
        Assert.That(cluster[2].Configuration.IsLearner(N(4)), Is.True, "uncommitted, but in force on n2 (§4.1)");
        Assert.That(cluster[3].Configuration.IsMember(N(4)), Is.False);

        // n1 crashes before the change commits; n2, whose log holds it, is the only one that can win.
        cluster.Crash(1);
        cluster.HealAll();
        cluster.DropAll();
        cluster.Step(3, Campaign.Instance);
        cluster.DeliverAll();
        Assert.That(cluster[3].Role, Is.Not.EqualTo(Role.Leader), "n2's log is more up to date: it refuses n3");
        cluster.Step(2, Campaign.Instance);
        cluster.DeliverAll();
        Assert.That(cluster[2].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[3].Configuration.IsLearner(N(4)), Is.True, "the new leader replicated the change");
    }

    [Test]
    public void A_follower_falls_back_to_the_previous_configuration_when_its_entry_is_overwritten()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        cluster.Isolate(1);
        Change(cluster, 1, MembershipChangeKind.AddLearner, 4); // stays on n1 only
        cluster.DropAll();
        Assert.That(cluster[1].Configuration.IsLearner(N(4)), Is.True);

        // n2 leads a later term and writes its no-op over n1's index 2.
        cluster.Step(2, Campaign.Instance);
        cluster.DeliverAll();
        cluster.HealAll();
        cluster.TickAll(4);

        Assert.That(cluster[2].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].Log.EntryAt(2).Kind, Is.EqualTo(EntryKind.NoOp), "n1's configuration entry was truncated");
        Assert.That(cluster[1].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3"), "and n1 uses the configuration before it again");
        Assert.That(cluster[1].ConfigurationIndex, Is.Zero);
    }

    [Test]
    public void A_leader_that_removes_itself_keeps_leading_without_counting_itself_and_steps_down_once_it_commits()
    {
        var cluster = ClusterWithLeader(3);
        cluster.Cut(1, 3);

        var removal = Change(cluster, 1, MembershipChangeKind.Remove, 1).Proposal!;
        cluster.DeliverAll();

        Assert.That(cluster[2].Log.LastIndex, Is.EqualTo(removal.Index), "n2 holds the change");
        Assert.That(cluster[1].CommitIndex, Is.LessThan(removal.Index), "n1 and n2 would be a majority of {n1,n2,n3}, but n1 no longer counts: {n2,n3} must both hold it");
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader), "it manages the cluster until the change commits (§4.2.2)");

        cluster.HealAll();
        cluster.TickAll(2);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower), "it stepped down once n2 and n3 held the change");
        Assert.That(cluster[1].CommitIndex, Is.GreaterThanOrEqualTo(removal.Index));
        cluster.TickAll(60);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower), "not a voter: it never campaigns");
        var leaders = cluster.LiveIds().Where(id => cluster[id].Role == Role.Leader).ToList();
        Assert.That(leaders, Has.Count.EqualTo(1).And.All.Not.EqualTo(1), "n2 or n3 took over");
        Assert.That(cluster[leaders[0]].Configuration.ToString(), Is.EqualTo("voters=n2,n3"));
    }

    [Test]
    public void A_leader_stops_replicating_to_a_removed_server_and_ignores_its_messages()
    {
        var cluster = ClusterWithLeader(3);
        Change(cluster, 1, MembershipChangeKind.Remove, 3);
        cluster.DeliverAll();
        cluster.DropAll();

        cluster.Tick(1, 2); // a heartbeat
        Assert.That(cluster.InFlight.Select(m => m.To), Is.EqualTo(new[] { N(2) }));
        Assert.That(cluster[1].ProgressOf(N(3)), Is.Null);

        var late = new AppendEntriesResponse(N(3), N(1), cluster[1].Term, 99, 1, Success: true, Index: 1, HintIndex: 0, HintTerm: 0);
        Assert.That(() => cluster.Deliver(late), Throws.Nothing);
    }

    [TestCase(false, false, true, TestName = "without PreVote or CheckQuorum a removed server deposes the leader")]
    [TestCase(true, false, false, TestName = "with PreVote a removed server cannot depose the leader")]
    [TestCase(false, true, false, TestName = "with CheckQuorum a removed server cannot depose the leader")]
    public void A_removed_server_that_missed_its_removal(bool preVote, bool checkQuorum, bool disrupts)
    {
        var cluster = ClusterWithLeader(3, options: new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, PreVote = preVote, CheckQuorum = checkQuorum });
        cluster.Isolate(3);
        Change(cluster, 1, MembershipChangeKind.Remove, 3);
        cluster.DeliverAll(); // {n1,n2} commit n3's removal; n3 never hears of it
        cluster.TickAll(2);
        var term = cluster[1].Term;

        // n3 times out (it still thinks it is a voter) and its requests now reach n1 and n2.
        cluster.HealAll();
        for (var i = 0; i < 40; i++)
        {
            cluster.Tick(3);
            cluster.Tick(1);
            cluster.Tick(2);
            cluster.DeliverAll();
        }

        var deposed = cluster[1].Term > term || cluster[1].Role != Role.Leader;
        Assert.That(deposed, Is.EqualTo(disrupts));
    }

    [Test]
    public void A_snapshot_keeps_the_configuration_its_entries_held()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        Change(cluster, 1, MembershipChangeKind.AddVoter, 4);
        cluster.DeliverAll();
        cluster.TickAll(4);
        CommitPuts(cluster, 1, 1, 3);
        Assert.That(cluster[2].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"));

        cluster.Compact(2); // the configuration entries are now inside the snapshot
        cluster.Crash(2);
        var restarted = cluster.Restart(2);

        Assert.That(restarted.Log.SnapshotIndex, Is.GreaterThan(restarted.ConfigurationIndex - 1));
        Assert.That(restarted.Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"));
        Assert.That(restarted.LatestSnapshot!.Metadata.Configuration, Is.EqualTo(restarted.Configuration));
    }

    [Test]
    public void With_the_snapshot_forgets_configuration_bug_a_restart_falls_back_to_the_start_up_membership()
    {
        var cluster = ClusterWithLeader(3, spares: 1, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, Bug = TeachingBug.SnapshotForgetsConfiguration });
        Change(cluster, 1, MembershipChangeKind.AddVoter, 4);
        cluster.DeliverAll();
        cluster.TickAll(4);
        CommitPuts(cluster, 1, 1, 3);

        cluster.Compact(2);
        cluster.Crash(2);

        Assert.That(cluster.Restart(2).Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3"));
    }

    [Test]
    public void A_server_added_after_compaction_gets_the_configuration_with_the_snapshot()
    {
        var cluster = ClusterWithLeader(3, spares: 1);
        CommitPuts(cluster, 1, 1, 10);
        cluster.Compact(1);

        Change(cluster, 1, MembershipChangeKind.AddVoter, 4);
        cluster.DeliverAll();
        cluster.TickAll(4);

        Assert.That(cluster[4].Log.SnapshotIndex, Is.GreaterThan(0), "it was sent the snapshot");
        Assert.That(cluster[4].LatestSnapshot!.Metadata.Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3"), "the membership at the snapshot's index");
        Assert.That(cluster[4].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"), "then the entries after it added and promoted n4");
        Assert.That(cluster.StateMachine(4).Values["k10"], Is.EqualTo("v10"));
    }

    [Test]
    public void A_removed_voter_no_longer_confirms_reads()
    {
        var cluster = ClusterWithLeader(3);
        Change(cluster, 1, MembershipChangeKind.Remove, 3);
        cluster.DeliverAll();
        cluster.TickAll(2);
        cluster.Crash(2);

        var read = cluster.Step(1, new ReadIndex(7));
        cluster.DeliverAll();

        Assert.That(read.OfType<Raft.Core.Effects.ReadReady>(), Is.Empty);
        Assert.That(cluster[1].PendingReadCount, Is.EqualTo(1), "n1 alone is not a majority of {n1,n2}, and n3 is gone");
    }

    [Test]
    public void A_server_whose_own_removal_is_uncommitted_may_campaign_to_finish_it()
    {
        // Voters {n1, n2}. n1 leads and appends "remove n1"; only n1 has it when n1 restarts.
        var cluster = ClusterWithLeader(2);
        cluster.Cut(1, 2);
        var removal = Change(cluster, 1, MembershipChangeKind.Remove, 1).Proposal!;
        cluster.DropAll();
        cluster.Crash(1);
        cluster.Restart(1);
        cluster.HealAll();
        Assert.That(cluster[1].Configuration.ToString(), Is.EqualTo("voters=n2"), "its latest configuration leaves it out");

        // n2 cannot win (n1's log is longer); n1 may campaign, counting votes in {n2}: n2's vote elects it.
        cluster.TickAll(40);

        Assert.That(cluster[2].CommitIndex, Is.GreaterThanOrEqualTo(removal.Index), "the removal committed");
        Assert.That(cluster[2].Role, Is.EqualTo(Role.Leader), "and n2, now the only voter, leads");
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[2].Configuration.ToString(), Is.EqualTo("voters=n2"));
    }

    [Test]
    public void A_leader_cannot_add_itself_even_when_overlapping_changes_let_it_try()
    {
        // Under the teaching bug a leader can remove itself and ask to come back before the
        // removal commits; it used to try to promote itself and crash on its own missing progress.
        var cluster = ClusterWithLeader(3, options: new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, Bug = TeachingBug.OverlappingMembershipChanges });
        Change(cluster, 1, MembershipChangeKind.Remove, 1);

        Assert.That(Change(cluster, 1, MembershipChangeKind.AddVoter, 1).Proposal!.Refusal, Is.EqualTo(ProposeRefusal.MembershipChangeInvalid));
        Assert.That(Change(cluster, 1, MembershipChangeKind.AddLearner, 1).Proposal!.Refusal, Is.EqualTo(ProposeRefusal.MembershipChangeInvalid));
        Assert.That(() => cluster.TickAll(10), Throws.Nothing);
    }
}
