using Raft.Core.Membership;
using Raft.Core.Log;

namespace Raft.Tests.Core;

/// <summary>§7: a log whose prefix is replaced by a snapshot keeps the term and digest at the snapshot point.</summary>
public sealed class LogCompactionTests
{
    private static LogEntry Entry(long index, long term) => new(index, term, EntryKind.Command, [(byte)index]);

    private static RaftLog LogOf(params long[] terms)
    {
        var log = new RaftLog();
        for (var i = 0; i < terms.Length; i++) log.Append(Entry(i + 1, terms[i]));
        return log;
    }

    [Test]
    public void A_compacted_log_keeps_the_term_and_digest_at_the_snapshot_index()
    {
        var full = LogOf(1, 1, 2, 2, 3);
        var compacted = LogOf(1, 1, 2, 2, 3);

        var metadata = compacted.CompactTo(3, Configuration.Empty);

        Assert.That(metadata, Is.EqualTo(new SnapshotMetadata(3, 2, full.DigestAt(3), Configuration.Empty)));
        Assert.That(compacted.FirstIndex, Is.EqualTo(4));
        Assert.That(compacted.SnapshotIndex, Is.EqualTo(3));
        Assert.That(compacted.TermAt(3), Is.EqualTo(2));
        for (var i = 3; i <= 5; i++) Assert.That(compacted.DigestAt(i), Is.EqualTo(full.DigestAt(i)), $"prefix [1, {i}]");
        Assert.That(compacted.LastIndex, Is.EqualTo(5));
        Assert.That(compacted.LastTerm, Is.EqualTo(3));
    }

    [Test]
    public void Reading_an_entry_below_the_snapshot_throws_and_says_it_was_compacted()
    {
        var log = LogOf(1, 1, 2);
        log.CompactTo(2, Configuration.Empty);

        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => log.EntryAt(2));
        Assert.That(thrown!.Message, Does.Contain("compacted"));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.DigestAt(1));
        Assert.That(log.EntryAt(3).Term, Is.EqualTo(2));
    }

    [Test]
    public void Appending_after_compaction_continues_the_same_hash_chain()
    {
        var full = LogOf(1, 2, 2, 3);
        var compacted = LogOf(1, 2);
        compacted.CompactTo(2, Configuration.Empty);

        compacted.Append(Entry(3, 2));
        compacted.Append(Entry(4, 3));

        Assert.That(compacted.DigestAt(4), Is.EqualTo(full.DigestAt(4)));
    }

    [Test]
    public void A_compacted_index_matches_any_previous_term_since_only_committed_entries_are_compacted()
    {
        var log = LogOf(1, 1, 2, 2);
        log.CompactTo(3, Configuration.Empty);

        Assert.That(log.Matches(1, 7), Is.True);
        Assert.That(log.Matches(3, 2), Is.True);
        Assert.That(log.Matches(3, 1), Is.False);
        Assert.That(log.FirstIndexOfTermAt(4), Is.EqualTo(3));
        Assert.That(log.LastIndexOfTerm(1), Is.Zero, "term 1 lies wholly inside the snapshot");
    }

    [Test]
    public void Installing_a_snapshot_keeps_the_entries_after_it_when_its_last_entry_matches()
    {
        var leader = LogOf(1, 1, 2, 2, 2);
        var follower = LogOf(1, 1, 2, 2, 2);

        var kept = follower.InstallSnapshot(leader.CompactTo(3, Configuration.Empty));

        Assert.That(kept, Is.True);
        Assert.That(follower.FirstIndex, Is.EqualTo(4));
        Assert.That(follower.LastIndex, Is.EqualTo(5));
        Assert.That(follower.DigestAt(5), Is.EqualTo(leader.DigestAt(5)));
    }

    [Test]
    public void Installing_a_snapshot_discards_the_whole_log_when_its_last_entry_conflicts()
    {
        var leader = LogOf(1, 1, 3, 3);
        var follower = LogOf(1, 1, 2, 2, 2);

        var kept = follower.InstallSnapshot(leader.CompactTo(4, Configuration.Empty));

        Assert.That(kept, Is.False);
        Assert.That(follower.LastIndex, Is.EqualTo(4));
        Assert.That(follower.LastTerm, Is.EqualTo(3));
        Assert.That(follower.DigestAt(4), Is.EqualTo(leader.DigestAt(4)));
    }
}
