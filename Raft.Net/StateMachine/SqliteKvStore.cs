using System.Text;
using Microsoft.Data.Sqlite;
using Raft.Core.Log;
using Raft.Core.StateMachine;
using Raft.Net.Storage;

namespace Raft.Net.StateMachine;

/// <summary>
/// The key-value store in a SQLite database (<c>--store sqlite</c>), with exactly
/// <see cref="KvStateMachine"/>'s semantics: the same results, the same client sessions for
/// exactly-once commands (thesis §6.3), gets that change nothing.
/// <para>
/// One entry, one transaction: its effect on the values, its client's session and its index as the
/// last applied commit together or not at all. After a crash at any moment the database holds every
/// entry up to <see cref="LastApplied"/> exactly once and nothing after it, so the restarted node
/// skips the entries the core re-delivers up to there and applies the rest.
/// </para>
/// <para>
/// Journal mode WAL, <c>synchronous=NORMAL</c>. In WAL mode a commit is appended to the write-ahead
/// log with checksums, and recovery drops a torn commit, so no half-applied entry survives any crash.
/// NORMAL does not fsync at commit (only at checkpoints): a killed process loses nothing committed
/// (the OS holds the writes), while a power loss may take back the last few commits. The database
/// then lags, which is harmless: the Raft log is the source of truth, and the node re-applies the
/// lost entries from it, or, where compaction removed them, first restores its Raft snapshot (see
/// NodeHost.Start). The database is never ahead of what is committed, since only committed entries
/// are applied. FULL would add an fsync per applied entry to the log's, for a guarantee the log
/// already gives. WAL rather than a rollback journal: one sequential write per commit, and the
/// snapshot's backup reads beside it. Without fsync (<c>--no-fsync</c>) the level is OFF.
/// </para>
/// <para>
/// A snapshot (§7) is a copy of the whole database file taken with SQLite's online backup, so it
/// carries the sessions and the last applied index; <see cref="Restore(byte[])"/> replaces the file
/// atomically (temp file, fsync, rename, fsync the directory) and reopens it.
/// </para>
/// </summary>
public sealed class SqliteKvStore : IKeyValueStore, INodeStore
{
    /// <summary>The database's file name in the node's data directory.</summary>
    public const string FileName = "state.db";

    private const long ApplicationId = 0x5241_4654; // "RAFT" in the file header: not some other program's database
    private const long FormatVersion = 1;

    /// <summary>The schema, as SQLite keeps it in sqlite_schema; a snapshot must have exactly this one.</summary>
    private static readonly string[] Schema =
    [
        "CREATE TABLE applied (id INTEGER PRIMARY KEY CHECK (id = 0), last_index INTEGER NOT NULL)",
        "CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE sessions (client INTEGER PRIMARY KEY, sequence INTEGER NOT NULL, result BLOB NOT NULL)",
    ];

    private readonly string path;
    private readonly bool fsync;
    private SqliteConnection connection;
    private readonly Dictionary<string, SqliteCommand> prepared = []; // by SQL text, for the open connection
    private SqliteTransaction? transaction; // the entry being applied

    private SqliteKvStore(string path, bool fsync)
    {
        this.path = path;
        this.fsync = fsync;
        connection = Connect();
    }

