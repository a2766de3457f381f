using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Storage;
using Raft.Net.Storage;

namespace Raft.Tests.Net;

/// <summary>
/// The log file is replaced by a shorter one once most of it is dead (docs/storage-format.md,
/// "Rewriting the log"): the new file must replay to exactly the same state, and a crash at any
/// point of the rewrite must leave a directory that does too.
/// </summary>
public sealed class FileStorageLogRewriteTests
{
    private const long LowThresholdBytes = 2_000;

    // docs/storage-format.md: an entry record is an 8-byte frame, 18 fixed payload bytes and the command;
    // a compaction marker is 8 + 17 bytes.
    private const int EntryOverheadBytes = 8 + 18;
    private const int CompactionMarkerBytes = 8 + 17;

    private string directory = "";

    private string LogPath => Path.Combine(directory, FileStorage.LogFileName);

    private string LogTempPath => Path.Combine(directory, FileStorage.LogTempFileName);

    [SetUp]
    public void CreateDirectory() =>
        directory = Path.Combine(Path.GetTempPath(), "raft-log-rewrite-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteDirectories()
    {
        foreach (var path in new[] { directory, directory + "-old", directory + "-new" })
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
    }

    [TestCase(7_001)]
    [TestCase(7_002)]
    [TestCase(7_003)]
    public void Random_effects_with_snapshots_and_log_rewrites_load_the_same_state_as_MemoryStorage(int seed)
    {
        var random = new Random(seed);
        var memory = new MemoryStorage();
        var file = FileStorage.Open(directory, fsync: false, logRewriteDeadBytes: LowThresholdBytes);
        long rewrites = 0, appendedEntryBytes = 0;
        try
        {
            for (var step = 0; step < 1_500; step++)
            {
                var effect = RandomEffect(random, memory);
                var context = $"seed {seed}, step {step}: {effect}";
                if (effect is PersistEntries write)
                    appendedEntryBytes += write.Entries.Sum(e => EntryOverheadBytes + e.Command.Length);
                memory.Persist(effect);
                file.Persist(effect);
                if (random.Next(3) == 0)
                {
                    file.Sync();
                    AssertRewriteRuleHolds(memory, context);
                }
                if (random.Next(40) == 0)
                {
                    rewrites += file.LogRewrites;
                    file.Dispose();
                    file = FileStorage.Open(directory, fsync: false, logRewriteDeadBytes: LowThresholdBytes);
                }
                if (random.Next(10) == 0)
                    AssertSameState(file.Load(), memory.Load(), context);
            }
            rewrites += file.LogRewrites;
            file.Dispose();
            file = FileStorage.Open(directory, fsync: false, logRewriteDeadBytes: LowThresholdBytes);
            AssertSameState(file.Load(), memory.Load(), $"seed {seed}, after the last reopen");
            Assert.That(file.DiscardedBytes, Is.Zero);
            Assert.That(File.Exists(LogTempPath), Is.False);
        }
        finally
        {
            file.Dispose();
        }

        Assert.That(rewrites, Is.GreaterThan(10), $"seed {seed}: the threshold is low enough for rewrites to happen often");
        Assert.That(new FileInfo(LogPath).Length, Is.LessThan(appendedEntryBytes / 10),
            $"seed {seed}: the log file is far smaller than the {appendedEntryBytes} entry bytes appended to it");
    }

    [Test]
    public void A_rewritten_log_is_shorter_and_reopens_to_the_same_state()
    {
        var (oldLog, newLog, expected) = LogsBeforeAndAfterARewrite();

        Assert.That(newLog.Length, Is.LessThan(oldLog.Length / 4));
        PlaceOldDirectory(log: newLog, logTemp: null);
        AssertReopensTo(expected, "the new log in place");
    }

    /// <summary>
    /// The rewrite writes <c>log.tmp</c> sequentially, fsyncs it and renames it over <c>log</c>. A
    /// crash before the rename leaves the old log and any prefix of the temp file (or garbage, for
    /// the unsynced part); after it, the new log and no temp file. Every such directory must reopen
    /// to the state before the rewrite and accept appends.
    /// </summary>
    [Test]
    public void A_crash_at_any_point_of_a_log_rewrite_reopens_to_the_state_before_it()
    {
        var (oldLog, newLog, expected) = LogsBeforeAndAfterARewrite();
        var garbage = new byte[300];
        new Random(5).NextBytes(garbage);

        var crashes = new List<(string Name, byte[] Log, byte[]? LogTemp)>
        {
            ("before log.tmp is created", oldLog, null),
            ("log.tmp complete and synced, not renamed", oldLog, newLog),
            ("log.tmp holds garbage", oldLog, garbage),
            ("after the rename", newLog, null),
        };
        for (var cut = 0; cut < newLog.Length; cut += 7)
            crashes.Add(($"log.tmp cut at byte {cut}", oldLog, newLog[..cut]));

        foreach (var (name, log, logTemp) in crashes)
        {
            PlaceOldDirectory(log, logTemp);
            AssertReopensTo(expected, name);
        }
    }

    [Test]
    public void After_a_rewrite_the_directory_stays_locked_and_appends_go_to_the_new_file()
    {
        using (var storage = FileStorage.Open(directory, fsync: false, logRewriteDeadBytes: LowThresholdBytes))
        {
            storage.Persist(new PersistEntries(1, Entries(1, 100, term: 1)));
            storage.Persist(new PersistSnapshot(SnapshotAt(95, 1)));
            storage.Sync();
            Assert.That(storage.LogRewrites, Is.EqualTo(1));

            Assert.That(() => FileStorage.Open(directory, fsync: false), Throws.InstanceOf<IOException>());
            storage.Persist(new PersistEntries(101, Entries(101, 102, term: 2)));
            storage.Sync();
            Assert.That(storage.Load().Entries, Is.EqualTo(Entries(96, 100, term: 1).Concat(Entries(101, 102, term: 2))));
        }

        using var reopened = FileStorage.Open(directory, fsync: false);
        Assert.That(reopened.Load().Entries, Is.EqualTo(Entries(96, 100, term: 1).Concat(Entries(101, 102, term: 2))));
        Assert.That(reopened.DiscardedBytes, Is.Zero);
    }

    [Test]
    public void A_log_below_the_threshold_is_not_rewritten()
    {
        using var storage = FileStorage.Open(directory, fsync: false);
        storage.Persist(new PersistEntries(1, Entries(1, 100, term: 1)));
        storage.Persist(new PersistSnapshot(SnapshotAt(95, 1)));
        storage.Sync();

        Assert.That(storage.LogRewrites, Is.Zero, "a few kilobytes of dead records are below the default threshold");
    }

    /// <summary>
    /// The same effects stored twice: once with rewrites off (the old log), once with the rewrite
    /// happening at the last sync (the new log). The hard state and snapshot files are identical.
    /// </summary>
    private (byte[] OldLog, byte[] NewLog, PersistentState Expected) LogsBeforeAndAfterARewrite()
    {
        Effect[] effects =
        [
            new PersistHardState(new HardState(1, new NodeId(1))),
            new PersistEntries(1, Entries(1, 60, term: 1)),
            new PersistHardState(new HardState(2, null)),
            new PersistEntries(41, Entries(41, 100, term: 2)), // a conflict: truncation marker, then 41..100
            new PersistSnapshot(SnapshotAt(90, 2)),
            new PersistEntries(101, Entries(101, 103, term: 2)),
        ];
        var old = directory + "-old";
        var rewritten = directory + "-new";
        using (var storage = FileStorage.Open(old, fsync: false, logRewriteDeadBytes: long.MaxValue))
        {
            foreach (var effect in effects) storage.Persist(effect);
            storage.Sync();
        }
        using (var storage = FileStorage.Open(rewritten, fsync: false, logRewriteDeadBytes: LowThresholdBytes))
        {
            foreach (var effect in effects) storage.Persist(effect);
            storage.Sync();
            Assert.That(storage.LogRewrites, Is.EqualTo(1), "the last sync rewrote the log");
        }
        foreach (var name in new[] { FileStorage.HardStateFileName, FileStorage.SnapshotFileName })
            Assert.That(File.ReadAllBytes(Path.Combine(rewritten, name)), Is.EqualTo(File.ReadAllBytes(Path.Combine(old, name))), name);
        Assert.That(File.Exists(Path.Combine(rewritten, FileStorage.LogTempFileName)), Is.False, "the temp file was renamed");

        PersistentState expected;
        using (var storage = FileStorage.Open(old, fsync: false, logRewriteDeadBytes: long.MaxValue))
            expected = storage.Load();
        Assert.That(expected.Entries, Is.EqualTo(Entries(91, 103, term: 2)));
        return (File.ReadAllBytes(Path.Combine(old, FileStorage.LogFileName)), File.ReadAllBytes(Path.Combine(rewritten, FileStorage.LogFileName)), expected);
    }

    /// <summary>Fills the test directory with the old hard state and snapshot files and the given log files, as a crash would leave them.</summary>
    private void PlaceOldDirectory(byte[] log, byte[]? logTemp)
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        foreach (var name in new[] { FileStorage.HardStateFileName, FileStorage.SnapshotFileName })
            File.Copy(Path.Combine(directory + "-old", name), Path.Combine(directory, name));
        File.WriteAllBytes(LogPath, log);
        if (logTemp is not null)
            File.WriteAllBytes(LogTempPath, logTemp);
    }

