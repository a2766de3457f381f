using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// Peer messages are untrusted input: a leader, a candidate and a follower are fed thousands of
/// seeded, structurally valid messages with lying fields (see <see cref="AdversarialPeerMessages"/>),
/// mixed with ticks, proposals, reads and compactions. None may throw, and the node's own
/// invariants must hold after every step. A failure names the seed, the step and the input.
/// </summary>
public sealed class PeerMessageFuzzTests
{
    private const int Rounds = 40;
    private const int StepsPerRound = 400;

    public enum Target { Leader, Candidate, Follower }

    [Test]
    public void A_node_never_throws_and_keeps_its_invariants_whatever_its_peers_send(
        [Values] Target target, [Values(1UL, 2UL, 3UL)] ulong seed)
    {
        var random = new SplitMix64(SplitMix64.Derive(seed, (ulong)target + 1));
        for (var round = 0; round < Rounds; round++)
        {
            var (cluster, id) = Build(random, target);
            Fuzz(cluster[id], random, cluster.EffectLog[N(id)], $"seed {seed}, {target}, round {round}");
        }
    }

    [Test]
    public void A_leader_ignores_and_counts_an_acknowledgement_beyond_what_it_sent()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        var last = cluster[1].Log.LastIndex;

        cluster.Deliver(new AppendEntriesResponse(N(2), N(1), 1, 5, 1, Success: true, Index: last + 10, HintIndex: 0, HintTerm: 0));
        cluster.Tick(1, cluster.Options.HeartbeatTicks);

