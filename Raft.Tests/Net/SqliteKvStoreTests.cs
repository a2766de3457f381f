using Raft.Core.Log;
using Raft.Core.StateMachine;
using Raft.Net.StateMachine;

namespace Raft.Tests.Net;

/// <summary>
/// The SQLite store on its own: the same answers as <see cref="KvStateMachine"/>, crashes at any
/// write leave exactly a committed prefix, snapshots round-trip, and foreign bytes are refused.
/// </summary>
public sealed class SqliteKvStoreTests
{
    private string root = "";

    [SetUp]
    public void CreateRoot()
    {
        root = Path.Combine(Path.GetTempPath(), $"raft-sqlite-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
    }

    [TearDown]
    public void DeleteRoot() => Directory.Delete(root, recursive: true);

    /// <summary>
    /// A crash is simulated as kill -9 would leave the disk: at a random write inside an entry's
    /// transaction, the database files are copied as they are (the OS holds every write made so far,
    /// the open transaction is not committed), and the store is abandoned. The restarted store opens
    /// the copy; as NodeHost does, it is fed the log again from an earlier point (the core re-delivers
    /// from its snapshot) and skips what it already holds. After every crash it must equal the
    /// reference fed the committed prefix once, and in the end the whole log.
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void A_store_crashed_at_random_writes_holds_exactly_a_prefix_of_the_log_applied_once(int seed)
    {
        var random = new Random(seed);
        var log = Workload(random, 300);
        var directory = Path.Combine(root, "run0");
        var crashes = 0;
        while (true)
        {
            // Each run applies at least one entry before it crashes; a store that keeps none would loop for ever.
            if (crashes > 10 * log.Count) Assert.Fail($"no end after {crashes} crashes: the store keeps no progress across restarts");
            using var store = SqliteKvStore.Open(directory);
            AssertEqualsPrefix(store, log);
            var writesLeft = random.Next(1, 120);
            string? crashedInto = null;
            store.AfterWrite = () =>
            {
                if (--writesLeft > 0) return;
                crashedInto = Path.Combine(root, $"run{++crashes}");
                CopyDatabaseFiles(directory, crashedInto);
                throw new SimulatedCrash();
            };
            var from = random.Next(1, (int)store.LastApplied + 2); // the core re-delivers from its snapshot point
            try
            {
                foreach (var entry in log.Skip(from - 1))
                {
                    if (entry.Index <= store.LastApplied) continue; // NodeHost's rule: applied before the restart
                    Assert.That(store.Apply(entry), Is.EqualTo(Reference(log, entry.Index - 1).Apply(entry)), $"result of entry {entry.Index}");
                }
            }
            catch (SimulatedCrash)
            {
                directory = crashedInto!;
                continue;
            }
            Assert.That(store.LastApplied, Is.EqualTo(log.Count));
            break;
        }
        using (var final = SqliteKvStore.Open(directory)) AssertEqualsPrefix(final, log);
        Assert.That(crashes, Is.GreaterThan(3), "the seed crashes the store several times");
    }

    [Test]
    public void A_snapshot_restored_into_a_fresh_store_has_the_same_values_sessions_and_last_applied_index()
    {
        var log = Workload(new Random(7), 120);
        log.Add(Command(121, 1, 9, KvOperation.Append, "z", "!"));
        byte[] snapshot;
        byte[] state;
        using (var source = SqliteKvStore.Open(Path.Combine(root, "source")))
        {
            foreach (var entry in log) source.Apply(entry);
            snapshot = source.Snapshot();
            state = source.ToKvSnapshot();
        }

        using var target = SqliteKvStore.Open(Path.Combine(root, "target"));
        target.Apply(Command(1, 1, 1, KvOperation.Put, "only-here", "x"));
        target.Restore(new Snapshot(new SnapshotMetadata(log.Count, 1, 0, Raft.Core.Membership.Configuration.Empty), snapshot));

        Assert.That(target.LastApplied, Is.EqualTo(log.Count));
        Assert.That(target.ToKvSnapshot(), Is.EqualTo(state));
        Assert.That(target.ToKvSnapshot(), Is.EqualTo(Reference(log, log.Count).Snapshot()), "the state the reference reaches");
        Assert.That(target.Get("only-here"), Is.Null, "the old state is gone");
        // The sessions came along: a retry of client 9's append is answered from memory, not run again.
        var retry = Command(log.Count + 1, 1, 9, KvOperation.Append, "z", "!");
        Assert.That(KvResult.Decode(target.Apply(retry)), Is.EqualTo(new KvResult(true, "!")));
        Assert.That(target.Get("z"), Is.EqualTo("!"));
        Assert.That(target.IsStale(new KvCommand(9, 0, KvOperation.Put, "z", "old")), Is.True);
        CopyDatabaseFiles(Path.Combine(root, "target"), Path.Combine(root, "target-copy"));
        using var reopened = SqliteKvStore.Open(Path.Combine(root, "target-copy"));
        Assert.That(reopened.LastApplied, Is.EqualTo(log.Count + 1), "the restored database is the one on disk");
    }

    [Test]
    public void A_snapshot_whose_index_differs_from_the_one_it_claims_is_refused_and_changes_nothing()
    {
        using var store = SqliteKvStore.Open(Path.Combine(root, "a"));
        store.Apply(Command(1, 1, 1, KvOperation.Put, "k", "v"));
        var snapshot = store.Snapshot();
        var claimsTwo = new Snapshot(new SnapshotMetadata(2, 1, 0, Raft.Core.Membership.Configuration.Empty), snapshot);

        Assert.That(() => store.CheckRestorable(claimsTwo), Throws.TypeOf<InvalidDataException>().With.Message.Contain("applied up to entry 1"));
        Assert.That(() => store.Restore(claimsTwo), Throws.TypeOf<InvalidDataException>());
        Assert.That(store.Get("k"), Is.EqualTo("v"));
        Assert.That(store.LastApplied, Is.EqualTo(1));
        Assert.That(Directory.GetFiles(Path.Combine(root, "a")).Select(Path.GetFileName), Has.None.Contain(".check").And.None.Contain(".restore"));
    }

    [TestCase(new byte[0])]
    [TestCase(new byte[] { 1, 2, 3, 4 })]
    public void Bytes_that_are_not_a_store_database_are_refused(byte[] data)
    {
        using var store = SqliteKvStore.Open(Path.Combine(root, "a"));
        var snapshot = new Snapshot(new SnapshotMetadata(0, 0, 0, Raft.Core.Membership.Configuration.Empty), data);

        Assert.That(() => store.CheckRestorable(snapshot), Throws.TypeOf<InvalidDataException>());
        Assert.That(() => store.Restore(data), Throws.TypeOf<InvalidDataException>());
        store.Apply(Command(1, 1, 1, KvOperation.Put, "k", "v"));
        Assert.That(store.Get("k"), Is.EqualTo("v"), "the store still works");
    }

    [Test]
    public void A_database_with_another_schema_is_refused()
    {
        var other = Path.Combine(root, "other");
        using (var store = SqliteKvStore.Open(other))
        {
            store.Apply(Command(1, 1, 1, KvOperation.Put, "k", "v"));
        }
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(other, SqliteKvStore.FileName)};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TRIGGER t AFTER INSERT ON kv BEGIN DELETE FROM sessions; END";
            command.ExecuteNonQuery();
        }

