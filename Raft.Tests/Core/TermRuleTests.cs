using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>§5.1 and Figure 2, "Rules for All Servers": terms act as a logical clock.</summary>
public sealed class TermRuleTests
{
    private const long HigherTerm = 5;

    /// <summary>Puts node 1 of a fresh 3-node cluster in <paramref name="role"/> at term 1, with nothing in flight.</summary>
    private static TestCluster ClusterWithNode1As(Role role)
    {
        var cluster = new TestCluster(3);
        switch (role)
        {
            case Role.Follower:
                cluster.Elect(2); // node 1 follows n2 in term 1
                break;
            case Role.Candidate:
                cluster.Campaign(1);
                cluster.DropAll();
                break;
            case Role.Leader:
                cluster.Elect(1);
                break;
        }
        Assert.That(cluster[1].Role, Is.EqualTo(role));
        Assert.That(cluster[1].Term, Is.EqualTo(1));
        return cluster;
    }

    private static Message FromNode2(string kind, long term) => kind switch
    {
        nameof(RequestVote) => new RequestVote(N(2), N(1), term, 77, LastLogIndex: 100, LastLogTerm: term),
        nameof(RequestVoteResponse) => new RequestVoteResponse(N(2), N(1), term, 77, InReplyTo: 1, VoteGranted: false),
        nameof(AppendEntries) => new AppendEntries(N(2), N(1), term, 77, PrevLogIndex: 0, PrevLogTerm: 0, Entries: [], LeaderCommit: 0),
        nameof(AppendEntriesResponse) => new AppendEntriesResponse(N(2), N(1), term, 77, InReplyTo: 1, Success: false, Index: 0, HintIndex: 0, HintTerm: 0),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [TestCase(Role.Follower, nameof(RequestVote))]
    [TestCase(Role.Follower, nameof(RequestVoteResponse))]
    [TestCase(Role.Follower, nameof(AppendEntries))]
    [TestCase(Role.Follower, nameof(AppendEntriesResponse))]
    [TestCase(Role.Candidate, nameof(RequestVote))]
    [TestCase(Role.Candidate, nameof(RequestVoteResponse))]
    [TestCase(Role.Candidate, nameof(AppendEntries))]
    [TestCase(Role.Candidate, nameof(AppendEntriesResponse))]
    [TestCase(Role.Leader, nameof(RequestVote))]
    [TestCase(Role.Leader, nameof(RequestVoteResponse))]
    [TestCase(Role.Leader, nameof(AppendEntries))]
    [TestCase(Role.Leader, nameof(AppendEntriesResponse))]
    public void Any_message_with_a_higher_term_makes_every_role_adopt_the_term_and_become_follower(Role role, string kind)
    {
        var cluster = ClusterWithNode1As(role);

        var output = cluster.Deliver(FromNode2(kind, HigherTerm));

        Assert.That(cluster[1].Term, Is.EqualTo(HigherTerm));
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        // The new term is persisted, with no vote yet unless this very message earned one.
        var persisted = output.OfType<PersistHardState>().First().State;
        Assert.That(persisted, Is.EqualTo(new HardState(HigherTerm, null)));
        // Only an AppendEntries proves who leads the new term.
        Assert.That(cluster[1].Leader, Is.EqualTo(kind == nameof(AppendEntries) ? N(2) : (NodeId?)null));
    }

    [Test]
    public void Leader_steps_down_when_it_sees_a_higher_term()
    {
        var cluster = ClusterWithNode1As(Role.Leader);
        cluster.Deliver(new AppendEntriesResponse(N(3), N(1), 2, 77, 1, Success: false, Index: 0, HintIndex: 0, HintTerm: 0));
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster.Propose(1, Put(1)).Proposal!.Accepted, Is.False, "a deposed leader accepts no proposals");
    }