        Assert.That(cluster[1].ProgressOf(N(2))!.Match, Is.EqualTo(last));
        Assert.That(cluster[1].IgnoredMessages, Is.EqualTo(1));
    }

    [Test]
    public void A_leader_survives_a_rejection_whose_hint_lies_beyond_its_log()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Propose(1, Put(1));
        var append = cluster.Take(m => m is AppendEntries { To.Value: 2 }).OfType<AppendEntries>().Last();

        cluster.Deliver(new AppendEntriesResponse(N(2), N(1), 1, 5, append.Id, Success: false, Index: 1_000, HintIndex: 2_000, HintTerm: 0));

        Assert.DoesNotThrow(() => cluster.Tick(1, cluster.Options.HeartbeatTicks));
        Assert.That(cluster[1].ProgressOf(N(2))!.Next, Is.LessThanOrEqualTo(cluster[1].Log.LastIndex + 1));
    }

    [Test]
    public void A_leader_ignores_a_snapshot_done_for_more_than_it_sent()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        var last = cluster[1].Log.LastIndex;

        cluster.Deliver(new InstallSnapshotResponse(N(2), N(1), 1, 5, 1, LastIncludedIndex: last + 5, NextOffset: 0, Done: true));

        Assert.That(cluster[1].ProgressOf(N(2))!.Match, Is.LessThanOrEqualTo(last));
        Assert.That(cluster[1].CommitIndex, Is.LessThanOrEqualTo(last));
    }

    [Test]
    public void A_follower_ignores_entries_that_contradict_its_committed_log()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        cluster.Propose(1, Put(1));
        cluster.DeliverAll();
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        cluster.DeliverAll();
        Assert.That(cluster[2].CommitIndex, Is.EqualTo(2));

        var forged = new AppendEntries(N(3), N(2), 2, 5, 1, 1, [LogEntry.NoOp(2, 2)], LeaderCommit: 2);
        var output = cluster.Deliver(forged);

        Assert.That(cluster[2].Log.TermAt(2), Is.EqualTo(1), "the committed entry stays");
        Assert.That(output.OfType<PersistEntries>(), Is.Empty);
        Assert.That(output.Sent<AppendEntriesResponse>(), Is.Empty);
        Assert.That(cluster[2].IgnoredMessages, Is.EqualTo(1));
    }

    [Test]
    public void A_node_ignores_a_term_too_high_to_be_real_rather_than_overflow()
    {
        var cluster = new TestCluster(3);

        Assert.DoesNotThrow(() => cluster.Deliver(new TimeoutNow(N(1), N(2), long.MaxValue, 5)));

        Assert.That(cluster[2].Term, Is.EqualTo(0));
        Assert.That(cluster[2].IgnoredMessages, Is.EqualTo(1));
    }

    [Test]
    public void A_candidate_ignores_a_vote_that_answers_a_request_it_never_sent()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        var request = cluster.Take(m => m is RequestVote)[0];

        cluster.Deliver(new RequestVoteResponse(N(2), N(1), 1, 5, request.Id + 1_000, VoteGranted: true));

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate));
        Assert.That(cluster[1].IgnoredMessages, Is.EqualTo(1));
    }

    /// <summary>A small cluster with history (entries, a snapshot, a learner, a lagging follower) and the node to attack in <paramref name="target"/>'s role.</summary>
    private static (TestCluster Cluster, int Id) Build(SplitMix64 random, Target target)
    {
        var checkQuorum = random.Next(2) == 0;
        var options = new RaftOptions
        {
            ElectionTicks = 10, HeartbeatTicks = 2,
            MaxEntriesPerAppend = 1 + random.Next(3), MaxInflightAppends = 1 + random.Next(3), MaxSnapshotChunkBytes = 1 + random.Next(16),
            PreVote = random.Next(2) == 0, CheckQuorum = checkQuorum, LeaseReads = checkQuorum && random.Next(2) == 0,
        };
        var cluster = new TestCluster(3, options, spares: 1);
        cluster.Elect(1);
        cluster.Cut(1, 3); // n3 falls behind, then needs the snapshot
        for (var i = 1; i <= 1 + random.Next(6); i++) cluster.Propose(1, Put(i));
        cluster.DeliverAll();
        if (random.Next(3) > 0) cluster.Compact(1);
        if (random.Next(2) == 0) cluster.Step(1, new ChangeMembership(MembershipChangeKind.AddVoter, N(4)));
        cluster.HealAll();
        cluster.Tick(1, options.HeartbeatTicks);
        for (var i = random.Next(8); i > 0 && cluster.DeliverNext() is not null; i--) { }
        switch (target)
        {
            case Target.Leader:
                return (cluster, 1);
            case Target.Candidate:
                cluster.Campaign(3); // a pre-candidate with PreVote
                return (cluster, 3);
            default:
                return (cluster, 2);
        }
    }

    private static void Fuzz(RaftNode node, SplitMix64 random, List<Effect> history, string context)
    {
        var messages = new AdversarialPeerMessages(random, NodeId.Range(4), higherTermPercent: node.Role == Role.Leader ? 2 : 15);
        var sentIds = history.OfType<Send>().Select(s => s.Message.Id).ToList();
        var highestSent = new Dictionary<(long Term, NodeId Peer), long>();
        foreach (var message in history.OfType<Send>().Select(s => s.Message)) NoteSent(highestSent, message);
        var term = node.Term;
        var commit = node.CommitIndex;
        for (var step = 0; step < StepsPerRound; step++)
        {
            var input = NextInput(node, random, messages, sentIds, step);
            Output output;
            try
            {
                output = node.Step(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"{context}, step {step}: {input} threw {e}");
                return;
            }
            foreach (var message in output.OfType<Send>().Select(s => s.Message))
            {
                sentIds.Add(message.Id);
                NoteSent(highestSent, message);
            }
            var where = $"{context}, step {step} after {input}";
            Assert.That(node.Term, Is.GreaterThanOrEqualTo(term), $"{where}: term went back");
            Assert.That(node.CommitIndex, Is.GreaterThanOrEqualTo(commit), $"{where}: commit index went back");
            Assert.That(node.CommitIndex, Is.LessThanOrEqualTo(node.Log.LastIndex), $"{where}: commit index beyond the log");
            Assert.That(node.LastApplied, Is.LessThanOrEqualTo(node.CommitIndex), $"{where}: applied beyond the commit index");
            term = node.Term;
            commit = node.CommitIndex;
            if (node.Role == Role.Leader) CheckProgress(node, highestSent, where);
        }
    }

    private static Input NextInput(RaftNode node, SplitMix64 random, AdversarialPeerMessages messages, List<long> sentIds, int step) =>
        random.Next(100) switch
        {
            < 82 => new Receive(messages.Next(node, sentIds)),
            < 90 => Tick.Instance,
            < 94 => new Propose(Put(1000 + step).Encode()),
            < 97 => new ReadIndex(step),
            _ when node.LastApplied > node.Log.SnapshotIndex => new Compact(node.LastApplied, [1, 2, 3]),
            _ => Tick.Instance,
        };

    /// <summary>Invariant: 0 &lt;= Match &lt; Next &lt;= last index + 1, and Match no higher than anything sent to that peer in this term.</summary>
    private static void CheckProgress(RaftNode leader, Dictionary<(long Term, NodeId Peer), long> highestSent, string where)
    {
        foreach (var peer in leader.Configuration.Members.Where(m => m != leader.Id))
        {
            var pr = leader.ProgressOf(peer);
            Assert.That(pr, Is.Not.Null, $"{where}: no progress for {peer}");
            Assert.That(pr!.Match, Is.InRange(0, pr.Next - 1), $"{where}: {peer} {pr}");
            Assert.That(pr.Next, Is.LessThanOrEqualTo(leader.Log.LastIndex + 1), $"{where}: {peer} {pr}");
            Assert.That(pr.Match, Is.LessThanOrEqualTo(highestSent.GetValueOrDefault((leader.Term, peer))), $"{where}: {peer} {pr} beyond what was sent");
        }
    }

    private static void NoteSent(Dictionary<(long Term, NodeId Peer), long> highestSent, Message message)
    {
        var index = message switch
        {
            AppendEntries append => append.LastIndex,
            InstallSnapshot chunk => chunk.LastIncludedIndex,
            _ => (long?)null,
        };
        if (index is not { } sent) return;
        var key = (message.Term, message.To);
        highestSent[key] = Math.Max(highestSent.GetValueOrDefault(key), sent);
    }
}
