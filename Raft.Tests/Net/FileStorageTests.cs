using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Storage;
using Raft.Net.Storage;

namespace Raft.Tests.Net;

public sealed class FileStorageTests
{
    private string directory = "";

    private string LogPath => Path.Combine(directory, FileStorage.LogFileName);

    private string HardStatePath => Path.Combine(directory, FileStorage.HardStateFileName);

    [SetUp]
    public void CreateDirectory() =>
        directory = Path.Combine(Path.GetTempPath(), "raft-file-storage-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    [Test]
    public void Hard_state_and_entries_survive_a_reopen()
    {
        var hard = new HardState(3, new NodeId(2));
        var entries = new[] { LogEntry.NoOp(1, 1), Command(2, 1, "x=1"), Command(3, 3, "") };
        using (var storage = FileStorage.Open(directory))
        {
            storage.Persist(new PersistHardState(hard));
            storage.Persist(new PersistEntries(1, entries));
            storage.Sync();
        }

        using var reopened = FileStorage.Open(directory);
        var state = reopened.Load();
        Assert.That(state.HardState, Is.EqualTo(hard));
        Assert.That(state.Entries, Is.EqualTo(entries));
        Assert.That(reopened.DiscardedBytes, Is.Zero);
    }

    [Test]
    public void A_truncation_then_append_survives_a_reopen_without_rewriting_the_file()
    {
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistEntries(1, Entries(1, 5, term: 1)));
        var before = File.ReadAllBytes(LogPath);

        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistEntries(3, Entries(3, 4, term: 2)));

