using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Storage;

namespace Raft.Net.Storage;

/// <summary>
/// Durable storage in one directory: an append-only <c>log</c> file of CRC-framed records (entries,
/// truncation and compaction markers), and a <c>hardstate</c> and a <c>snapshot</c> file, each
/// replaced atomically. Format: docs/storage-format.md.
/// </summary>
/// <remarks>
/// <para>
/// Writes are batched: <see cref="Persist"/> writes without syncing, and <see cref="Sync"/> makes
/// everything written since the last sync durable. The driver calls Persist for each persist effect
/// of a batch of steps, then Sync once, before sending any message or reply that depends on them
/// (Figure 2: persistent state is "updated on stable storage before responding to RPCs").
/// </para>
/// <para>
/// The log file is only appended to: a conflict truncation appends a marker, and so does a
/// snapshot (§7), after the snapshot file is durable. Once most of the file is dead (compacted or
/// truncated records, see <see cref="DefaultLogRewriteDeadBytes"/>), a <see cref="Sync"/> replaces
/// it whole by a shorter file that replays to the same log: temp file, fsync, rename, fsync the
/// directory.
/// </para>
/// <para>
/// Not thread-safe: one thread at a time uses it (the node host's disk thread, see
/// <c>Hosting.DiskThread</c>, while the node runs). The directory is locked while open.
/// </para>
/// </remarks>
public sealed class FileStorage : IRaftStorage, INodeStorage
{
    public const string LogFileName = "log";
    public const string HardStateFileName = "hardstate";

    /// <summary>Where a new hard state is written before it is renamed over <see cref="HardStateFileName"/>.</summary>
    public const string HardStateTempFileName = "hardstate.tmp";

    public const string SnapshotFileName = "snapshot";

    /// <summary>Where a new snapshot is written before it is renamed over <see cref="SnapshotFileName"/>.</summary>
    public const string SnapshotTempFileName = "snapshot.tmp";

    /// <summary>Where a shorter log is written before it is renamed over <see cref="LogFileName"/>.</summary>
    public const string LogTempFileName = "log.tmp";

    /// <summary>
    /// The log file is rewritten without its dead records (entries compacted into the snapshot or
    /// truncated by a conflict, and the markers that removed them) once they take at least this
    /// many bytes and more than half of the file. The half rule bounds the copying: a rewrite
    /// copies fewer live bytes than the dead bytes it drops, so it at most doubles the bytes
    /// written; the threshold keeps small logs from being rewritten at every sync. A restart then
    /// replays at most about twice the live log, or twice the threshold.
    /// </summary>
    public const long DefaultLogRewriteDeadBytes = 256 * 1024;

    private readonly bool fsync;
    private readonly long logRewriteDeadBytes;
    private FileStream log;
    private FileStream? hardStateTemp;
    private bool logUnsynced;
    private readonly List<StoredEntry> afterSnapshot = []; // the stored entries snapshotIndex + 1 .. lastIndex
    private long afterSnapshotRecordBytes; // sum of their RecordBytes
    private long snapshotIndex;
    private long snapshotTerm;
    private bool disposed;

    private FileStorage(string directory, bool fsync, long logRewriteDeadBytes, FileStream log)
    {
        Directory = directory;
        this.fsync = fsync;
        this.logRewriteDeadBytes = logRewriteDeadBytes;
        this.log = log;
    }

    /// <summary>What the storage remembers of an entry without keeping it: its term and its record's size in the log file.</summary>
    private readonly record struct StoredEntry(long Term, int RecordBytes);

    /// <summary>The directory holding the files.</summary>
    public string Directory { get; }

    /// <summary>Calls of <see cref="Sync"/> that had writes to make durable (empty syncs are free and not counted).</summary>
    public long Syncs { get; private set; }

    /// <summary>Bytes written to the log, hard state and snapshot files since this instance was opened (log rewrites included).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Times the log file was replaced by a shorter one since this instance was opened.</summary>
    public long LogRewrites { get; private set; }