        Assert.That(() => SqliteKvStore.Open(other), Throws.TypeOf<InvalidDataException>().With.Message.Contain("unexpected schema"));
    }

    [Test]
    public void Entries_apply_once_each_in_index_order()
    {
        using var store = SqliteKvStore.Open(Path.Combine(root, "a"));
        store.Apply(LogEntry.NoOp(1, 1));

        Assert.That(() => store.Apply(LogEntry.NoOp(1, 1)), Throws.InvalidOperationException);
        Assert.That(() => store.Apply(LogEntry.NoOp(3, 1)), Throws.InvalidOperationException);
        Assert.That(store.LastApplied, Is.EqualTo(1));
    }

    [Test]
    public void Values_lists_every_key_like_the_reference_store()
    {
        var log = Workload(new Random(11), 80);
        using var store = SqliteKvStore.Open(Path.Combine(root, "a"));
        foreach (var entry in log) store.Apply(entry);

        Assert.That(store.Values, Is.EquivalentTo(Reference(log, log.Count).Values));
        Assert.That(store.Get("absent"), Is.Null);
    }

    private static void AssertEqualsPrefix(SqliteKvStore store, IReadOnlyList<LogEntry> log)
    {
        Assert.That(store.LastApplied, Is.InRange(0, log.Count));
        Assert.That(store.ToKvSnapshot(), Is.EqualTo(Reference(log, store.LastApplied).Snapshot()),
            $"the database after a crash equals the log's first {store.LastApplied} entries applied once");
    }

    /// <summary>The reference store fed the first <paramref name="count"/> entries.</summary>
    private static KvStateMachine Reference(IReadOnlyList<LogEntry> log, long count)
    {
        var reference = new KvStateMachine();
        foreach (var entry in log.Take((int)count)) reference.Apply(entry);
        return reference;
    }

    /// <summary>
    /// A committed log as clients make it: four clients with puts, appends (which a double apply
    /// would show), compare-and-sets and gets, retries of the last command and of older ones, no-ops.
    /// </summary>
    private static List<LogEntry> Workload(Random random, int count)
    {
        var log = new List<LogEntry>();
        var sequences = new long[5];
        var previous = new KvCommand?[5];
        for (var index = 1; index <= count; index++)
        {
            if (random.Next(15) == 0)
            {
                log.Add(LogEntry.NoOp(index, 1));
                continue;
            }
            var client = random.Next(1, 5);
            var key = $"k{random.Next(4)}";
            var roll = random.Next(100);
            KvCommand command;
            if (roll < 10 && previous[client] is { } retried)
            {
                command = retried; // a retry of the client's last command
            }
            else if (roll < 14 && sequences[client] > 1)
            {
                command = new KvCommand(client, sequences[client] - 1, KvOperation.Put, key, "stale"); // older than the last: refused
            }
            else
            {
                var operation = roll switch
                {
                    < 30 => KvOperation.Get,
                    < 50 => KvOperation.Put,
                    < 85 => KvOperation.Append,
                    _ => KvOperation.CompareAndSet,
                };
                command = new KvCommand(client, ++sequences[client], operation, key, $"{client}.{index};", random.Next(2) == 0 ? null : $"{client}.{index - 1};");
                previous[client] = command;
            }
            log.Add(new LogEntry(index, 1, EntryKind.Command, command.Encode()));
        }
        return log;
    }

    private static LogEntry Command(long index, long term, long client, KvOperation operation, string key, string? value, long sequence = 1) =>
        new(index, term, EntryKind.Command, new KvCommand(client, sequence, operation, key, value).Encode());

    /// <summary>What a kill -9 leaves: the database, its write-ahead log and its index, as they are now.</summary>
    private static void CopyDatabaseFiles(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            var source = Path.Combine(from, SqliteKvStore.FileName + suffix);
            if (File.Exists(source)) File.Copy(source, Path.Combine(to, SqliteKvStore.FileName + suffix));
        }
    }

    private sealed class SimulatedCrash : Exception;
}