    [Test]
    public void Leader_that_ignores_a_higher_term_stays_leader_under_the_teaching_bug()
    {
        // Teeth for the test above: the same input with LeaderIgnoresHigherTerm leaves a leader in a newer term.
        var cluster = new TestCluster(3, new RaftOptions { Bug = TeachingBug.LeaderIgnoresHigherTerm });
        cluster.Elect(1);
        cluster.Deliver(new AppendEntriesResponse(N(3), N(1), 2, 77, 1, Success: false, Index: 0, HintIndex: 0, HintTerm: 0));
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].Term, Is.EqualTo(2), "it adopts the term all the same");
    }

    [Test]
    public void A_stale_RequestVote_is_refused_with_the_current_term_in_the_reply()
    {
        var cluster = ClusterWithNode1As(Role.Follower);
        cluster.Deliver(FromNode2(nameof(AppendEntries), 3)); // node 1 is now in term 3

        var output = cluster.Deliver(new RequestVote(N(3), N(1), 2, 77, LastLogIndex: 100, LastLogTerm: 2));

        var reply = output.SentOne<RequestVoteResponse>();
        Assert.That(reply.VoteGranted, Is.False, "a candidate of an old term cannot win it any more");
        Assert.That(reply.Term, Is.EqualTo(3), "the reply carries the current term so the candidate steps down");
        Assert.That(cluster[1].VotedFor, Is.Null);
    }

    [Test]
    public void A_stale_AppendEntries_is_rejected_with_the_current_term_and_does_not_count_as_a_leader()
    {
        var cluster = ClusterWithNode1As(Role.Follower);
        cluster.Deliver(FromNode2(nameof(AppendEntries), 3));
        cluster.Tick(1, 3);
        var ticksLeft = cluster[1].TicksUntilElection;
        var logBefore = cluster[1].Log.LastIndex;

        var output = cluster.Deliver(new AppendEntries(N(3), N(1), 2, 77, 1, 1, [new(2, 2, Raft.Core.Log.EntryKind.Command, [9])], 2));

        var reply = output.SentOne<AppendEntriesResponse>();
        Assert.That(reply.Success, Is.False);
        Assert.That(reply.Term, Is.EqualTo(3));
        Assert.That(cluster[1].Log.LastIndex, Is.EqualTo(logBefore), "nothing from a stale leader is stored");
        Assert.That(cluster[1].Leader, Is.EqualTo(N(2)), "the stale sender is not taken for the leader");
        Assert.That(cluster[1].TicksUntilElection, Is.EqualTo(ticksLeft), "a stale leader does not hold off elections");
    }

    [Test]
    public void A_stale_vote_is_not_counted_by_a_candidate()
    {
        // 5 nodes: 3 votes needed. Node 1 campaigns twice (term 2); grants from term 1 must not count.
        var cluster = new TestCluster(5);
        cluster.Campaign(1);
        cluster.Campaign(1);
        cluster.DropAll();
        Assert.That(cluster[1].Term, Is.EqualTo(2));

        cluster.Deliver(new RequestVoteResponse(N(2), N(1), 1, 77, 1, VoteGranted: true));
        cluster.Deliver(new RequestVoteResponse(N(3), N(1), 1, 78, 2, VoteGranted: true));

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[1].VotesGranted, Is.EquivalentTo(new[] { N(1) }));
    }

    [Test]
    public void A_stale_AppendEntriesResponse_is_ignored_by_a_leader()
    {
        // Node 1 leads term 3; n3 is cut off and never heard of term 3, so its Match is 0.
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.Campaign(1);
        cluster.DropAll();
        cluster.Isolate(3);
        cluster.Elect(1);
        Assert.That(cluster[1].Term, Is.EqualTo(3));
        Assert.That(cluster[1].ProgressOf(N(3))!.Match, Is.Zero);

        // A success from n3's term-1 past claims it holds index 1: it says nothing about term 3's log.
        var output = cluster.Deliver(new AppendEntriesResponse(N(3), N(1), 1, 77, 1, Success: true, Index: 1, HintIndex: 0, HintTerm: 0));

        Assert.That(cluster[1].ProgressOf(N(3))!.Match, Is.Zero);
        Assert.That(output.Effects, Is.Empty);
    }
}
