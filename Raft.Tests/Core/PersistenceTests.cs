using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// Figure 2: currentTerm, votedFor and log[] are updated on stable storage before responding to
/// RPCs (thesis §3.8). A restarted node resumes from exactly that state.
/// </summary>
public sealed class PersistenceTests
{
    /// <summary>
    /// Replays each node's effects against a model of its disk and reports every message that
    /// promises something the disk did not yet hold at the moment it was sent. Valid as long as
    /// the test does not use PresetLog (which swaps disks behind the effect log).
    /// </summary>
    private static List<string> PersistBeforeSendViolations(TestCluster cluster)
    {
        var violations = new List<string>();
        foreach (var (node, effects) in cluster.EffectLog)
        {
            var hard = new HardState(0, null);
            var disk = new List<LogEntry>();
            foreach (var effect in effects)
            {
                switch (effect)
                {
                    case PersistHardState persist:
                        hard = persist.State;
                        break;
                    case PersistEntries write:
                        disk.RemoveRange((int)write.FirstIndex - 1, disk.Count - (int)write.FirstIndex + 1);
                        disk.AddRange(write.Entries);
                        break;
                    case Send { Message: var message }:
                        if (message.Term != hard.Term) violations.Add($"{message}: term {message.Term} not persisted ({hard})");
                        if (message is RequestVoteResponse { VoteGranted: true } && hard.VotedFor != message.To)
                            violations.Add($"{message}: vote not persisted ({hard})");
                        if (message is RequestVote && hard.VotedFor != node)
                            violations.Add($"{message}: self-vote not persisted ({hard})");
                        if (message is AppendEntriesResponse { Success: true } ack && !Holds(disk, RequestOf(cluster, ack)))
                            violations.Add($"{message}: acknowledged entries not persisted");
                        break;
                }
            }
        }
        return violations;
    }

    private static AppendEntries RequestOf(TestCluster cluster, AppendEntriesResponse ack) =>
        cluster.EffectLog[ack.To].OfType<Send>().Select(s => s.Message).OfType<AppendEntries>()
            .Single(a => a.Id == ack.InReplyTo && a.To == ack.From);

    /// <summary>True if the disk holds the request's prevLog entry and every entry it carried.</summary>
    private static bool Holds(List<LogEntry> disk, AppendEntries request) =>
        (request.PrevLogIndex == 0 || (request.PrevLogIndex <= disk.Count && disk[(int)request.PrevLogIndex - 1].Term == request.PrevLogTerm)) &&
        request.Entries.All(e => e.Index <= disk.Count && disk[(int)e.Index - 1].Equals(e));

    /// <summary>Elections, replication, a partitioned leader whose tail gets truncated, a crash and restart.</summary>
    private static TestCluster BusyHistory(TeachingBug bug)
    {
        var cluster = new TestCluster(5, new RaftOptions { Bug = bug });
        cluster.Elect(1);
        for (var i = 1; i <= 3; i++) cluster.Propose(1, Put(i));
        cluster.DeliverAll();
        cluster.Isolate(1);
        cluster.Propose(1, Put(4)); // never committed: will be truncated on n1
        cluster.Propose(1, Put(5));
        cluster.DeliverAll();
        cluster.Elect(2);
        cluster.Propose(2, Put(6));
        cluster.DeliverAll();
        cluster.Crash(3);
        cluster.Restart(3);
        cluster.HealAll();
        cluster.TickAll(30);
        return cluster;
    }

    [Test]
    public void Every_message_is_sent_only_after_the_term_vote_and_entries_it_relies_on_are_persisted()
    {
        var cluster = BusyHistory(TeachingBug.None);

        Assert.That(cluster[2].Role, Is.EqualTo(Role.Leader), "precondition: the history ran as planned");
        Assert.That(cluster.Terms(1), Is.EqualTo(cluster.Terms(2)), "precondition: n1's uncommitted tail was replaced");
        Assert.That(PersistBeforeSendViolations(cluster), Is.Empty);
    }

    [Test]
    public void ReplyBeforePersist_sends_votes_and_acknowledgements_before_persisting_them()
    {
        // Teeth for the test above: the checker sees both kinds of premature reply.
        var violations = PersistBeforeSendViolations(BusyHistory(TeachingBug.ReplyBeforePersist));

        Assert.That(violations, Has.Some.Contains("vote not persisted"));
        Assert.That(violations, Has.Some.Contains("acknowledged entries not persisted"));
    }

    [Test]
    public void A_restarted_node_resumes_with_its_persisted_term_vote_and_log()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        for (var i = 1; i <= 3; i++) cluster.Propose(1, Put(i));
        cluster.DeliverAll();
        var before = cluster[2];

        cluster.Crash(2);
        var after = cluster.Restart(2);

        Assert.That(after, Is.Not.SameAs(before), "a new incarnation");
        Assert.That(after.Term, Is.EqualTo(1));
        Assert.That(after.VotedFor, Is.EqualTo(N(1)));
        Assert.That(after.Role, Is.EqualTo(Role.Follower));
        Assert.That(after.Log.LastIndex, Is.EqualTo(4));
        Assert.That(after.Log.DigestAt(4), Is.EqualTo(cluster[1].Log.DigestAt(4)));
    }

    [Test]
    public void A_restarted_node_does_not_vote_twice_in_a_term()
    {
        var cluster = new TestCluster(3);
        Assert.That(VotesGrantedAcrossRestart(cluster), Is.EqualTo((true, false)));
    }

    [Test]
    public void ForgetVoteOnRestart_lets_a_node_vote_twice_in_a_term()
    {
        // Teeth for the test above.
        var cluster = new TestCluster(3, new RaftOptions { Bug = TeachingBug.ForgetVoteOnRestart });
        Assert.That(VotesGrantedAcrossRestart(cluster), Is.EqualTo((true, true)));
    }

    /// <summary>n3 votes for n1 in term 5, restarts, then n2 asks for its vote in term 5.</summary>
    private static (bool First, bool Second) VotesGrantedAcrossRestart(TestCluster cluster)
    {
        var first = cluster.Deliver(new RequestVote(N(1), N(3), 5, 77, 0, 0)).SentOne<RequestVoteResponse>();
        cluster.Crash(3);
        cluster.Restart(3);
        Assert.That(cluster[3].Term, Is.EqualTo(5));
        var second = cluster.Deliver(new RequestVote(N(2), N(3), 5, 78, 0, 0)).SentOne<RequestVoteResponse>();
        return (first.VoteGranted, second.VoteGranted);
    }
}
