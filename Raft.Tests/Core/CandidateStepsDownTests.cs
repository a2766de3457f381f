using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// §5.2: a candidate that hears from a leader of its own term recognises that another server won
/// the election, becomes its follower and handles the message as a follower would. (These two
/// rules survived a mutation run: nothing checked that the candidate stepped down.)
/// </summary>
public sealed class CandidateStepsDownTests
{
    private static TestCluster CandidateN1()
    {
        var cluster = new TestCluster(3);
        cluster.Campaign(1);
        cluster.DropAll(); // its vote requests are lost: n2 won term 1 with n3's vote
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Candidate), "the premise");
        return cluster;
    }

    [Test]
    public void A_candidate_that_receives_AppendEntries_of_its_term_follows_the_sender_and_accepts_the_entries()
    {
        var cluster = CandidateN1();
        var entry = new LogEntry(1, 1, EntryKind.NoOp, []);

        var output = cluster.Deliver(new AppendEntries(N(2), N(1), 1, 50, 0, 0, [entry], 0));

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[1].Leader, Is.EqualTo(N(2)));
        Assert.That(cluster[1].Term, Is.EqualTo(1), "the same term: no new election");
        Assert.That(cluster[1].Log.LastIndex, Is.EqualTo(1), "the entry is appended");
        var answer = output.OfType<Send>().Select(s => s.Message).OfType<AppendEntriesResponse>().Single();
        Assert.That((answer.To, answer.Success, answer.Index), Is.EqualTo((N(2), true, 1L)));
    }

    [Test]
    public void A_candidate_that_receives_a_snapshot_chunk_of_its_term_follows_the_sender_and_takes_the_chunk()
    {
        var cluster = CandidateN1();
        var data = new byte[] { 1, 2, 3, 4, 5 };

        var output = cluster.Deliver(new InstallSnapshot(N(2), N(1), 1, 51, 5, 1, 12345UL, new Configuration([N(1), N(2), N(3)]), 0, data, Done: false));

        Assert.That(cluster[1].Role, Is.EqualTo(Role.Follower));
        Assert.That(cluster[1].Leader, Is.EqualTo(N(2)));
        var answer = output.OfType<Send>().Select(s => s.Message).OfType<InstallSnapshotResponse>().Single();
        Assert.That((answer.To, answer.NextOffset, answer.Done), Is.EqualTo((N(2), (long)data.Length, false)), "the chunk is kept and the next one asked for");
    }
}