        var after = File.ReadAllBytes(LogPath);
        Assert.That(after.AsSpan(0, before.Length).SequenceEqual(before), Is.True, "the old records are untouched");
        using var reopened = FileStorage.Open(directory, fsync: false);
        Assert.That(reopened.Load().Entries, Is.EqualTo(Entries(1, 2, term: 1).Concat(Entries(3, 4, term: 2))));
    }

    [Test]
    public void Random_effects_with_random_reopens_load_the_same_state_as_MemoryStorage()
    {
        const int seed = 61_2024;
        var random = new Random(seed);
        var memory = new MemoryStorage();
        var file = FileStorage.Open(directory, fsync: false);
        try
        {
            for (var step = 0; step < 500; step++)
            {
                var effect = RandomEffect(random, memory);
                memory.Persist(effect);
                file.Persist(effect);
                if (random.Next(3) == 0)
                    file.Sync();
                if (random.Next(20) == 0)
                {
                    file.Dispose();
                    file = FileStorage.Open(directory, fsync: false);
                }
                if (random.Next(10) == 0)
                    AssertSameState(file.Load(), memory.Load(), $"seed {seed}, step {step}: {effect}");
            }
            file.Dispose();
            file = FileStorage.Open(directory, fsync: false);
            AssertSameState(file.Load(), memory.Load(), $"seed {seed}, after the last reopen");
            Assert.That(file.DiscardedBytes, Is.Zero);
        }
        finally
        {
            file.Dispose();
        }
    }

    [Test]
    public void A_tail_torn_at_any_byte_of_the_last_record_loses_only_that_record_and_later_appends_work()
    {
        var (intact, lastRecordStart) = WriteFourEntriesAndFindLastRecord();
        var kept = Entries(1, 3, term: 1);
        var replacement = Command(4, 7, "after the tear");

        for (var cut = lastRecordStart; cut < intact.Length; cut++)
        {
            File.WriteAllBytes(LogPath, intact[..cut]);
            using (var storage = FileStorage.Open(directory, fsync: false))
            {
                Assert.That(storage.Load().Entries, Is.EqualTo(kept), $"cut at {cut}");
                Assert.That(storage.DiscardedBytes, Is.EqualTo(cut - lastRecordStart), $"cut at {cut}");
                storage.Persist(new PersistEntries(4, [replacement]));
            }
            using var reopened = FileStorage.Open(directory, fsync: false);
            Assert.That(reopened.Load().Entries, Is.EqualTo(kept.Append(replacement)), $"cut at {cut}");
            Assert.That(reopened.DiscardedBytes, Is.Zero, $"cut at {cut}");
        }
    }

    [Test]
    public void A_flipped_byte_anywhere_in_the_last_record_drops_only_that_record()
    {
        // Covers the length field, the CRC and every payload byte (index, term, kind, command).
        var (intact, lastRecordStart) = WriteFourEntriesAndFindLastRecord();
        for (var offset = lastRecordStart; offset < intact.Length; offset++)
        {
            var damaged = (byte[])intact.Clone();
            damaged[offset] ^= 0x5A;
            File.WriteAllBytes(LogPath, damaged);
            using var storage = FileStorage.Open(directory, fsync: false);
            Assert.That(storage.Load().Entries, Is.EqualTo(Entries(1, 3, term: 1)), $"byte {offset} flipped");
            Assert.That(storage.DiscardedBytes, Is.EqualTo(intact.Length - lastRecordStart), $"byte {offset} flipped");
        }
    }

    [TestCase(1, TestName = "A_damaged_entry_in_the_middle_of_the_log_is_refused_with_the_file_and_offset")]
    [TestCase(-8, TestName = "A_damaged_length_field_in_the_middle_of_the_log_is_refused_with_the_file_and_offset")]
    public void A_damaged_record_with_valid_records_after_it_is_refused_not_cut(int byteInRecord)
    {
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistEntries(1, Entries(1, 2, term: 1)));
        var thirdStarts = new FileInfo(LogPath).Length;
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistEntries(3, Entries(3, 5, term: 1)));
        var bytes = File.ReadAllBytes(LogPath);
        bytes[thirdStarts + 8 + byteInRecord] ^= 0xFF; // entry 3's index, or its length field
        File.WriteAllBytes(LogPath, bytes);

        var refused = Assert.Throws<InvalidDataException>(() => FileStorage.Open(directory, fsync: false).Dispose());
        Assert.That(refused!.Message, Does.Contain(LogPath).And.Contain($"damaged at byte {thirdStarts}").And.Contain("a valid record follows at byte"));
        Assert.That(refused.Message, Does.Contain("refuses to start").And.Contain($"raft-net storage --data {directory}"));
        Assert.That(File.ReadAllBytes(LogPath), Is.EqualTo(bytes), "nothing is cut: entries 4 and 5 may have been acknowledged");
    }

    [Test]
    public void A_whole_record_out_of_sequence_is_refused_even_at_the_end()
    {
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistEntries(1, Entries(1, 2, term: 1)));
        var validLength = new FileInfo(LogPath).Length;
        using (var stream = new FileStream(LogPath, FileMode.Append))
            stream.Write(LogRecord.EncodeEntry(Command(7, 1, "from nowhere"))); // CRC-valid, but entry 3 was due

        var refused = Assert.Throws<InvalidDataException>(() => FileStorage.Open(directory, fsync: false).Dispose());
        Assert.That(refused!.Message, Does.Contain($"damaged at byte {validLength}: entry 7 where entry 3 was due"));
    }

    [TestCase(false, TestName = "Zeroes_appended_after_valid_records_are_discarded")]
    [TestCase(true, TestName = "Random_garbage_appended_after_valid_records_is_discarded")]
    public void Garbage_appended_after_valid_records_is_discarded(bool random)
    {
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistEntries(1, Entries(1, 3, term: 1)));
        var validLength = new FileInfo(LogPath).Length;
        var garbage = new byte[100];
        if (random)
            new Random(7).NextBytes(garbage);
        using (var stream = new FileStream(LogPath, FileMode.Append))
            stream.Write(garbage);

        using var reopened = FileStorage.Open(directory, fsync: false);
        Assert.That(reopened.Load().Entries, Is.EqualTo(Entries(1, 3, term: 1)));
        Assert.That(reopened.DiscardedBytes, Is.EqualTo(garbage.Length));
        Assert.That(new FileInfo(LogPath).Length, Is.EqualTo(validLength));
    }

    [Test]
    public void A_missing_directory_is_created_with_empty_storage()
    {
        var nested = Path.Combine(directory, "data", "n1");
        using var storage = FileStorage.Open(nested);
        var state = storage.Load();
        Assert.That(state.HardState, Is.EqualTo(PersistentState.Empty.HardState));
        Assert.That(state.Entries, Is.Empty);
        Assert.That(File.Exists(Path.Combine(nested, FileStorage.LogFileName)), Is.True);
    }

    [Test]
    public void An_empty_directory_gives_empty_storage()
    {
        Directory.CreateDirectory(directory);
        using var storage = FileStorage.Open(directory);
        var state = storage.Load();
        Assert.That(state.HardState, Is.EqualTo(new HardState(0, null)));
        Assert.That(state.Entries, Is.Empty);
        Assert.That(storage.DiscardedBytes, Is.Zero);
    }

    [TestCase(true, TestName = "A_complete_hardstate_temp_file_left_by_a_crash_before_rename_is_ignored")]
    [TestCase(false, TestName = "A_half_written_hardstate_temp_file_left_by_a_crash_is_ignored")]
    public void A_hardstate_temp_file_left_by_a_crash_before_rename_is_ignored(bool complete)
    {
        var promised = new HardState(5, new NodeId(2));
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistHardState(promised));
        var unpromised = HardStateFileBytes(new HardState(9, new NodeId(3)));
        File.WriteAllBytes(Path.Combine(directory, FileStorage.HardStateTempFileName),
            complete ? unpromised : unpromised[..(unpromised.Length / 2)]);

        using var reopened = FileStorage.Open(directory, fsync: false);
        Assert.That(reopened.Load().HardState, Is.EqualTo(promised));
        Assert.That(File.Exists(Path.Combine(directory, FileStorage.HardStateTempFileName)), Is.False, "and it is removed");
    }

    [TestCase(0, TestName = "A_hardstate_file_with_a_flipped_length_byte_is_refused")]
    [TestCase(5, TestName = "A_hardstate_file_with_a_flipped_crc_byte_is_refused")]
    [TestCase(10, TestName = "A_hardstate_file_with_a_flipped_term_byte_is_refused")]
    [TestCase(-1, TestName = "A_truncated_hardstate_file_is_refused")]
    [TestCase(-2, TestName = "An_empty_hardstate_file_is_refused")]
    public void A_corrupt_hardstate_file_is_refused_with_its_name(int damage)
    {
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistHardState(new HardState(4, new NodeId(1))));
        var bytes = File.ReadAllBytes(HardStatePath);
        bytes = damage switch
        {
            -1 => bytes[..^1],
            -2 => [],
            _ => Flip(bytes, damage),
        };
        File.WriteAllBytes(HardStatePath, bytes);

        Assert.That(() => FileStorage.Open(directory, fsync: false),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains(HardStatePath));
        Assert.That(File.Exists(LogPath) && new FileInfo(LogPath).Length == 0 && IsUnlocked(LogPath), Is.True,
            "a refused open leaves no file locked");
    }

    [Test]
    public void Many_persists_then_one_sync_cost_exactly_one_sync()
    {
        using var storage = FileStorage.Open(directory);
        storage.Persist(new PersistHardState(new HardState(1, new NodeId(1))));
        for (var index = 1; index <= 10; index++)
            storage.Persist(new PersistEntries(index, [Command(index, 1, $"op {index}")]));
        storage.Persist(new PersistHardState(new HardState(2, null)));
        Assert.That(storage.Syncs, Is.Zero, "Persist does not sync");
        Assert.That(File.Exists(HardStatePath), Is.False, "the new hard state is not in place before Sync");

        storage.Sync();
        storage.Sync();

        Assert.That(storage.Syncs, Is.EqualTo(1), "a sync with nothing new to sync is free");
        var hardStateBytes = new FileInfo(HardStatePath).Length;
        Assert.That(storage.BytesWritten, Is.EqualTo(new FileInfo(LogPath).Length + 2 * hardStateBytes));
        Assert.That(storage.Load().HardState, Is.EqualTo(new HardState(2, null)));
    }

    [Test]
    public void A_directory_cannot_be_opened_by_two_storages_at_once()
    {
        using var first = FileStorage.Open(directory, fsync: false);
        first.Persist(new PersistHardState(new HardState(2, new NodeId(1))));

        Assert.That(() => FileStorage.Open(directory, fsync: false), Throws.InstanceOf<IOException>());

        first.Sync();
        Assert.That(first.Load().HardState, Is.EqualTo(new HardState(2, new NodeId(1))), "the refused open disturbed nothing");
    }

    [Test]
    public void Persisting_entries_that_leave_a_gap_is_refused_and_writes_nothing()
    {
        using var storage = FileStorage.Open(directory, fsync: false);
        storage.Persist(new PersistEntries(1, Entries(1, 2, term: 1)));
        Assert.That(() => storage.Persist(new PersistEntries(4, Entries(4, 4, term: 1))), Throws.InvalidOperationException);
        Assert.That(() => storage.Persist(new PersistEntries(3, Entries(4, 4, term: 1))), Throws.InvalidOperationException);
        Assert.That(storage.Load().Entries, Is.EqualTo(Entries(1, 2, term: 1)));
    }

    private (byte[] Intact, int LastRecordStart) WriteFourEntriesAndFindLastRecord()
    {
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistEntries(1, Entries(1, 3, term: 1)));
        var lastRecordStart = (int)new FileInfo(LogPath).Length;
        using (var storage = FileStorage.Open(directory, fsync: false))
            storage.Persist(new PersistEntries(4, [Command(4, 2, "the last one")]));
        return (File.ReadAllBytes(LogPath), lastRecordStart);
    }

    private static Effect RandomEffect(Random random, MemoryStorage memory)
    {
        var lastTerm = memory.Entries.Count == 0 ? 0 : memory.Entries[^1].Term;
        if (random.Next(4) == 0)
        {
            var vote = random.Next(3) == 0 ? (NodeId?)null : new NodeId(random.Next(1, 6));
            return new PersistHardState(new HardState(lastTerm + random.Next(0, 3), vote));
        }
        var count = memory.Entries.Count;
        // Mostly appends; one in three rewrites a suffix (a conflict truncation), sometimes empty.
        var first = random.Next(3) == 0 ? random.Next(1, count + 2) : count + 1;
        var term = lastTerm + random.Next(0, 2);
        var written = new List<LogEntry>();
        for (var index = first; index < first + random.Next(0, 6); index++)
        {
            var command = new byte[random.Next(20) == 0 ? random.Next(10_000, 80_000) : random.Next(0, 40)];
            random.NextBytes(command);
            written.Add(random.Next(8) == 0 ? LogEntry.NoOp(index, term) : new LogEntry(index, term, EntryKind.Command, command));
        }
        return new PersistEntries(first, written);
    }

    private static void AssertSameState(PersistentState actual, PersistentState expected, string context)
    {
        Assert.That(actual.HardState, Is.EqualTo(expected.HardState), context);
        Assert.That(actual.Entries, Is.EqualTo(expected.Entries), context);
    }

    private byte[] HardStateFileBytes(HardState state)
    {
        var other = Path.Combine(directory + "-other");
        try
        {
            using (var storage = FileStorage.Open(other, fsync: false))
                storage.Persist(new PersistHardState(state));
            return File.ReadAllBytes(Path.Combine(other, FileStorage.HardStateFileName));
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    private static bool IsUnlocked(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        return true;
    }

    private static byte[] Flip(byte[] bytes, int offset)
    {
        bytes[offset] ^= 0x5A;
        return bytes;
    }

    private static LogEntry Command(long index, long term, string text) =>
        new(index, term, EntryKind.Command, System.Text.Encoding.UTF8.GetBytes(text));

    private static List<LogEntry> Entries(long first, long last, long term)
    {
        var entries = new List<LogEntry>();
        for (var index = first; index <= last; index++)
            entries.Add(Command(index, term, $"cmd {index}"));
        return entries;
    }
}