    /// <summary>Opens (or creates) the store's database in <paramref name="directory"/> (created if need be).</summary>
    /// <param name="directory">The node's data directory.</param>
    /// <param name="fsync">Whether checkpoints and restores fsync; false only for runs that do not survive power loss.</param>
    /// <exception cref="InvalidDataException">The file is not a key-value store database.</exception>
    public static SqliteKvStore Open(string directory, bool fsync = true)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        try
        {
            return new SqliteKvStore(path, fsync);
        }
        catch (SqliteException e)
        {
            // A damaged file: refuse it whole rather than guess. The Raft log and snapshot, the
            // source of truth, are untouched; without the file the node rebuilds it from them.
            throw new InvalidDataException(
                $"state database '{path}' cannot be opened as a key-value store ({e.Message.TrimEnd('.')}). " +
                "The node's Raft log and snapshot are untouched: move the file away and the node rebuilds the store from them at its next start.", e);
        }
    }

    public long LastApplied { get; private set; }

    /// <summary>Test seam: called after each write within an entry's transaction; a test throws from it to crash mid-entry.</summary>
    internal Action? AfterWrite { get; set; }

    /// <summary>Every key and value, read from the database into a new dictionary (for checks; reads use <see cref="Get"/>).</summary>
    public IReadOnlyDictionary<string, string> Values
    {
        get
        {
            var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
            using var rows = Prepared("SELECT key, value FROM kv").ExecuteReader();
            while (rows.Read()) values[rows.GetString(0)] = rows.GetString(1);
            return values;
        }
    }

    public byte[] Apply(LogEntry entry)
    {
        if (entry.Index != LastApplied + 1)
            throw new InvalidOperationException($"entry {entry.Index} applied after entry {LastApplied}: entries apply once each, in order");
        using var applying = connection.BeginTransaction();
        transaction = applying;
        try
        {
            var result = entry.Kind == EntryKind.Command ? Execute(KvCommand.Decode(entry.Command)).Encode() : [];
            SetLastApplied(entry.Index);
            applying.Commit();
            LastApplied = entry.Index;
            return result;
        }
        finally
        {
            transaction = null;
        }
    }

    public bool IsStale(KvCommand command) =>
        command.Operation != KvOperation.Get && Session(command.ClientId) is { } session && command.Sequence < session.Sequence;

    public string? Get(string key) => Prepared("SELECT value FROM kv WHERE key = $key", ("$key", key)).ExecuteScalar() as string;

    /// <summary>Mirrors <see cref="KvStateMachine.Execute"/>, statement for statement.</summary>
    private KvResult Execute(KvCommand command)
    {
        if (command.Operation == KvOperation.Get) return new KvResult(true, Get(command.Key));
        if (Session(command.ClientId) is { } session && command.Sequence <= session.Sequence)
        {
            // A retry of the last command gets the same answer; an older one cannot be answered.
            return command.Sequence == session.Sequence ? session.Result : new KvResult(false, null);
        }
        var result = Run(command);
        Write("INSERT INTO sessions (client, sequence, result) VALUES ($client, $sequence, $result) " +
              "ON CONFLICT (client) DO UPDATE SET sequence = excluded.sequence, result = excluded.result",
            ("$client", command.ClientId), ("$sequence", command.Sequence), ("$result", result.Encode()));
        return result;
    }

    private KvResult Run(KvCommand command)
    {
        var current = Get(command.Key);
        switch (command.Operation)
        {
            case KvOperation.Put:
                SetValue(command.Key, command.Value ?? "");
                return new KvResult(true, command.Value ?? "");
            case KvOperation.Append:
                var appended = (current ?? "") + command.Value;
                SetValue(command.Key, appended);
                return new KvResult(true, appended);
            case KvOperation.CompareAndSet:
                if (current != command.Expected) return new KvResult(false, current);
                SetValue(command.Key, command.Value ?? "");
                return new KvResult(true, command.Value ?? "");
            default:
                throw new InvalidOperationException($"unknown operation {command.Operation}");
        }
    }

    private void SetValue(string key, string value) =>
        Write("INSERT INTO kv (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("$key", key), ("$value", value));

    private void SetLastApplied(long index) => Write("UPDATE applied SET last_index = $index", ("$index", index));

    private (long Sequence, KvResult Result)? Session(long client)
    {
        using var row = Prepared("SELECT sequence, result FROM sessions WHERE client = $client", ("$client", client)).ExecuteReader();
        return row.Read() ? (row.GetInt64(0), KvResult.Decode((byte[])row.GetValue(1))) : null;
    }

    private void Write(string sql, params (string Name, object Value)[] parameters)
    {
        Prepared(sql, parameters).ExecuteNonQuery();
        AfterWrite?.Invoke();
    }

    /// <summary>
    /// A statement on the open connection, compiled once and kept: the same few statements run for
    /// every entry. It joins the connection's open transaction, if any.
    /// </summary>
    private SqliteCommand Prepared(string sql, params (string Name, object Value)[] parameters)
    {
        if (prepared.TryGetValue(sql, out var command))
        {
            foreach (var (name, value) in parameters) command.Parameters[name].Value = value;
        }
        else
        {
            command = Command(connection, sql, parameters);
            command.Prepare();
            prepared[sql] = command;
        }
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Closes the connection and the statements compiled on it.</summary>
    private void Close()
    {
        foreach (var command in prepared.Values) command.Dispose();
        prepared.Clear();
        connection.Dispose();
    }

    private static SqliteCommand Command(SqliteConnection on, string sql, params (string Name, object Value)[] parameters)
    {
        var command = on.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    /// <summary>
    /// A copy of the database file, taken with SQLite's online backup: a consistent state between two
    /// entries, with the sessions and the last applied index. The copy is in rollback-journal mode, a
    /// single file with no write-ahead log beside it.
    /// </summary>
    public byte[] Snapshot()
    {
        var copyPath = path + ".snapshot";
        File.Delete(copyPath);
        try
        {
            using (var copy = Connect(copyPath))
            {
                Scalar(copy, "PRAGMA synchronous = OFF"); // a scratch file: the Raft snapshot that takes its bytes is made durable by the log's storage
                connection.BackupDatabase(copy);
                Scalar(copy, "PRAGMA journal_mode = DELETE");
            }
            return File.ReadAllBytes(copyPath);
        }
        finally
        {
            File.Delete(copyPath);
        }
    }

    public void Restore(Snapshot snapshot) => Restore(snapshot.Data, snapshot.LastIncludedIndex);

    /// <summary>Replaces the database with a snapshot's (its last applied index comes with it).</summary>
    public void Restore(byte[] snapshot) => Restore(snapshot, expectedIndex: null);

    private void Restore(byte[] snapshot, long? expectedIndex)
    {
        var temp = path + ".restore";
        WriteChecked(snapshot, temp, expectedIndex);
        // Closed first, so the old database is checkpointed and no write-ahead log of it can be
        // replayed into the new file; a crash anywhere here leaves the old database or the new one.
        Close();
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
        File.Move(temp, path, overwrite: true);
        if (fsync) DirectoryFsync.Run(Path.GetDirectoryName(Path.GetFullPath(path))!);
        connection = Connect();
    }

    public void CheckRestorable(Snapshot snapshot)
    {
        var temp = path + ".check";
        try
        {
            WriteChecked(snapshot.Data, temp, snapshot.LastIncludedIndex);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Writes a snapshot to <paramref name="temp"/>, synced, and checks that it is a store of ours at the expected index.</summary>
    private void WriteChecked(byte[] snapshot, string temp, long? expectedIndex)
    {
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(snapshot);
            file.Flush(flushToDisk: fsync);
        }
        try
        {
            using var check = new SqliteConnection(ConnectionString(temp, SqliteOpenMode.ReadWrite));
            check.Open();
            var index = CheckFormat(check);
            if (Scalar(check, "PRAGMA integrity_check") is not "ok") throw new InvalidDataException("the database is damaged (integrity_check)");
            if (expectedIndex is { } expected && index != expected)
                throw new InvalidDataException($"the database has applied up to entry {index}, the snapshot claims {expected}");
        }
        catch (Exception e) when (e is SqliteException or InvalidDataException)
        {
            File.Delete(temp);
            throw new InvalidDataException($"not a key-value store snapshot: {e.Message}", e);
        }
    }

    /// <summary>Opens <see cref="path"/>, creating the schema in a new file, and reads the last applied index.</summary>
    private SqliteConnection Connect()
    {
        var opened = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadWriteCreate));
        try
        {
            opened.Open();
            Scalar(opened, "PRAGMA journal_mode = WAL");
            Scalar(opened, fsync ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = OFF");
            if (Scalar(opened, "PRAGMA application_id") is 0L && Scalar(opened, "SELECT count(*) FROM sqlite_schema") is 0L)
            {
                using var create = opened.BeginTransaction();
                foreach (var table in Schema) Scalar(opened, table);
                Scalar(opened, "INSERT INTO applied (id, last_index) VALUES (0, 0)");
                Scalar(opened, $"PRAGMA application_id = {ApplicationId}");
                Scalar(opened, $"PRAGMA user_version = {FormatVersion}");
                create.Commit();
            }
            LastApplied = CheckFormat(opened);
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    private static SqliteConnection Connect(string file)
    {
        var opened = new SqliteConnection(ConnectionString(file, SqliteOpenMode.ReadWriteCreate));
        opened.Open();
        return opened;
    }

    /// <summary>
    /// No pooling: a closed connection must really close the file (checkpoint the write-ahead log,
    /// release the old file before <see cref="Restore(byte[])"/> renames a new one over it).
    /// </summary>
    private static string ConnectionString(string file, SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = file, Mode = mode, Pooling = false }.ToString();

    /// <summary>The last applied index, after checking that the database has exactly our format and schema.</summary>
    private static long CheckFormat(SqliteConnection on)
    {
        if (Scalar(on, "PRAGMA application_id") is not ApplicationId || Scalar(on, "PRAGMA user_version") is not FormatVersion)
            throw new InvalidDataException("not a key-value store database (application id or format version differs)");
        var schema = new List<string>();
        using (var select = Command(on, "SELECT coalesce(sql, type || ' ' || name) FROM sqlite_schema ORDER BY name"))
        using (var rows = select.ExecuteReader())
            while (rows.Read()) schema.Add(rows.GetString(0));
        if (!schema.SequenceEqual(Schema)) throw new InvalidDataException($"unexpected schema: {string.Join("; ", schema)}");
        using var applied = Command(on, "SELECT last_index FROM applied");
        using var row = applied.ExecuteReader();
        var index = row.Read() ? row.GetInt64(0) : -1;
        if (index < 0 || row.Read()) throw new InvalidDataException("the applied table must hold one index");
        return index;
    }

    private static object? Scalar(SqliteConnection on, string sql)
    {
        using var command = Command(on, sql);
        return command.ExecuteScalar();
    }

    /// <summary>
    /// The state in <see cref="KvStateMachine.Snapshot"/>'s encoding (values and sessions, not the
    /// index): equal bytes mean the same state, which is how tests compare this store with the reference.
    /// </summary>
    public byte[] ToKvSnapshot()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        var values = Values;
        writer.Write(values.Count);
        foreach (var (key, value) in values)
        {
            writer.Write(key);
            writer.Write(value);
        }
        var sessions = new List<(long Client, long Sequence, byte[] Result)>();
        using (var rows = Prepared("SELECT client, sequence, result FROM sessions ORDER BY client").ExecuteReader())
            while (rows.Read()) sessions.Add((rows.GetInt64(0), rows.GetInt64(1), (byte[])rows.GetValue(2)));
        writer.Write(sessions.Count);
        foreach (var (client, sequence, result) in sessions)
        {
            writer.Write(client);
            writer.Write(sequence);
            writer.Write(result.Length);
            writer.Write(result);
        }
        writer.Flush();
        return stream.ToArray();
    }

    public void Dispose() => Close();
}
