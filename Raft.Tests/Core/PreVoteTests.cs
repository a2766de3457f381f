using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>PreVote (thesis §9.6): a node asks before it campaigns, so a cut-off node cannot raise the term.</summary>
public sealed class PreVoteTests
{
    private static RaftOptions With(bool preVote, TeachingBug bug = TeachingBug.None) =>
        new() { ElectionTicks = 10, HeartbeatTicks = 2, PreVote = preVote, Bug = bug };

    [Test]
    public void A_node_with_prevote_asks_for_pre_votes_without_changing_its_term_or_vote()
    {
        var cluster = new TestCluster(3, With(preVote: true));

        var output = cluster.Tick(1);
        cluster.TickUntilJustBeforeElection(1);
        output = cluster.Tick(1);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.PreCandidate));
        Assert.That(cluster[1].Term, Is.Zero);
        Assert.That(cluster[1].VotedFor, Is.Null);
        Assert.That(output.OfType<PersistHardState>(), Is.Empty, "nothing changes that must be persisted");
        var requests = output.OfType<Send>().Select(s => s.Message).OfType<PreVote>().ToList();
        Assert.That(requests.Select(r => r.To), Is.EquivalentTo(new[] { N(2), N(3) }));
        Assert.That(requests, Has.All.Property(nameof(PreVote.Term)).EqualTo(1), "asks about term + 1");
    }

    [Test]
    public void A_pre_candidate_with_a_majority_of_pre_votes_becomes_candidate_and_wins()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Campaign(1);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.PreCandidate));

        cluster.DeliverAll();

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].Term, Is.EqualTo(1));
    }

    [Test]
    public void Without_prevote_a_campaign_starts_a_real_election_at_once()
    {
        var cluster = new TestCluster(3, With(preVote: false));
        cluster.Campaign(1);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[1].Term, Is.EqualTo(1));
    }

    [Test]
    public void A_pre_vote_request_does_not_make_the_receiver_adopt_its_term()
    {
        var cluster = new TestCluster(3, With(preVote: true));

        var output = cluster.Deliver(new PreVote(N(1), N(2), 5, 77, 0, 0));

        Assert.That(cluster[2].Term, Is.Zero);
        Assert.That(cluster[2].VotedFor, Is.Null);
        Assert.That(output.OfType<PersistHardState>(), Is.Empty);
        var response = output.OfType<Send>().Select(s => s.Message).OfType<PreVoteResponse>().Single();
        Assert.That(response.VoteGranted, Is.True);
        Assert.That(response.Term, Is.EqualTo(5), "a grant names the term asked about");
        Assert.That(response.InReplyTo, Is.EqualTo(77));
    }

    [Test]
    public void A_granted_pre_vote_response_does_not_make_the_pre_candidate_adopt_its_term()
    {
        var cluster = new TestCluster(5, With(preVote: true));
        cluster.Campaign(1);
        cluster.DropAll();

        cluster.Deliver(new PreVoteResponse(N(2), N(1), 1, 77, 1, VoteGranted: true));

        Assert.That(cluster[1].Term, Is.Zero);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.PreCandidate), "2 of 5 is not a majority");
    }

    [Test]
    public void A_node_that_heard_from_a_leader_recently_refuses_pre_votes()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Elect(1);

        var output = cluster.Deliver(new PreVote(N(3), N(2), 2, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm));

        var response = output.OfType<Send>().Select(s => s.Message).OfType<PreVoteResponse>().Single();
        Assert.That(response.VoteGranted, Is.False);
        Assert.That(cluster[2].Term, Is.EqualTo(1));
    }

    [Test]
    public void A_node_grants_a_pre_vote_once_the_leader_has_been_silent_for_an_election_timeout()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Elect(1);
        cluster.Tick(2, cluster.Options.ElectionTicks); // n2 hears nothing for a whole election timeout

        var output = cluster.Deliver(new PreVote(N(3), N(2), 2, 77, cluster[3].Log.LastIndex, cluster[3].Log.LastTerm));

        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<PreVoteResponse>().Single().VoteGranted, Is.True);
    }

    [Test]
    public void A_leader_refuses_pre_votes()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Elect(1);

        var output = cluster.Deliver(new PreVote(N(3), N(1), 2, 77, cluster[1].Log.LastIndex, cluster[1].Log.LastTerm));

        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<PreVoteResponse>().Single().VoteGranted, Is.False);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
    }

    [Test]
    public void A_pre_vote_is_refused_to_a_node_whose_log_is_behind()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.PresetLog(2, 2, 1, 2);
        cluster.PresetLog(1, 2, 1);

        var output = cluster.Deliver(new PreVote(N(1), N(2), 3, 77, 1, 1));

        Assert.That(output.OfType<Send>().Select(s => s.Message).OfType<PreVoteResponse>().Single().VoteGranted, Is.False);
    }

    [Test]
    public void A_refused_pre_vote_with_a_higher_term_makes_the_pre_candidate_follow_at_that_term()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Campaign(1);
        cluster.DropAll();

        cluster.Deliver(new PreVoteResponse(N(2), N(1), 4, 77, 1, VoteGranted: false));

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[1].Term, Is.EqualTo(4));
    }

    [Test]
    public void A_pre_candidate_that_hears_from_the_leader_of_its_term_follows_it()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Elect(1);
        cluster.Campaign(3);
        cluster.DropAll();
        Assert.That(cluster[3].Role, Is.EqualTo(Role.PreCandidate));

        cluster.TickAll(cluster.Options.HeartbeatTicks);

        Assert.That(cluster[3].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[3].Leader, Is.EqualTo(N(1)));
    }

    [Test]
    public void A_pre_candidate_without_a_majority_keeps_its_term_and_asks_again_after_a_timeout()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Isolate(1);
        cluster.Campaign(1);
        cluster.DeliverAll();

        var again = Enumerable.Range(0, 2 * cluster.Options.ElectionTicks)
            .SelectMany(_ => cluster.Tick(1).OfType<Send>().Select(s => s.Message).OfType<PreVote>()).ToList();

        Assert.That(cluster[1].Term, Is.Zero);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.PreCandidate));
        Assert.That(again, Is.Not.Empty, "a new pre-vote round after the timeout");
    }

    [Test]
    public void A_pre_candidate_whose_round_fails_asks_again_only_after_a_whole_new_election_timeout()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Isolate(1);
        cluster.TickUntilJustBeforeElection(1);
        cluster.Tick(1);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.PreCandidate));

        // The timer restarted with the round: nothing more until it runs out again.
        var ticksToNextRound = 0;
        for (var tick = 1; tick <= 3 * cluster.Options.ElectionTicks && ticksToNextRound == 0; tick++)
            if (cluster.Tick(1).OfType<Send>().Any(s => s.Message is PreVote)) ticksToNextRound = tick;

        Assert.That(ticksToNextRound, Is.InRange(cluster.Options.ElectionTicks, 2 * cluster.Options.ElectionTicks - 1),
            "an election timeout is drawn from [ElectionTicks, 2 * ElectionTicks)");
    }

    [Test]
    public void Pre_votes_from_a_failed_round_do_not_count_in_the_next()
    {
        // Five voters: n1 needs three pre-votes, its own and two more. Round 1 gets n2's; round 2
        // gets n3's. Together they would make three, but n2 said yes to a round that is over.
        var cluster = new TestCluster(5, With(preVote: true));
        cluster.Campaign(1);
        cluster.Deliver(cluster.Take(m => m is PreVote && m.To == N(2)).Single());
        cluster.Deliver(cluster.Take(m => m is PreVoteResponse && m.From == N(2)).Single());
        Assert.That(cluster[1].PreVotesGranted, Is.EquivalentTo(new[] { N(1), N(2) }));
        cluster.DropAll();

        cluster.Tick(1, cluster[1].TicksUntilElection);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.PreCandidate));
        Assert.That(cluster[1].PreVotesGranted, Is.EquivalentTo(new[] { N(1) }), "a new round starts from its own pre-vote");
        cluster.Deliver(cluster.Take(m => m is PreVote && m.To == N(3)).Single());
        cluster.Deliver(cluster.Take(m => m is PreVoteResponse && m.From == N(3)).Single());

        Assert.That(cluster[1].Role, Is.EqualTo(Role.PreCandidate), "two pre-votes of five");
        Assert.That(cluster[1].Term, Is.Zero);
    }

    [Test]
    public void A_single_voter_with_prevote_elects_itself_at_once()
    {
        var cluster = new TestCluster(1, With(preVote: true));
        cluster.TickUntilJustBeforeElection(1);
        cluster.Tick(1);

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[1].Term, Is.EqualTo(1));
    }

    [Test]
    public void A_pre_candidate_told_to_time_out_by_the_leader_runs_the_transfer_election_and_wins()
    {
        // With CheckQuorum, n3 still hears from n1 and refuses an ordinary vote; it grants n2's
        // because the election is one the leader asked for (thesis §3.10, §6.2).
        var cluster = new TestCluster(3, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, PreVote = true, CheckQuorum = true });
        cluster.Elect(1);
        cluster.Campaign(2);
        cluster.DropAll(); // its pre-votes would be refused: n1 is alive
        Assert.That(cluster[2].Role, Is.EqualTo(Role.PreCandidate));

        cluster.Step(1, new TransferLeadership(N(2)));
        var timeoutNow = cluster.Take(m => m is TimeoutNow && m.To == N(2)).Single();
        cluster.Deliver(timeoutNow);
        Assert.That(cluster[2].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster.InFlight.OfType<RequestVote>(), Has.All.Property(nameof(RequestVote.LeadershipTransfer)).True);
        cluster.DeliverAll();

        Assert.That(cluster[2].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[2].Term, Is.EqualTo(2));
    }

    [Test]
    public void A_pre_vote_for_the_term_the_voter_is_already_in_is_refused_with_that_term()
    {
        // n3 voted for n2 in term 1; a real vote for n1 in term 1 would be refused, so is the pre-vote.
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Deliver(new RequestVote(N(2), N(3), 1, 77, 0, 0, LeadershipTransfer: false));
        Assert.That((cluster[3].Term, cluster[3].VotedFor, cluster[3].Leader), Is.EqualTo((1L, (NodeId?)N(2), (NodeId?)null)));

        var output = cluster.Deliver(new PreVote(N(1), N(3), 1, 78, 0, 0));

        var response = output.OfType<Send>().Select(s => s.Message).OfType<PreVoteResponse>().Single();
        Assert.That(response.VoteGranted, Is.False);
        Assert.That(response.Term, Is.EqualTo(1));
    }

    /// <summary>n1, in term 1, has started a pre-vote round for term 2; nothing is in flight.</summary>
    private static TestCluster PreCandidateN1InTerm1()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.PresetLog(1, 1);
        cluster.Campaign(1);
        cluster.DropAll();
        Assert.That((cluster[1].Role, cluster[1].Term), Is.EqualTo((Role.PreCandidate, 1L)));
        return cluster;
    }

    [Test]
    public void A_pre_candidate_answers_a_vote_request_of_its_term_as_any_voter_does()
    {
        var cluster = PreCandidateN1InTerm1();

        var output = cluster.Deliver(new RequestVote(N(2), N(1), 1, 77, 0, 0));

        var reply = output.OfType<Send>().Select(s => s.Message).OfType<RequestVoteResponse>().Single();
        Assert.That((reply.VoteGranted, reply.Term), Is.EqualTo((true, 1L)), "it has not voted in term 1");
    }

    [Test]
    public void A_pre_vote_granted_for_an_earlier_term_does_not_count()
    {
        var cluster = PreCandidateN1InTerm1();

        cluster.Deliver(new PreVoteResponse(N(2), N(1), 1, 77, 1, VoteGranted: true)); // a grant for term 1, from before

        Assert.That(cluster[1].Role, Is.EqualTo(Role.PreCandidate));
        Assert.That(cluster[1].PreVotesGranted, Is.EquivalentTo(new[] { N(1) }));
    }

    [Test]
    public void A_pre_candidate_takes_the_entries_of_the_leader_of_its_term()
    {
        var cluster = PreCandidateN1InTerm1();
        var entry = new LogEntry(1, 1, EntryKind.NoOp, []);

        var output = cluster.Deliver(new AppendEntries(N(2), N(1), 1, 51, 0, 0, [entry], 0));

        Assert.That((cluster[1].Role, cluster[1].Leader), Is.EqualTo((Role.Follower, (NodeId?)N(2))));
        Assert.That(cluster[1].Log.LastIndex, Is.EqualTo(1));
        var answer = output.OfType<Send>().Select(s => s.Message).OfType<AppendEntriesResponse>().Single();
        Assert.That((answer.Success, answer.Index), Is.EqualTo((true, 1L)));
    }

    [Test]
    public void A_pre_candidate_that_receives_a_snapshot_chunk_of_its_term_follows_the_sender_and_takes_the_chunk()
    {
        var cluster = PreCandidateN1InTerm1();
        var data = new byte[] { 1, 2, 3, 4, 5 };

        var output = cluster.Deliver(new InstallSnapshot(N(2), N(1), 1, 51, 5, 1, 12345UL, new Configuration([N(1), N(2), N(3)]), 0, data, Done: false));

        Assert.That((cluster[1].Role, cluster[1].Leader), Is.EqualTo((Role.Follower, (NodeId?)N(2))));
        var answer = output.OfType<Send>().Select(s => s.Message).OfType<InstallSnapshotResponse>().Single();
        Assert.That((answer.NextOffset, answer.Done), Is.EqualTo(((long)data.Length, false)), "the chunk is kept and the next one asked for");
    }

    /// <summary>
    /// Elects n1, cuts n3 off for a while (it times out again and again), then lets it back, its
    /// election timer firing as it rejoins. Returns whether n1 still leads in its original term.
    /// </summary>
    private static bool LeaderSurvivesARejoiningNode(RaftOptions options)
    {
        var cluster = new TestCluster(3, options);
        var leader = cluster.Elect(1);
        var term = leader.Term;
        cluster.Isolate(3);
        cluster.TickAll(5 * cluster.Options.ElectionTicks);
        cluster.HealAll();
        cluster.Campaign(3);
        cluster.DeliverAll();
        cluster.TickAll(3 * cluster.Options.ElectionTicks);
        return cluster[1].Role == Role.Leader && cluster[1].Term == term;
    }

    [Test]
    public void Without_prevote_a_rejoining_partitioned_node_deposes_a_stable_leader() =>
        Assert.That(LeaderSurvivesARejoiningNode(With(preVote: false)), Is.False);

    [Test]
    public void With_prevote_a_rejoining_partitioned_node_does_not_depose_a_stable_leader() =>
        Assert.That(LeaderSurvivesARejoiningNode(With(preVote: true)), Is.True);

    [Test]
    public void Under_the_PreVoteAdoptsTerm_bug_prevote_no_longer_protects_the_leader() =>
        Assert.That(LeaderSurvivesARejoiningNode(With(preVote: true, TeachingBug.PreVoteAdoptsTerm)), Is.False);

    [Test]
    public void With_prevote_a_rejoining_node_keeps_the_term_it_had_when_it_was_cut_off()
    {
        var cluster = new TestCluster(3, With(preVote: true));
        cluster.Elect(1);
        cluster.Isolate(3);

        cluster.TickAll(5 * cluster.Options.ElectionTicks);

        Assert.That(cluster[3].Term, Is.EqualTo(1));
    }
}