    /// <summary>
    /// Bytes cut from the end of the log since this instance was opened, because replay found a
    /// torn record there (see <see cref="Load"/>). Zero after a clean shutdown.
    /// </summary>
    public long DiscardedBytes { get; private set; }

    private string HardStatePath => Path.Combine(Directory, HardStateFileName);

    private string HardStateTempPath => Path.Combine(Directory, HardStateTempFileName);

    private string SnapshotPath => Path.Combine(Directory, SnapshotFileName);

    private string SnapshotTempPath => Path.Combine(Directory, SnapshotTempFileName);

    private string LogPath => Path.Combine(Directory, LogFileName);

    private string LogTempPath => Path.Combine(Directory, LogTempFileName);

    private long LastIndex => snapshotIndex + afterSnapshot.Count;

    /// <summary>The size a rewritten log file would have: a compaction marker (once there is a snapshot), then the entries after it.</summary>
    private long LiveLogBytes => (snapshotIndex > 0 ? LogRecord.CompactionRecordBytes : 0) + afterSnapshotRecordBytes;

    /// <summary>
    /// Opens the storage in <paramref name="directory"/>, creating it (and empty files) if needed,
    /// and recovers the log: a torn tail is truncated so that later appends are clean; damage
    /// before the end of the file is refused with an <see cref="InvalidDataException"/> naming the file and offset.
    /// </summary>
    /// <param name="directory">The node's data directory; one node per directory (it is locked).</param>
    /// <param name="fsync">False makes <see cref="Sync"/> only hand the data to the OS: for fast tests, never for a real node.</param>
    /// <param name="logRewriteDeadBytes">Rewrite the log file once its dead records take this many bytes and more than half of it (see <see cref="DefaultLogRewriteDeadBytes"/>); tests lower it.</param>
    /// <exception cref="InvalidDataException">The hard state file exists but is damaged, or the log is damaged before its end.</exception>
    public static FileStorage Open(string directory, bool fsync = true, long logRewriteDeadBytes = DefaultLogRewriteDeadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(logRewriteDeadBytes);
        System.IO.Directory.CreateDirectory(directory);
        var logPath = Path.Combine(directory, LogFileName);
        var created = !File.Exists(logPath);
        // The exclusive lock on the log guards the whole directory, so take it before touching anything else.
        var log = new FileStream(logPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 64 * 1024);
        var storage = new FileStorage(directory, fsync, logRewriteDeadBytes, log);
        try
        {
            // A temp file left behind means a crash before the rename: the write was never promised,
            // and the old hardstate file is the truth.
            File.Delete(storage.HardStateTempPath);
            File.Delete(storage.SnapshotTempPath); // likewise: the old snapshot file is the truth
            File.Delete(storage.LogTempPath); // likewise: the old log file is the truth
            _ = HardStateFile.Read(storage.HardStatePath);
            if (created && fsync)
                DirectoryFsync.Run(directory);
            _ = storage.ReplayLog();
            return storage;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the hard state and replays the log from disk. A torn tail (a bad record with nothing
    /// valid after it: a crash during an append) is cut and its bytes added to
    /// <see cref="DiscardedBytes"/>; damage anywhere else throws (see <see cref="LogReplay"/>).
    /// Anything persisted but not yet synced is synced first.
    /// </summary>
    /// <exception cref="InvalidDataException">The hard state, snapshot or log file is damaged (not a torn tail), or the log was compacted past the snapshot.</exception>
    public PersistentState Load()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Sync();
        var hardState = HardStateFile.Read(HardStatePath);
        var entries = ReplayLog();
        return new PersistentState(hardState, entries, SnapshotFile.Read(SnapshotPath));
    }

    /// <summary>
    /// Writes a <see cref="PersistHardState"/> or <see cref="PersistEntries"/> effect without
    /// syncing it; ignores other effects. Call <see cref="Sync"/> before acting on the promise.
    /// </summary>
    public void Persist(Effect effect)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        switch (effect)
        {
            case PersistHardState hard:
                WriteHardStateTemp(hard.State);
                break;
            case PersistEntries write:
                AppendEntries(write);
                break;
            case PersistSnapshot stored:
                StoreSnapshot(stored.Snapshot);
                break;
        }
    }

    /// <summary>
    /// Makes everything persisted since the last sync durable: the new hard state (fsync the temp
    /// file, rename it over the old one, fsync the directory), then the log (one fsync for the whole
    /// batch). With fsync off, data only reaches the OS. Does nothing when nothing was written.
    /// Then, if most of the log file is dead, replaces it by a shorter one (see <see cref="MaybeRewriteLog"/>).
    /// </summary>
    public void Sync()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (hardStateTemp is null && !logUnsynced)
            return;
        // Hard state first: a crash between the two then leaves a term at least as new as the
        // log's entries, never entries from a term the node does not remember entering.
        if (hardStateTemp is not null)
            CommitHardState(hardStateTemp);
        if (logUnsynced)
        {
            FlushLog();
            logUnsynced = false;
            MaybeRewriteLog();
        }
        Syncs++;
    }

