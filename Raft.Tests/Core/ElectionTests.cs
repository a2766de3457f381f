using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>§5.2 leader election: timeouts, majorities, heartbeats, split votes.</summary>
public sealed class ElectionTests
{
    [Test]
    public void A_new_node_starts_as_a_follower_in_term_zero()
    {
        var cluster = new TestCluster(3);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[1].Term, Is.Zero);
        Assert.That(cluster[1].Leader, Is.Null);
    }

    [Test]
    public void A_follower_starts_an_election_when_its_timeout_elapses()
    {
        var cluster = new TestCluster(3);
        cluster.Tick(1, cluster.Options.ElectionTicks - 1);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower), "not before the timeout");

        var output = cluster.Tick(1);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[1].Term, Is.EqualTo(1));
        Assert.That(cluster[1].VotedFor, Is.EqualTo(TestCluster.N(1)), "a candidate votes for itself");
        var requests = output.OfType<Send>().Select(s => s.Message).OfType<RequestVote>().ToList();
        Assert.That(requests.Select(r => r.To), Is.EquivalentTo(new[] { TestCluster.N(2), TestCluster.N(3) }));
        Assert.That(requests, Has.All.Property(nameof(RequestVote.Term)).EqualTo(1));
    }

    [Test]
    public void A_candidate_with_votes_from_a_majority_becomes_leader_and_sends_heartbeats_at_once()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.DeliverNext(); // RequestVote to n2
        cluster.DeliverNext(); // RequestVote to n3
        var grant = cluster.InFlight[0];
        Assert.That(grant, Is.TypeOf<RequestVoteResponse>());

        var output = cluster.Deliver(grant);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        var appends = output.OfType<Send>().Select(s => s.Message).OfType<AppendEntries>().ToList();
        Assert.That(appends.Select(a => a.To), Is.EquivalentTo(new[] { TestCluster.N(2), TestCluster.N(3) }));
    }

    [Test]
    public void A_candidate_with_votes_from_exactly_half_of_an_even_cluster_is_not_leader()
    {
        var cluster = new TestCluster(4); // majority is 3
        cluster.Campaign(1);
        cluster.DropAll();

        cluster.Deliver(new RequestVoteResponse(N(2), N(1), 1, 77, 1, VoteGranted: true));
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate), "2 of 4 is not a majority");

        cluster.Deliver(new RequestVoteResponse(N(3), N(1), 1, 78, 2, VoteGranted: true));
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader), "3 of 4 is");
    }

    [Test]
    public void A_duplicated_vote_is_counted_once()
    {
        var cluster = new TestCluster(5); // majority is 3
        cluster.Campaign(1);
        cluster.DropAll();
        var grant = new RequestVoteResponse(N(2), N(1), 1, 77, 1, VoteGranted: true);

        cluster.Deliver(grant);
        cluster.Deliver(grant);
        cluster.Deliver(grant with { Id = 78 });

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[1].VotesGranted, Has.Count.EqualTo(2));
    }

    [Test]
    public void A_refused_vote_does_not_count()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.DropAll();
        cluster.Deliver(new RequestVoteResponse(N(2), N(1), 1, 77, 1, VoteGranted: false));
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
    }

    [Test]
    public void A_leader_broadcasts_empty_heartbeats_every_HeartbeatTicks()
    {
        var cluster = new TestCluster(3, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 3 });
        cluster.Elect(1);
        for (var period = 0; period < 3; period++)
        {
            for (var i = 1; i < cluster.Options.HeartbeatTicks; i++)
                Assert.That(cluster.Tick(1).Sent<AppendEntries>(), Is.Empty, $"no heartbeat after {i} ticks");

            var beats = cluster.Tick(1).Sent<AppendEntries>();

            Assert.That(beats.Select(b => b.To), Is.EquivalentTo(new[] { N(2), N(3) }));
            Assert.That(beats, Has.All.Property(nameof(AppendEntries.Entries)).Empty, "followers are up to date: nothing to carry");
            Assert.That(beats, Has.All.Property(nameof(AppendEntries.Term)).EqualTo(1));
            cluster.DeliverAll();
        }
    }

    [Test]
    public void A_follower_that_hears_from_the_leader_does_not_time_out()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);

        cluster.TickAll(10 * cluster.Options.ElectionTicks);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[2].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[3].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster.Members.Select(m => cluster[m.Value].Term), Has.All.EqualTo(1), "no election happened");
    }

    [Test]
    public void A_follower_cut_off_from_the_leader_times_out()
    {
        // Counterpart of the test above: the same ticks without the leader's messages start an election.
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Isolate(1);

        cluster.TickAll(2 * cluster.Options.ElectionTicks);

        Assert.That(cluster[2].Term, Is.GreaterThan(1));
    }

    [Test]
    public void A_candidate_steps_down_when_it_receives_AppendEntries_of_its_own_term()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.Campaign(2); // both candidates in term 1
        var requests = cluster.Take(_ => true);
        cluster.Deliver(requests.Single(m => m.From == N(1) && m.To == N(3))); // n3 votes for n1
        cluster.DeliverNext(); // the grant: n1 leads term 1 and sends AppendEntries
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));

        var append = cluster.Take(m => m is AppendEntries && m.To == N(2)).Single();
        cluster.Deliver(append);

        Assert.That(cluster[2].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[2].Term, Is.EqualTo(1), "same term: no new term is needed to yield");
        Assert.That(cluster[2].Leader, Is.EqualTo(N(1)));
    }

    [Test]
    public void A_split_vote_is_followed_by_a_new_election_in_the_next_term()
    {
        // 4 nodes: n1 gets n3, n2 gets n4; 2 of 4 each, nobody wins term 1.
        var cluster = new TestCluster(4);
        cluster.Campaign(1);
        cluster.Campaign(2);
        var requests = cluster.Take(_ => true);
        cluster.Deliver(requests.Single(m => m.From == N(1) && m.To == N(3)));
        cluster.Deliver(requests.Single(m => m.From == N(2) && m.To == N(4)));
        foreach (var request in requests.Where(m => !(m.From == N(1) && m.To == N(3)) && !(m.From == N(2) && m.To == N(4))))
            cluster.Deliver(request);
        cluster.DeliverAll();

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[2].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[1].VotesGranted, Is.EquivalentTo(new[] { N(1), N(3) }));
        Assert.That(cluster[2].VotesGranted, Is.EquivalentTo(new[] { N(2), N(4) }));

        // A candidate's election timeout starts a new election in term 2 (Figure 2, Candidates).
        cluster.TickAll(2 * cluster.Options.ElectionTicks);

        var leaders = cluster.Members.Where(m => cluster[m.Value].Role == Role.Leader).ToList();
        Assert.That(leaders, Has.Count.EqualTo(1));
        Assert.That(cluster[leaders[0].Value].Term, Is.EqualTo(2));
    }

    [Test]
    public void A_node_with_a_stale_log_and_the_shortest_timeout_cannot_keep_the_cluster_leaderless()
    {
        // n1 (timeout 10 ticks) has lost its log; n2 and n3 (11 and 12 ticks) hold an entry.
        // n1 keeps campaigning and is always refused; n2 must still time out and win.
        var cluster = new TestCluster(3);
        cluster.PresetLog(1, 1);
        cluster.PresetLog(2, 1, 1);
        cluster.PresetLog(3, 1, 1);

        cluster.TickAll(10 * cluster.Options.ElectionTicks);

        var leaders = cluster.Members.Where(m => cluster[m.Value].Role == Role.Leader).ToList();
        Assert.That(leaders, Is.EqualTo(new[] { N(2) }));
    }

    [Test]
    public void A_candidate_that_gets_no_majority_starts_a_new_election_when_its_timeout_elapses()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.DropAll(); // no votes arrive
        cluster.TickUntilJustBeforeElection(1);
        Assert.That(cluster[1].Term, Is.EqualTo(1), "not before its timeout");

        var output = cluster.Tick(1);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[1].Term, Is.EqualTo(2));
        Assert.That(output.Sent<RequestVote>().Select(r => r.Term), Is.EqualTo(new long[] { 2, 2 }));
    }

    [Test]
    public void A_single_node_cluster_elects_itself_and_commits_alone()
    {
        var cluster = new TestCluster(1);
        cluster.Tick(1, cluster.Options.ElectionTicks);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader), "its own vote is a majority of one");

        cluster.Propose(1, Put(1));

        Assert.That(cluster[1].CommitIndex, Is.EqualTo(2));
        Assert.That(cluster.StateMachine(1).Values["k1"], Is.EqualTo("v1"));
    }
}
