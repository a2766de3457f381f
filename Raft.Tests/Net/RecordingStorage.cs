using Raft.Core.Effects;
using Raft.Core.Storage;
using Raft.Net.Storage;

namespace Raft.Tests.Net;

/// <summary>
/// A node's real disk, watched: every write ("write N kind", numbered from 1), sync ("sync N": the
/// first N writes are durable) and close is appended to <see cref="Events"/>, where the host's emit
/// hook also records what leaves the node ("send ... after N"), so that a test can check the order.
/// </summary>
internal sealed class RecordingStorage(FileStorage disk) : INodeStorage
{
    public const string Write = "write";
    public const string SyncDone = "sync";
    public const string Close = "close";

    private long writes;

    /// <summary>What happened, in order (writes and syncs on the disk thread, the rest on the node's); lock it to read it from another thread.</summary>
    public List<string> Events { get; } = [];

    public void Record(string what)
    {
        lock (Events) Events.Add(what);
    }

    public PersistentState Load() => disk.Load();

    public void Persist(Effect effect)
    {
        disk.Persist(effect);
        if (effect is PersistHardState or PersistEntries or PersistSnapshot) Record($"{Write} {Interlocked.Increment(ref writes)} {effect.GetType().Name}");
    }

    public void Sync()
    {
        disk.Sync();
        Record($"{SyncDone} {Volatile.Read(ref writes)}");
    }

    public void Dispose()
    {
        disk.Dispose();
        Record(Close);
    }

    public List<string> Snapshot()
    {
        lock (Events) return [.. Events];
    }
}
