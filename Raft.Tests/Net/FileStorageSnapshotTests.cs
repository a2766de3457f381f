using System.Buffers.Binary;
using System.IO.Hashing;
using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Net.Storage;

namespace Raft.Tests.Net;

/// <summary>§7 on disk: the snapshot file is replaced atomically and the log records where it was compacted.</summary>
public sealed class FileStorageSnapshotTests
{
    private string directory = "";

    private string LogPath => Path.Combine(directory, FileStorage.LogFileName);

    [SetUp]
    public void CreateDirectory() =>
        directory = Path.Combine(Path.GetTempPath(), "raft-file-snapshot-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }

    private static List<LogEntry> Entries(long first, long last, long term) =>
        [.. Enumerable.Range((int)first, (int)(last - first + 1)).Select(i => new LogEntry(i, term, EntryKind.Command, [(byte)i]))];

    private static Snapshot SnapshotAt(long index, long term) =>
        new(new SnapshotMetadata(index, term, 0xFEED_0000UL + (ulong)index, new Raft.Core.Membership.Configuration(Raft.Core.NodeId.Range(3), [new Raft.Core.NodeId(4)])), [1, 2, 3, (byte)index]);

    private static void AssertSameSnapshot(Snapshot? actual, Snapshot expected)
    {
        Assert.That(actual, Is.Not.Null);
        Assert.That(actual!.Metadata, Is.EqualTo(expected.Metadata));
        Assert.That(actual.Data, Is.EqualTo(expected.Data));
    }

    [Test]
    public void A_snapshot_and_the_entries_after_it_survive_a_reopen()
    {
        var snapshot = SnapshotAt(3, 1);
        using (var storage = FileStorage.Open(directory, fsync: false))
        {
            storage.Persist(new PersistHardState(new HardState(1, null)));
            storage.Persist(new PersistEntries(1, Entries(1, 5, term: 1)));
            storage.Persist(new PersistSnapshot(snapshot));
            storage.Sync();
        }

        using var reopened = FileStorage.Open(directory, fsync: false);
        var state = reopened.Load();
        AssertSameSnapshot(state.Snapshot, snapshot);
        Assert.That(state.Entries, Is.EqualTo(Entries(4, 5, term: 1)));
        Assert.That(reopened.DiscardedBytes, Is.Zero);
    }

    [Test]
    public void A_snapshot_whose_last_entry_is_not_stored_replaces_the_log_and_later_entries_follow_it()
    {
        var snapshot = SnapshotAt(8, 2);
        using (var storage = FileStorage.Open(directory, fsync: false))
        {
            storage.Persist(new PersistEntries(1, Entries(1, 5, term: 1)));
            storage.Persist(new PersistSnapshot(snapshot));
            storage.Persist(new PersistEntries(9, Entries(9, 10, term: 2)));
            storage.Sync();
        }

        using var reopened = FileStorage.Open(directory, fsync: false);
        var state = reopened.Load();
        AssertSameSnapshot(state.Snapshot, snapshot);
        Assert.That(state.Entries, Is.EqualTo(Entries(9, 10, term: 2)));
    }

    [Test]
    public void A_crash_after_the_snapshot_rename_but_before_its_log_marker_repeats_the_compaction_on_open()
    {
        var snapshot = SnapshotAt(3, 1);
        long logBeforeMarker;
        using (var storage = FileStorage.Open(directory, fsync: false))
        {
            storage.Persist(new PersistEntries(1, Entries(1, 5, term: 1)));
            storage.Sync();
            logBeforeMarker = new FileInfo(LogPath).Length;
            storage.Persist(new PersistSnapshot(snapshot));
        }
        using (var log = new FileStream(LogPath, FileMode.Open))
            log.SetLength(logBeforeMarker); // the marker never reached the disk

        using (var reopened = FileStorage.Open(directory, fsync: false))
        {
            var state = reopened.Load();
            AssertSameSnapshot(state.Snapshot, snapshot);
            Assert.That(state.Entries, Is.EqualTo(Entries(4, 5, term: 1)));
            reopened.Persist(new PersistEntries(6, Entries(6, 6, term: 1))); // appends must continue cleanly
            reopened.Sync();
        }

        using var again = FileStorage.Open(directory, fsync: false);
        Assert.That(again.Load().Entries, Is.EqualTo(Entries(4, 6, term: 1)));
        Assert.That(again.DiscardedBytes, Is.Zero);
    }

    [Test]
    public void An_older_snapshot_does_not_replace_a_newer_one()
    {
        using var storage = FileStorage.Open(directory, fsync: false);
        storage.Persist(new PersistEntries(1, Entries(1, 6, term: 1)));
        storage.Persist(new PersistSnapshot(SnapshotAt(5, 1)));
        storage.Persist(new PersistSnapshot(SnapshotAt(3, 1)));
        storage.Sync();

        var state = storage.Load();
        AssertSameSnapshot(state.Snapshot, SnapshotAt(5, 1));
        Assert.That(state.Entries, Is.EqualTo(Entries(6, 6, term: 1)));
    }

    [Test]
    public void A_write_into_the_compacted_prefix_is_refused()
    {
        using var storage = FileStorage.Open(directory, fsync: false);
        storage.Persist(new PersistEntries(1, Entries(1, 4, term: 1)));
        storage.Persist(new PersistSnapshot(SnapshotAt(3, 1)));

        Assert.Throws<InvalidOperationException>(() => storage.Persist(new PersistEntries(2, Entries(2, 2, term: 1))));
    }

    [Test]
    public void A_damaged_snapshot_file_is_refused_with_a_clear_error()
    {
        using (var storage = FileStorage.Open(directory, fsync: false))
        {
            storage.Persist(new PersistEntries(1, Entries(1, 4, term: 1)));
            storage.Persist(new PersistSnapshot(SnapshotAt(3, 1)));
        }
        var path = Path.Combine(directory, FileStorage.SnapshotFileName);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var thrown = Assert.Throws<InvalidDataException>(() => FileStorage.Open(directory, fsync: false).Dispose());
        Assert.That(thrown!.Message, Does.Contain("snapshot"));
    }

    [TestCase(0, TestName = "A snapshot of a server waiting to join keeps its empty configuration across a reopen")]
    [TestCase(1, TestName = "A snapshot keeps its voters and learners across a reopen")]
    [TestCase(2, TestName = "A snapshot keeps a configuration of the largest size across a reopen")]
    public void A_snapshot_keeps_its_configuration_across_a_reopen(int which)
    {
        var configuration = which switch
        {
            0 => Configuration.Empty,
            1 => new Configuration([new NodeId(2), new NodeId(5), new NodeId(7)], [new NodeId(3), new NodeId(9)]),
            _ => new Configuration(NodeId.Range(Configuration.MaxMembers / 2), Enumerable.Range(Configuration.MaxMembers / 2 + 1, Configuration.MaxMembers / 2).Select(i => new NodeId(i))),
        };
        var snapshot = new Snapshot(new SnapshotMetadata(4, 2, 0xC0FFEEUL, configuration), [9, 9]);
        using (var storage = FileStorage.Open(directory, fsync: false))
        {
            storage.Persist(new PersistEntries(1, Entries(1, 4, term: 2)));
            storage.Persist(new PersistSnapshot(snapshot));
        }

        using var reopened = FileStorage.Open(directory, fsync: false);

        Assert.That(reopened.Load().Snapshot!.Metadata.Configuration, Is.EqualTo(configuration));
    }

    /// <summary>
    /// The CRC is made to match, so only the configuration's length field is wrong: the reader must
    /// still refuse the file rather than read data bytes as members or members as data.
    /// </summary>
    [TestCase(-1, TestName = "A negative configuration length in the snapshot file is reported as damage")]
    [TestCase(1_000_000, TestName = "A configuration length beyond the end of the snapshot file is reported as damage")]
    [TestCase(6, TestName = "A configuration length that cuts an id in half is reported as damage")]
    public void A_damaged_configuration_length_is_reported_as_damage(int length)
    {
        using (var storage = FileStorage.Open(directory, fsync: false))
        {
            storage.Persist(new PersistEntries(1, Entries(1, 4, term: 1)));
            storage.Persist(new PersistSnapshot(SnapshotAt(3, 1)));
        }
        var path = Path.Combine(directory, FileStorage.SnapshotFileName);
        var payload = File.ReadAllBytes(path)[8..];
        // docs/storage-format.md: tag u8 | index i64 | term i64 | digest u64 | configuration length i32 | configuration | data
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(25), length);
        File.WriteAllBytes(path, Reframe(payload));

        var thrown = Assert.Throws<InvalidDataException>(() => FileStorage.Open(directory, fsync: false).Dispose());
        Assert.That(thrown!.Message, Does.Contain("snapshot").And.Contain("damaged"));
    }

    /// <summary>A record as docs/storage-format.md describes it: length u32 LE, CRC-32 of length and payload, payload.</summary>
    private static byte[] Reframe(byte[] payload)
    {
        var record = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        payload.CopyTo(record.AsSpan(8));
        var crc = new Crc32();
        crc.Append(record.AsSpan(0, 4));
        crc.Append(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), crc.GetCurrentHashAsUInt32());
        return record;
    }
}