    /// <summary>Syncs what was persisted and closes the files.</summary>
    public void Dispose()
    {
        if (disposed)
            return;
        try
        {
            Sync();
        }
        finally
        {
            disposed = true;
            hardStateTemp?.Dispose();
            log.Dispose();
        }
    }

    /// <summary>
    /// Makes the log's appends durable: fdatasync on Linux (the log only grows, and its size is
    /// among the data fdatasync flushes), a full flush elsewhere; with fsync off, only to the OS.
    /// </summary>
    private void FlushLog()
    {
        if (fsync && OperatingSystem.IsLinux())
        {
            log.Flush(flushToDisk: false);
            FileDataSync.Run(log.SafeFileHandle);
        }
        else
            log.Flush(flushToDisk: fsync);
    }

    private void WriteHardStateTemp(HardState state)
    {
        // Several hard states in one batch: only the last one matters, so overwrite the temp file.
        hardStateTemp ??= new FileStream(HardStateTempPath, FileMode.Create, FileAccess.Write, FileShare.None);
        hardStateTemp.SetLength(0);
        var bytes = HardStateFile.Encode(state);
        hardStateTemp.Write(bytes);
        hardStateTemp.Flush();
        BytesWritten += bytes.Length;
    }

    private void CommitHardState(FileStream temp)
    {
        temp.Flush(flushToDisk: fsync);
        temp.Dispose();
        hardStateTemp = null;
        File.Move(HardStateTempPath, HardStatePath, overwrite: true);
        if (fsync)
            DirectoryFsync.Run(Directory);
    }

    private void AppendEntries(PersistEntries write)
    {
        // Same contract as MemoryStorage: no gaps. Checked before writing anything, because replay
        // would stop at a record out of sequence and silently lose everything after it.
        if (write.FirstIndex <= snapshotIndex || write.FirstIndex > LastIndex + 1)
            throw new InvalidOperationException($"write at {write.FirstIndex} outside [{snapshotIndex + 1}, {LastIndex + 1}]");
        for (var k = 0; k < write.Entries.Count; k++)
        {
            if (write.Entries[k].Index != write.FirstIndex + k)
                throw new InvalidOperationException($"entry {write.Entries[k]} at position {write.FirstIndex + k} of the write");
        }

        if (write.FirstIndex <= LastIndex)
        {
            Append(LogRecord.EncodeTruncation(write.FirstIndex));
            ForgetStored((int)(write.FirstIndex - snapshotIndex - 1), (int)(LastIndex - write.FirstIndex + 1));
        }
        foreach (var entry in write.Entries)
        {
            var record = LogRecord.EncodeEntry(entry);
            Append(record);
            RememberStored(new StoredEntry(entry.Term, record.Length));
        }
    }

