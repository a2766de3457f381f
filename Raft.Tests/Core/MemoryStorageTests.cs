using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Storage;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// The in-memory disk of the tests and the simulator: what each persist effect leaves on it, and
/// what a restart reads back. Its rules are those a real disk must follow (Figure 2's persistent
/// state, Figure 13 for snapshots), so the simulator's durability checks rest on them.
/// </summary>
public sealed class MemoryStorageTests
{
    private static LogEntry Entry(long index, long term) => new(index, term, EntryKind.Command, [(byte)index, (byte)term]);

    private static PersistEntries Write(long firstIndex, params long[] terms) =>
        new(firstIndex, terms.Select((term, i) => Entry(firstIndex + i, term)).ToArray());

    private static PersistSnapshot SnapshotUpTo(long index, long term) =>
        new(new Snapshot(new SnapshotMetadata(index, term, 42UL, new Configuration([N(1), N(2), N(3)])), [1, 2, 3]));

    private static long?[] Terms(MemoryStorage storage, long upTo) =>
        Enumerable.Range(0, (int)upTo + 2).Select(i => storage.TermAt(i)).ToArray();

    [Test]
    public void A_new_storage_holds_term_zero_no_vote_no_entries_and_no_snapshot()
    {
        var loaded = new MemoryStorage().Load();

        Assert.That(loaded.HardState, Is.EqualTo(new HardState(0, null)));
        Assert.That(loaded.Entries, Is.Empty);
        Assert.That(loaded.Snapshot, Is.Null);
    }

    [Test]
    public void The_hard_state_is_replaced_by_each_write()
    {
        var storage = new MemoryStorage();
        storage.Persist(new PersistHardState(new HardState(3, N(2))));
        storage.Persist(new PersistHardState(new HardState(4, null)));

        Assert.That(storage.Load().HardState, Is.EqualTo(new HardState(4, null)));
    }

