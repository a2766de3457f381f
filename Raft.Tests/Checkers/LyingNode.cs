using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;

namespace Raft.Tests.Checkers;

/// <summary>
/// A node under test that lies about itself, as a student's node might by mistake: the node
/// underneath does the work, but its log reports digest 0 for every prefix
/// (<paramref name="constantDigest"/>), and its commit index, once it has one, runs one past the
/// end of its log (<paramref name="commitBeyondLog"/>). Everything else is passed through.
/// </summary>
public sealed class LyingNode(IRaftNode inner, bool constantDigest = false, bool commitBeyondLog = false) : IRaftNode
{
    private readonly IReadOnlyRaftLog log = constantDigest ? new ConstantDigestLog(inner.Log) : inner.Log;

    public NodeId Id => inner.Id;

    public Configuration Configuration => inner.Configuration;

    public Role Role => inner.Role;

    public long Term => inner.Term;

    public NodeId? VotedFor => inner.VotedFor;

    public NodeId? Leader => inner.Leader;

    public long CommitIndex => commitBeyondLog && inner.CommitIndex > 0 ? inner.Log.LastIndex + 1 : inner.CommitIndex;

    public long LastApplied => inner.LastApplied;

    public IReadOnlyRaftLog Log => log;

    public Output Step(Input input) => inner.Step(input);

    /// <summary>The log as it is, except that every prefix has digest 0: any two logs "match".</summary>
    private sealed class ConstantDigestLog(IReadOnlyRaftLog log) : IReadOnlyRaftLog
    {
        public long SnapshotIndex => log.SnapshotIndex;

        public long FirstIndex => log.FirstIndex;

        public long LastIndex => log.LastIndex;

        public long LastTerm => log.LastTerm;

        public long TermAt(long index) => log.TermAt(index);

        public LogEntry EntryAt(long index) => log.EntryAt(index);

        public ulong DigestAt(long index) => 0;
    }
}
