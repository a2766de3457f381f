using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;

namespace Raft.Tests.Checkers;

/// <summary>
/// A node under test whose every move the test makes by hand, to put the checker in situations the
/// reference core never creates. Its log reports digest 0 for every prefix. The test changes its
/// state, writes entries and snapshots (each returns the effect to hand to the checker), and can
/// make the log it reports differ from the one it wrote. It takes no inputs.
/// </summary>
public sealed class ScriptedNode(NodeId id, IReadOnlyList<NodeId> voters) : IRaftNode
{
    private readonly ScriptedLog log = new();

    public NodeId Id => id;

    public Configuration Configuration { get; } = new(voters);

    public Role Role { get; set; }

    public long Term { get; set; }

    public NodeId? VotedFor { get; set; }

    public NodeId? Leader => Role == Role.Leader ? Id : null;

    public long CommitIndex { get; set; }

    public long LastApplied { get; set; }

    public IReadOnlyRaftLog Log => log;

    public Output Step(Input input) => throw new NotSupportedException("a scripted node takes no inputs");

    /// <summary>Drops every entry from <paramref name="firstIndex"/> on, appends <paramref name="entries"/>, and returns the write.</summary>
    public PersistEntries Write(long firstIndex, params LogEntry[] entries)
    {
        log.Entries.RemoveRange((int)(firstIndex - log.FirstIndex), (int)(log.LastIndex - firstIndex + 1));
        log.Entries.AddRange(entries);
        return new PersistEntries(firstIndex, entries);
    }

    /// <summary>Compacts the log up to <paramref name="index"/>, claiming <paramref name="digest"/> for the prefix, and returns the write.</summary>
    public PersistSnapshot Compact(long index, ulong digest)
    {
        var metadata = new SnapshotMetadata(index, log.TermAt(index), digest, Configuration);
        log.Entries.RemoveRange(0, (int)(index - log.SnapshotIndex));
        log.Snapshot = metadata;
        return new PersistSnapshot(new Snapshot(metadata, []));
    }

    /// <summary>Adds an entry to the log it reports, without writing it.</summary>
    public void AppendUnwritten(LogEntry entry) => log.Entries.Add(entry);

    private sealed class ScriptedLog : IReadOnlyRaftLog
    {
        public List<LogEntry> Entries { get; } = [];

        public SnapshotMetadata Snapshot { get; set; } = SnapshotMetadata.None;

        public long SnapshotIndex => Snapshot.LastIncludedIndex;

        public long FirstIndex => SnapshotIndex + 1;

        public long LastIndex => SnapshotIndex + Entries.Count;

        public long LastTerm => TermAt(LastIndex);

        public long TermAt(long index) => index == SnapshotIndex ? Snapshot.LastIncludedTerm : EntryAt(index).Term;

        public LogEntry EntryAt(long index) => Entries[(int)(index - FirstIndex)];

        public ulong DigestAt(long index) => 0;
    }
}