    /// <summary>Reopens (with rewrites on), compares with <paramref name="expected"/>, appends, and reopens once more.</summary>
    private void AssertReopensTo(PersistentState expected, string crash)
    {
        var next = new LogEntry(104, 3, EntryKind.Command, [42]);
        using (var storage = FileStorage.Open(directory, fsync: false, logRewriteDeadBytes: LowThresholdBytes))
        {
            AssertSameState(storage.Load(), expected, crash);
            Assert.That(storage.DiscardedBytes, Is.Zero, crash);
            Assert.That(File.Exists(LogTempPath), Is.False, $"{crash}: log.tmp is deleted on open");
            storage.Persist(new PersistEntries(104, [next]));
            storage.Sync();
        }
        using var reopened = FileStorage.Open(directory, fsync: false);
        AssertSameState(reopened.Load(), expected with { Entries = [.. expected.Entries, next] }, $"{crash}, after an append");
    }

    /// <summary>After a sync the dead bytes are below the threshold or at most half the file (docs/storage-format.md).</summary>
    private void AssertRewriteRuleHolds(MemoryStorage memory, string context)
    {
        var liveBytes = (memory.Snapshot is null ? 0 : CompactionMarkerBytes) + memory.Entries.Sum(e => EntryOverheadBytes + (long)e.Command.Length);
        var deadBytes = new FileInfo(LogPath).Length - liveBytes;
        Assert.That(deadBytes, Is.GreaterThanOrEqualTo(0), context);
        Assert.That(deadBytes < LowThresholdBytes || deadBytes <= liveBytes, Is.True,
            $"{context}: {deadBytes} dead bytes, {liveBytes} live bytes after a sync");
    }

