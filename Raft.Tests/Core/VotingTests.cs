using Raft.Core;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>RequestVote receiver (Figure 2, §5.2, §5.4.1): one vote per term, only for an up-to-date log.</summary>
public sealed class VotingTests
{
    private static RequestVoteResponse Ask(TestCluster cluster, int candidate, int voter, long term, long lastIndex, long lastTerm) =>
        cluster.Deliver(new RequestVote(N(candidate), N(voter), term, 77, lastIndex, lastTerm)).SentOne<RequestVoteResponse>();

    [Test]
    public void A_node_grants_at_most_one_vote_per_term()
    {
        var cluster = new TestCluster(3);

        Assert.That(Ask(cluster, 1, 3, term: 1, 0, 0).VoteGranted, Is.True);
        Assert.That(Ask(cluster, 2, 3, term: 1, 0, 0).VoteGranted, Is.False, "n3 already voted for n1 in term 1");
        Assert.That(cluster[3].VotedFor, Is.EqualTo(N(1)));

        Assert.That(Ask(cluster, 2, 3, term: 2, 0, 0).VoteGranted, Is.True, "a new term brings a new vote");
    }

    [Test]
    public void A_node_grants_its_vote_again_to_the_same_candidate_in_the_same_term()
    {
        // The candidate may not have received the first answer; refusing would stall the election.
        var cluster = new TestCluster(3);
        Assert.That(Ask(cluster, 1, 3, term: 1, 0, 0).VoteGranted, Is.True);
        Assert.That(Ask(cluster, 1, 3, term: 1, 0, 0).VoteGranted, Is.True);
    }

    [Test]
    public void A_candidate_refuses_to_vote_for_another_candidate_of_its_term()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.DropAll();
        Assert.That(Ask(cluster, 2, 1, term: 1, 0, 0).VoteGranted, Is.False, "it voted for itself");
    }

    [Test]
    public void A_leader_refuses_to_vote_for_another_candidate_of_its_term()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        Assert.That(Ask(cluster, 2, 1, term: 1, lastIndex: 9, lastTerm: 1).VoteGranted, Is.False);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
    }

    // Voter n3 holds terms [1, 1, 2]: last index 3, last term 2.
    private static TestCluster VoterWithLog112()
    {
        var cluster = new TestCluster(3);
        cluster.PresetLog(3, 2, 1, 1, 2);
        return cluster;
    }

    [Test]
    public void A_vote_goes_to_a_longer_log_with_the_same_last_term()
    {
        var cluster = VoterWithLog112();
        Assert.That(Ask(cluster, 1, 3, term: 3, lastIndex: 4, lastTerm: 2).VoteGranted, Is.True);
    }

    [Test]
    public void A_vote_goes_to_an_equally_long_log_with_the_same_last_term()
    {
        var cluster = VoterWithLog112();
        Assert.That(Ask(cluster, 1, 3, term: 3, lastIndex: 3, lastTerm: 2).VoteGranted, Is.True, "'at least as up to date'");
    }

    [Test]
    public void A_vote_goes_to_a_higher_last_term_even_with_a_shorter_log()
    {
        var cluster = VoterWithLog112();
        Assert.That(Ask(cluster, 1, 3, term: 4, lastIndex: 1, lastTerm: 3).VoteGranted, Is.True);
    }

    [Test]
    public void A_vote_is_refused_to_a_shorter_log_with_the_same_last_term()
    {
        var cluster = VoterWithLog112();
        Assert.That(Ask(cluster, 1, 3, term: 3, lastIndex: 2, lastTerm: 2).VoteGranted, Is.False);
        Assert.That(cluster[3].VotedFor, Is.Null);
    }

    [Test]
    public void A_vote_is_refused_to_an_older_last_term_even_with_a_longer_log()
    {
        var cluster = VoterWithLog112();
        Assert.That(Ask(cluster, 1, 3, term: 3, lastIndex: 9, lastTerm: 1).VoteGranted, Is.False);
        Assert.That(cluster[3].Term, Is.EqualTo(3), "the term is adopted even when the vote is refused");
    }

    [Test]
    public void A_node_with_a_stale_log_cannot_become_leader()
    {
        // n1 missed the term-2 entry that n2 and n3 hold; §5.4.1 makes both refuse it.
        var cluster = new TestCluster(3);
        cluster.PresetLog(1, 2, 1);
        cluster.PresetLog(2, 2, 1, 2);
        cluster.PresetLog(3, 2, 1, 2);

        cluster.Elect(1);

        Assert.That(cluster[1].Role, Is.Not.EqualTo(Role.Leader));
    }

    [Test]
    public void A_node_with_a_stale_log_becomes_leader_under_VoteWithoutLogCheck()
    {
        // Teeth for the test above.
        var cluster = new TestCluster(3, new RaftOptions { Bug = TeachingBug.VoteWithoutLogCheck });
        cluster.PresetLog(1, 2, 1);
        cluster.PresetLog(2, 2, 1, 2);
        cluster.PresetLog(3, 2, 1, 2);

        cluster.Elect(1);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
    }

    [Test]
    public void Granting_a_vote_resets_the_election_timer()
    {
        var cluster = new TestCluster(3);
        cluster.Tick(3, 5);
        var before = cluster[3].TicksUntilElection;

        Ask(cluster, 1, 3, term: 1, 0, 0);

        Assert.That(cluster[3].TicksUntilElection, Is.GreaterThan(before));
    }

    [Test]
    public void Refusing_a_vote_does_not_reset_the_election_timer()
    {
        // A node with a stale log must not be able to keep an up-to-date node from timing out.
        var cluster = VoterWithLog112();
        Ask(cluster, 1, 3, term: 2, lastIndex: 3, lastTerm: 2); // n3 is in term 2 without a vote: granted
        cluster.Tick(3, 5);
        var before = cluster[3].TicksUntilElection;

        Ask(cluster, 2, 3, term: 2, lastIndex: 3, lastTerm: 2); // refused: already voted for n1 in term 2

        Assert.That(cluster[3].TicksUntilElection, Is.EqualTo(before));
    }

    [Test]
    public void Refusing_a_vote_in_a_higher_term_does_not_reset_the_election_timer()
    {
        // Figure 2 (Followers): only AppendEntries from the current leader or granting a vote
        // defers an election. Adopting a stale candidate's higher term must not, or a node with a
        // stale log and a short timeout keeps the up-to-date nodes from ever timing out.
        var cluster = VoterWithLog112();
        cluster.Tick(3, 5);
        var before = cluster[3].TicksUntilElection;

        var reply = Ask(cluster, 1, 3, term: 3, lastIndex: 1, lastTerm: 1);

        Assert.That(reply.VoteGranted, Is.False);
        Assert.That(cluster[3].Term, Is.EqualTo(3));
        Assert.That(cluster[3].TicksUntilElection, Is.EqualTo(before));
    }
}
