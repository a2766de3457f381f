using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// What a node keeps, drops and stops doing when its role changes. These rules survived a mutation
/// run of the core (docs/mutation-score.md): no unit test looked at them.
/// </summary>
public sealed class RoleChangeTests
{
    [Test]
    public void A_leader_that_steps_down_for_lack_of_a_quorum_sends_no_heartbeat_in_that_tick()
    {
        // Heartbeats every tick, so that the tick that deposes the leader is also a heartbeat tick.
        var options = new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 1, CheckQuorum = true };
        var cluster = new TestCluster(3, options);
        cluster.Elect(1);
        cluster.Isolate(1);

        Output lastTick = Output.None;
        for (var i = 0; i < 3 * options.ElectionTicks && cluster[1].Role == Role.Leader; i++) lastTick = cluster.Tick(1);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower), "§6.2: no majority heard from in an election timeout");
        Assert.That(lastTick.Sent<AppendEntries>(), Is.Empty, "a follower sends no AppendEntries");
    }

    [Test]
    public void A_leader_that_commits_its_own_removal_stops_replicating_in_the_same_step()
    {
        // One AppendEntries in flight per follower, so that a later entry waits for an acknowledgement.
        var cluster = new TestCluster(3, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, MaxInflightAppends = 1 });
        cluster.Elect(1);
        cluster.Step(1, new ChangeMembership(MembershipChangeKind.Remove, N(1))); // index 2: voters {n2, n3}
        cluster.Propose(1, Put(1)); // index 3, held back: index 2 is in flight to both
        cluster.DeliverNext(); // index 2 to n2
        var n2Acknowledges2 = cluster.Take(m => m is AppendEntriesResponse { From.Value: 2 }).Single();
        cluster.DeliverAll(); // n3 acknowledges 2, then gets and acknowledges 3: one voter of two, nothing commits
        Assert.That((cluster[1].Role, cluster[1].CommitIndex), Is.EqualTo((Role.Leader, 1L)), "the premise");

        var output = cluster.Deliver(n2Acknowledges2); // commits the removal: n1 steps down (thesis §4.2.2)

        Assert.That((cluster[1].Role, cluster[1].CommitIndex), Is.EqualTo((Role.Follower, 2L)));
        Assert.That(output.Sent<AppendEntries>(), Is.Empty, "index 3, which n2 still lacks, is not sent by a follower");
    }

    [Test]
    public void A_deposed_leader_waits_a_whole_new_election_timeout_before_campaigning()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Tick(1, cluster.Options.ElectionTicks - 3); // the leader's timer counts its CheckQuorum period
        cluster.DropAll();

        cluster.Deliver(new RequestVote(N(2), N(1), 2, 77, 0, 0)); // a higher term, from a log behind n1's: refused

        Assert.That((cluster[1].Role, cluster[1].Term, cluster[1].VotedFor), Is.EqualTo((Role.Follower, 2L, (NodeId?)null)));
        Assert.That(cluster[1].TicksUntilElection, Is.GreaterThanOrEqualTo(cluster.Options.ElectionTicks),
            "§5.2: a fresh timeout from [ElectionTicks, 2 * ElectionTicks), not what was left of the leader's period");
    }

    [Test]
    public void A_follower_that_learns_of_a_higher_term_keeps_its_election_timer_running()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Tick(2, 4);
        var ticksLeft = cluster[2].TicksUntilElection;

        cluster.Deliver(new RequestVote(N(3), N(2), 5, 88, 0, 0)); // n3's log is behind n2's: refused

        Assert.That((cluster[2].Term, cluster[2].VotedFor), Is.EqualTo((5L, (NodeId?)null)));
        Assert.That(cluster[2].TicksUntilElection, Is.EqualTo(ticksLeft),
            "Figure 2: only a current leader's AppendEntries or a granted vote defers an election");
    }

    [Test]
    public void A_candidate_that_follows_the_leader_of_its_term_keeps_its_vote()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1); // term 1, n1 votes for itself
        cluster.DropAll();
        cluster.Deliver(new AppendEntries(N(2), N(1), 1, 50, 0, 0, [], 0)); // n2 won term 1
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower), "the premise");

        var answer = cluster.Deliver(new RequestVote(N(3), N(1), 1, 51, 0, 0)).SentOne<RequestVoteResponse>();

        Assert.That(cluster[1].VotedFor, Is.EqualTo(N(1)), "votedFor is kept for the whole term (Figure 2)");
        Assert.That(answer.VoteGranted, Is.False, "§5.2: at most one vote per term, although n3's log is as up to date");
    }

    [Test]
    public void A_leader_answers_a_vote_request_from_a_server_outside_its_configuration_with_a_refusal()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);

        var output = cluster.Deliver(new RequestVote(N(9), N(1), 1, 60, 5, 1));

        var answer = output.SentOne<RequestVoteResponse>();
        Assert.That((answer.To, answer.Term, answer.VoteGranted), Is.EqualTo((N(9), 1L, false)));
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
    }
}