    [Test]
    public void Effects_that_persist_nothing_leave_the_storage_as_it_was()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1));

        storage.Persist(new ApplyEntry(Entry(1, 1)));

        Assert.That(storage.Entries.Select(e => e.Index), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public void A_write_replaces_every_stored_entry_from_its_first_index_on()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1, 1, 1));

        storage.Persist(Write(3, 2)); // a follower's log truncated at 3 and one new entry appended (§5.3)

        Assert.That(storage.Entries.Select(e => (e.Index, e.Term)), Is.EqualTo(new[] { (1L, 1L), (2L, 1L), (3L, 2L) }));
        Assert.That(storage.LastIndex, Is.EqualTo(3));
    }

    [Test]
    public void A_write_just_after_the_last_entry_appends()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1));

        storage.Persist(Write(2, 1, 2));

        Assert.That(Terms(storage, 3), Is.EqualTo(new long?[] { null, 1, 1, 2, null }), "index 0 holds no entry; index 4 none yet");
    }

    [Test]
    public void A_write_that_would_leave_a_hole_or_reach_into_the_snapshot_is_refused()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1, 1));
        storage.Persist(SnapshotUpTo(2, 1));

        Assert.Throws<InvalidOperationException>(() => storage.Persist(Write(5, 1)), "a hole after index 3");
        Assert.Throws<InvalidOperationException>(() => storage.Persist(Write(2, 1)), "index 2 is in the snapshot");
        storage.Persist(Write(3, 2)); // the bounds themselves are allowed
        storage.Persist(Write(4, 2));
        Assert.That(Terms(storage, 4), Is.EqualTo(new long?[] { null, null, 1, 2, 2, null }));
    }

    [Test]
    public void A_snapshot_whose_last_entry_is_stored_keeps_the_entries_after_it()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1, 2, 2));

        storage.Persist(SnapshotUpTo(3, 2)); // Figure 13, step 6

        Assert.That(storage.SnapshotIndex, Is.EqualTo(3));
        Assert.That(storage.Entries.Select(e => e.Index), Is.EqualTo(new long[] { 4 }));
        Assert.That((storage.LastIndex, storage.TermAt(3), storage.TermAt(4)), Is.EqualTo((4L, (long?)2, (long?)2)));
        Assert.That(storage.Load().Snapshot!.LastIncludedIndex, Is.EqualTo(3));
    }

    [Test]
    public void A_snapshot_that_ends_at_the_last_stored_entry_leaves_no_entries()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1));

        storage.Persist(SnapshotUpTo(2, 1));

        Assert.That((storage.Entries.Count, storage.LastIndex), Is.EqualTo((0, 2L)));
    }

    [Test]
    public void A_snapshot_that_conflicts_with_the_stored_entry_at_its_index_discards_the_whole_log()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1, 1, 1));

        storage.Persist(SnapshotUpTo(3, 2)); // Figure 13, step 7: index 3 has term 1 here

        Assert.That((storage.Entries.Count, storage.SnapshotIndex, storage.LastIndex), Is.EqualTo((0, 3L, 3L)));
    }

    [Test]
    public void A_snapshot_beyond_the_stored_log_discards_the_whole_log()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1));

        storage.Persist(SnapshotUpTo(5, 1));

        Assert.That((storage.Entries.Count, storage.SnapshotIndex, storage.LastIndex), Is.EqualTo((0, 5L, 5L)));
    }

    [Test]
    public void A_snapshot_newer_than_the_stored_one_keeps_the_entries_after_it()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1, 1, 1, 1));
        storage.Persist(SnapshotUpTo(2, 1));

        storage.Persist(SnapshotUpTo(4, 1)); // index 4 is the second entry after the old snapshot

        Assert.That(storage.Entries.Select(e => e.Index), Is.EqualTo(new long[] { 5 }));
        Assert.That(Terms(storage, 5), Is.EqualTo(new long?[] { null, null, null, null, 1, 1, null }));
    }

    [Test]
    public void A_snapshot_not_newer_than_the_stored_one_is_ignored()
    {
        var storage = new MemoryStorage();
        storage.Persist(Write(1, 1, 1, 1, 1));
        var kept = SnapshotUpTo(3, 1);
        storage.Persist(kept);

        storage.Persist(SnapshotUpTo(3, 1) with { Snapshot = new Snapshot(kept.Snapshot.Metadata, [9]) });
        storage.Persist(SnapshotUpTo(2, 1));

        Assert.That(storage.Snapshot, Is.SameAs(kept.Snapshot));
        Assert.That(storage.Entries.Select(e => e.Index), Is.EqualTo(new long[] { 4 }));
    }

    [Test]
    public void TermAt_knows_only_stored_entries_and_the_snapshots_last_one()
    {
        var storage = new MemoryStorage();
        Assert.That(storage.TermAt(0), Is.Null, "no snapshot: index 0 holds nothing");
        storage.Persist(Write(1, 1, 2, 3));
        storage.Persist(SnapshotUpTo(1, 1));

        Assert.That(Terms(storage, 3), Is.EqualTo(new long?[] { null, 1, 2, 3, null }));
    }

    [Test]
    public void A_copy_holds_the_same_state_and_does_not_change_with_the_original()
    {
        var storage = new MemoryStorage();
        storage.Persist(new PersistHardState(new HardState(2, N(1))));
        storage.Persist(Write(1, 1, 1, 2));
        storage.Persist(SnapshotUpTo(1, 1));

        var copy = storage.Copy();
        storage.Persist(Write(3, 3));
        storage.Persist(new PersistHardState(new HardState(3, null)));

        Assert.That(copy.HardState, Is.EqualTo(new HardState(2, N(1))));
        Assert.That(copy.Snapshot, Is.SameAs(storage.Snapshot));
        Assert.That(copy.Entries.Select(e => (e.Index, e.Term)), Is.EqualTo(new[] { (2L, 1L), (3L, 2L) }));
    }
}
