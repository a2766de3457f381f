using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;
using static Raft.Tests.Core.RaftLogTests;

namespace Raft.Tests.Core;

/// <summary>
/// The log at its edges: the first and last index, the snapshot point, and one past the end.
/// Each rule here survived a mutation run of the core (docs/mutation-score.md): the role tests only
/// use the log inside its range.
/// </summary>
public sealed class RaftLogBoundaryTests
{
    private static RaftLog FiveEntries() => LogOf(Entry(1, 1), Entry(2, 1), Entry(3, 2), Entry(4, 2), Entry(5, 3));

    private static Configuration Voters(params int[] ids) => new(ids.Select(i => new NodeId(i)));

    [Test]
    public void An_entry_one_past_the_end_is_refused_not_read_from_the_spare_capacity()
    {
        var log = FiveEntries();
        Assert.That(() => log.EntryAt(6), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => log.TermAt(6), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void A_slice_that_starts_before_the_first_entry_is_refused_even_when_it_ends_inside()
    {
        var log = FiveEntries();
        log.CompactTo(2, Voters(1, 2, 3));
        Assert.That(() => log.Slice(2, 4), Throws.TypeOf<ArgumentOutOfRangeException>(), "entry 2 is in the snapshot");
        Assert.That(() => log.Slice(3, 6), Throws.TypeOf<ArgumentOutOfRangeException>(), "entry 6 does not exist");
        Assert.That(log.Slice(3, 5).Select(e => e.Index), Is.EqualTo(new long[] { 3, 4, 5 }));
    }

    [Test]
    public void The_last_index_of_a_term_finds_it_at_the_first_entry_and_at_the_snapshot_point()
    {
        var log = FiveEntries();
        Assert.That(log.LastIndexOfTerm(1), Is.EqualTo(2));
        Assert.That(LogOf(Entry(1, 1), Entry(2, 2)).LastIndexOfTerm(1), Is.EqualTo(1), "at index 1");

        log.CompactTo(4, Voters(1, 2, 3)); // the snapshot point's term, 2, is still known
        Assert.That(log.LastIndexOfTerm(2), Is.EqualTo(4), "at the snapshot point");
        Assert.That(log.LastIndexOfTerm(1), Is.Zero, "compacted before the snapshot point: not known any more");
    }

    [Test]
    public void Truncating_one_past_the_end_removes_nothing_and_further_is_refused()
    {
        var log = FiveEntries();
        var digest = log.DigestAt(5);

        log.TruncateFrom(6);

        Assert.That((log.LastIndex, log.DigestAt(5)), Is.EqualTo((5L, digest)));
        Assert.That(() => log.TruncateFrom(7), Throws.TypeOf<ArgumentOutOfRangeException>());
        log.CompactTo(2, Voters(1, 2, 3));
        Assert.That(() => log.TruncateFrom(2), Throws.TypeOf<ArgumentOutOfRangeException>(), "a compacted entry is committed: never truncated (§7)");
    }

    [Test]
    public void Compacting_to_the_current_snapshot_point_or_past_the_end_is_refused()
    {
        var log = FiveEntries();
        log.CompactTo(2, Voters(1, 2, 3));
        Assert.That(() => log.CompactTo(2, Voters(1, 2, 3)), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => log.CompactTo(6, Voters(1, 2, 3)), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That((log.SnapshotIndex, log.LastIndex), Is.EqualTo((2L, 5L)), "unchanged");
    }

    [Test]
    public void A_snapshot_at_exactly_the_last_entry_with_its_term_keeps_the_log_as_a_compaction()
    {
        var log = FiveEntries();
        var digest = log.DigestAt(5);

        var kept = log.InstallSnapshot(new SnapshotMetadata(5, 3, digest, Voters(1, 2, 3)));

        Assert.That(kept, Is.True, "Figure 13 step 6: the log has the snapshot's last entry");
        Assert.That((log.SnapshotIndex, log.LastIndex, log.LastTerm), Is.EqualTo((5L, 5L, 3L)));
    }

    [Test]
    public void A_snapshot_no_newer_than_the_current_one_is_refused()
    {
        var log = FiveEntries();
        var metadata = log.CompactTo(3, Voters(1, 2, 3));
        Assert.That(() => log.InstallSnapshot(metadata), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void A_snapshot_that_replaces_the_whole_log_forgets_the_configuration_entries_it_held()
    {
        var old = Voters(1, 2, 3);
        var log = LogOf(Entry(1, 1), new LogEntry(2, 1, EntryKind.Configuration, old.Encode()), Entry(3, 1));
        var installed = Voters(1, 2, 3, 4);

        var kept = log.InstallSnapshot(new SnapshotMetadata(7, 2, 42, installed)); // term 2 at 7: not in this log

        Assert.That(kept, Is.False);
        var (configuration, index) = log.ConfigurationAsOf(7)!.Value;
        Assert.That((configuration.Voters, index), Is.EqualTo((installed.Voters, 7L)), "the snapshot's configuration, not the discarded entry's");
    }
}