    private static Effect RandomEffect(Random random, MemoryStorage memory)
    {
        var snapshotIndex = memory.Snapshot?.LastIncludedIndex ?? 0;
        var lastIndex = snapshotIndex + memory.Entries.Count;
        var lastTerm = memory.Entries.Count > 0 ? memory.Entries[^1].Term : memory.Snapshot?.LastIncludedTerm ?? 1;
        switch (random.Next(10))
        {
            case 0:
                var vote = random.Next(3) == 0 ? (NodeId?)null : new NodeId(random.Next(1, 6));
                return new PersistHardState(new HardState(lastTerm + random.Next(0, 3), vote));
            case 1:
                // Mostly at an entry we hold with its term (the entries after it stay), sometimes
                // with another term or beyond our last entry (Figure 13: the whole log goes); now
                // and then an old one, which is ignored.
                var index = random.Next(8) == 0 ? random.Next(1, (int)snapshotIndex + 2) : random.Next((int)snapshotIndex + 1, (int)lastIndex + 4);
                var held = index > snapshotIndex && index <= lastIndex;
                var term = held && random.Next(4) != 0 ? memory.Entries[(int)(index - snapshotIndex - 1)].Term : lastTerm + random.Next(0, 2);
                return new PersistSnapshot(SnapshotAt(index, term));
        }
        // Mostly appends; one in four rewrites a suffix (a conflict truncation), sometimes empty.
        var first = random.Next(4) == 0 && lastIndex > snapshotIndex ? random.Next((int)snapshotIndex + 1, (int)lastIndex + 2) : lastIndex + 1;
        var entryTerm = lastTerm + random.Next(0, 2);
        var written = new List<LogEntry>();
        for (var i = first; i < first + random.Next(0, 12); i++)
        {
            var command = new byte[random.Next(50) == 0 ? random.Next(2_000, 20_000) : random.Next(0, 60)];
            random.NextBytes(command);
            written.Add(random.Next(8) == 0 ? LogEntry.NoOp(i, entryTerm) : new LogEntry(i, entryTerm, EntryKind.Command, command));
        }
        return new PersistEntries(first, written);
    }

    private static void AssertSameState(PersistentState actual, PersistentState expected, string context)
    {
        Assert.That(actual.HardState, Is.EqualTo(expected.HardState), context);
        Assert.That(actual.Entries, Is.EqualTo(expected.Entries), context);
        Assert.That(actual.Snapshot?.Metadata, Is.EqualTo(expected.Snapshot?.Metadata), context);
        Assert.That(actual.Snapshot?.Data, Is.EqualTo(expected.Snapshot?.Data), context);
    }

    private static Snapshot SnapshotAt(long index, long term) =>
        new(new SnapshotMetadata(index, term, 0xD16E_0000UL + (ulong)index, new Configuration(NodeId.Range(3), [])), [7, (byte)index, (byte)term]);

    private static List<LogEntry> Entries(long first, long last, long term) =>
        [.. Enumerable.Range((int)first, (int)(last - first + 1)).Select(i => new LogEntry(i, term, EntryKind.Command, [(byte)i, (byte)term, 1, 2, 3, 4, 5, 6]))];
}