    private void RememberStored(StoredEntry entry)
    {
        afterSnapshot.Add(entry);
        afterSnapshotRecordBytes += entry.RecordBytes;
    }

    /// <summary>Forgets <paramref name="count"/> stored entries from position <paramref name="start"/> after the snapshot: their records are dead.</summary>
    private void ForgetStored(int start, int count)
    {
        for (var k = start; k < start + count; k++)
            afterSnapshotRecordBytes -= afterSnapshot[k].RecordBytes;
        afterSnapshot.RemoveRange(start, count);
    }

    /// <summary>
    /// §7: makes the snapshot durable at once (temp file, fsync, rename, fsync directory), then
    /// appends a compaction marker to the log. The rename is the commit point: the marker may be
    /// lost in a crash, and then replay repeats the compaction from the snapshot file (see
    /// <see cref="ReplayLog"/>); the marker is never durable without the snapshot.
    /// </summary>
    private void StoreSnapshot(Snapshot snapshot)
    {
        if (snapshot.LastIncludedIndex <= snapshotIndex) return; // never go back to an older snapshot
        var bytes = SnapshotFile.Encode(snapshot);
        using (var temp = new FileStream(SnapshotTempPath, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            temp.Write(bytes);
            temp.Flush(flushToDisk: fsync);
        }
        File.Move(SnapshotTempPath, SnapshotPath, overwrite: true);
        if (fsync)
            DirectoryFsync.Run(Directory);
        BytesWritten += bytes.Length;
        AppendCompaction(new SnapshotPoint(snapshot.LastIncludedIndex, snapshot.LastIncludedTerm));
    }

    /// <summary>Appends a compaction marker and applies it to the in-memory view, with the same rule as replay.</summary>
    private void AppendCompaction(SnapshotPoint snapshot)
    {
        Append(LogRecord.EncodeCompaction(snapshot));
        var keep = snapshot.Index <= LastIndex && TermAt(snapshot.Index) == snapshot.Term;
        ForgetStored(0, keep ? (int)(snapshot.Index - snapshotIndex) : afterSnapshot.Count);
        snapshotIndex = snapshot.Index;
        snapshotTerm = snapshot.Term;
    }

    private long TermAt(long index) => index == snapshotIndex ? snapshotTerm : afterSnapshot[(int)(index - snapshotIndex - 1)].Term;

    private void Append(byte[] record)
    {
        log.Write(record);
        BytesWritten += record.Length;
        logUnsynced = true;
    }

    /// <summary>
    /// Replays the log and reconciles it with the snapshot file. A snapshot newer than the log's
    /// last compaction marker means a crash between the snapshot's rename and the marker's sync:
    /// the compaction is repeated, and its marker written again, so that file and memory agree.
    /// </summary>
    private List<LogEntry> ReplayLog()
    {
        log.Flush();
        var (replayed, validBytes, stop) = LogReplay.Run(log);
        if (stop is { IsTornTail: false })
            throw new InvalidDataException(
                $"log file {stop.Describe(LogPath, log.Length)}. That is not a crash during an append (which only ever leaves a bad record at the end), " +
                "and cutting the log there could drop entries this node acknowledged, so it refuses to start. " +
                $"raft-net storage --data {Directory} reports what is damaged.");
        if (validBytes < log.Length)
        {
            DiscardedBytes += log.Length - validBytes;
            log.SetLength(validBytes);
            log.Flush(flushToDisk: fsync);
        }
        log.Position = validBytes;
        snapshotIndex = replayed.Base;
        snapshotTerm = replayed.BaseTerm;
        afterSnapshot.Clear();
        afterSnapshotRecordBytes = 0;
        foreach (var entry in replayed.Entries)
            RememberStored(new StoredEntry(entry.Term, LogRecord.EntryRecordBytes(entry)));

        var snapshot = SnapshotFile.Read(SnapshotPath);
        var snapshotAt = snapshot?.LastIncludedIndex ?? 0;
        if (snapshotAt < replayed.Base)
            throw new InvalidDataException(
                $"the log in '{Directory}' was compacted up to {replayed.Base} but the snapshot file covers only up to {snapshotAt}: entries are missing");
        if (snapshot is not null && snapshotAt > replayed.Base)
        {
            var point = new SnapshotPoint(snapshot.LastIncludedIndex, snapshot.LastIncludedTerm);
            replayed.CompactTo(point);
            AppendCompaction(point);
            Sync();
        }
        return replayed.Entries;
    }

    /// <summary>
    /// Rewrites the log file when its dead records (everything a replay reads but drops: entries
    /// compacted or truncated, and the markers that did it) are at least the threshold and more
    /// than half of the file. Called only right after the log was synced, so the old file is
    /// durable whole and a crash at any point of the rewrite leaves a file that replays to the
    /// same log. Returns whether it rewrote.
    /// </summary>
    private bool MaybeRewriteLog()
    {
        if (!LogRewriteDue())
            return false;
        RewriteLog();
        return true;
    }

    /// <summary>Whether the dead records of the log file are at least the threshold and more than half of it.</summary>
    private bool LogRewriteDue()
    {
        var deadBytes = log.Length - LiveLogBytes;
        if (deadBytes < 0)
            throw new InvalidOperationException($"the log file ({log.Length} bytes) is shorter than its live records ({LiveLogBytes} bytes)");
        return deadBytes >= logRewriteDeadBytes && deadBytes > LiveLogBytes;
    }

    /// <summary>
    /// Writes the live log to <c>log.tmp</c> (a compaction marker for the snapshot, if any, then
    /// the entries after it: a valid log in the same format), fsyncs it, renames it over
    /// <c>log</c> (the commit point) and fsyncs the directory. Before the rename a crash leaves the
    /// old file, and the temp file is deleted on open; after it, the new one. Both replay to the
    /// same snapshot point and entries, and the snapshot and hard state files are not touched.
    /// </summary>
    private void RewriteLog()
    {
        var (replayed, validBytes, _) = LogReplay.Run(log);
        // Invariant: the file replays to what this instance wrote. Otherwise it changed under us
        // (damage): copying its replay would quietly drop entries, so refuse loudly instead.
        if (validBytes != log.Length || replayed.Base != snapshotIndex || replayed.BaseTerm != snapshotTerm || replayed.Entries.Count != afterSnapshot.Count)
            throw new InvalidDataException(
                $"log file '{LogPath}' no longer replays to what was written (valid {validBytes} of {log.Length} bytes, " +
                $"snapshot point {replayed.Base} vs {snapshotIndex}, {replayed.Entries.Count} vs {afterSnapshot.Count} entries); not rewriting it");
        var next = new FileStream(LogTempPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 64 * 1024);
        try
        {
            if (snapshotIndex > 0)
                next.Write(LogRecord.EncodeCompaction(new SnapshotPoint(snapshotIndex, snapshotTerm)));
            foreach (var entry in replayed.Entries)
                next.Write(LogRecord.EncodeEntry(entry));
            next.Flush(flushToDisk: fsync);
            if (next.Length != LiveLogBytes)
                throw new InvalidOperationException($"the rewritten log has {next.Length} bytes instead of {LiveLogBytes}");
            File.Move(LogTempPath, LogPath, overwrite: true); // the commit point
        }
        catch
        {
            next.Dispose();
            throw;
        }
        // The old file is unlinked now: switch before anything else can fail, so that no append
        // goes to it. The new file was opened exclusively, so the directory stays locked.
        var old = log;
        log = next;
        old.Dispose();
        BytesWritten += log.Length;
        LogRewrites++;
        // Before Sync returns: a later append, synced into the new file, must not depend on a rename
        // that a crash could still undo.
        if (fsync)
            DirectoryFsync.Run(Directory);
    }
}
