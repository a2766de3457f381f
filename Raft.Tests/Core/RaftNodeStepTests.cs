using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// RaftNode.Step, before any role's logic: the rules for all servers (§5.1), which messages a node
/// looks at, and the two ways a driver takes a step's effects.
/// </summary>
public sealed class RaftNodeStepTests
{
    private static readonly RaftOptions WithCheckQuorum = new() { ElectionTicks = 10, HeartbeatTicks = 2, CheckQuorum = true };

    [Test]
    public void A_leader_has_no_election_timeout()
    {
        var cluster = new TestCluster(3);
        Assert.That(cluster[1].TicksUntilElection, Is.InRange(1, 2 * cluster.Options.ElectionTicks));

        Assert.That(cluster.Elect(1).TicksUntilElection, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public void Stepping_into_the_drivers_list_adds_the_same_effects_as_the_output_holds()
    {
        var options = new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2 };
        var members = NodeId.Range(3);
        var a = new RaftNode(N(1), members, options, new FixedSequence(0));
        var b = new RaftNode(N(1), members, options, new FixedSequence(0));

        var output = a.Step(Campaign.Instance);
        List<Effect> effects = [];
        b.Step(Campaign.Instance, effects);

        Assert.That(output.Effects, Is.Not.Empty, "a vote request to each peer, after the persisted vote");
        Assert.That(effects, Is.EqualTo(output.Effects));
    }

    [Test]
    public void A_Campaign_input_to_a_leader_changes_nothing()
    {
        var cluster = new TestCluster(3);
        var leader = cluster.Elect(1);
        var term = leader.Term;

        var output = cluster.Campaign(1);

        Assert.That(output.Effects, Is.Empty);
        Assert.That((leader.Role, leader.Term), Is.EqualTo((Role.Leader, term)));
    }

    [Test]
    public void A_message_addressed_to_another_node_is_ignored()
    {
        var cluster = new TestCluster(3);

        var output = cluster.Step(1, new Receive(new RequestVote(N(2), N(3), 5, 77, 0, 0)));

        Assert.That(output.Effects, Is.Empty);
        Assert.That((cluster[1].Term, cluster[1].VotedFor), Is.EqualTo((0L, (NodeId?)null)));
    }

    [Test]
    public void With_CheckQuorum_a_vote_request_of_the_current_term_is_answered_by_the_ordinary_rules()
    {
        // §4.2.3 has a follower that heard from its leader ignore vote requests for a later term
        // only; one of its own term gets the usual answer, here a refusal: it voted for n1.
        var cluster = new TestCluster(3, WithCheckQuorum);
        cluster.Elect(1);
        Assert.That((cluster[3].Leader, cluster[3].VotedFor), Is.EqualTo(((NodeId?)N(1), (NodeId?)N(1))));

        var output = cluster.Deliver(new RequestVote(N(2), N(3), cluster[1].Term, 77, cluster[2].Log.LastIndex, cluster[2].Log.LastTerm));

        var reply = output.SentOne<RequestVoteResponse>();
        Assert.That((reply.VoteGranted, reply.Term), Is.EqualTo((false, cluster[1].Term)));
    }

    [Test]
    public void A_stale_pre_vote_is_refused_with_the_current_term()
    {
        var cluster = new TestCluster(3, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, PreVote = true });
        cluster.PresetLog(2, 3);

        var output = cluster.Deliver(new PreVote(N(1), N(2), 1, 77, 0, 0));

        var reply = output.SentOne<PreVoteResponse>();
        Assert.That((reply.VoteGranted, reply.Term), Is.EqualTo((false, 3L)));
    }

    [Test]
    public void A_snapshot_chunk_from_a_stale_term_is_answered_with_the_current_term_and_not_installed()
    {
        var cluster = new TestCluster(3);
        cluster.PresetLog(2, 3);

        var output = cluster.Deliver(new InstallSnapshot(N(1), N(2), 1, 77, 5, 1, 12345UL, new Configuration(cluster.Members), 0, [1, 2, 3], Done: true));

        var reply = output.SentOne<InstallSnapshotResponse>();
        Assert.That((reply.Term, reply.Done, reply.NextOffset), Is.EqualTo((3L, false, 0L)));
        Assert.That(cluster[2].LatestSnapshot, Is.Null);
    }
}
