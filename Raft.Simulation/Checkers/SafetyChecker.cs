using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Node;

namespace Raft.Simulation.Checkers;

/// <summary>
/// Checks Raft's safety properties (Figure 3) incrementally, as the run proceeds: after each step
/// of a node it looks only at what that step changed, never rescans every log.
/// <list type="bullet">
/// <item>Election Safety: one leader per term, ever.</item>
/// <item>Leader Append-Only: while a node leads a term, the prefix it had stays (compared by hash-chain digest).</item>
/// <item>Log Matching: every (index, term) ever written anywhere has one prefix digest.</item>
/// <item>Leader Completeness: a new leader's log holds every entry committed so far.</item>
/// <item>State Machine Safety: one entry per applied index across all nodes.</item>
/// <item>Commit index never decreases within an incarnation; committed prefixes agree across nodes;
/// applied entries are exactly the committed prefix, in order; persisted term and vote never go back.</item>
/// <item>Snapshots (§7): a snapshot covers only a committed prefix, and its digest is that prefix's;
/// a restored snapshot moves the applied index forward. Compacted indices are not rechecked: they
/// were checked when they were committed.</item>
/// </list>
/// </summary>
public sealed class SafetyChecker
{
    private readonly SortedDictionary<long, NodeId> leaderOfTerm = [];
    private readonly Dictionary<(long Index, long Term), ulong> digestOfEntry = [];
    private readonly List<ulong> committedDigests = [0]; // committedDigests[i] = digest of the committed prefix [1, i]
    private readonly SortedDictionary<long, long> committedUpToInTerm = []; // term -> highest index first committed by a node in that term
    private readonly Dictionary<long, LogEntry> appliedAt = [];
    private readonly SortedDictionary<NodeId, NodeView> views = [];

    public Violation? First { get; private set; }

    /// <summary>The entry first applied at <paramref name="index"/> by any server (State Machine Safety: every server applies the same one), or null.</summary>
    public LogEntry? AppliedAt(long index) => appliedAt.GetValueOrDefault(index);

    /// <summary>Highest index known committed anywhere.</summary>
    public long CommittedIndex => committedDigests.Count - 1;

    /// <summary>
    /// A node (re)started from its disk, which held <paramref name="loaded"/>: its volatile history
    /// starts over, and it must start from exactly the term and vote it found.
    /// </summary>
    public void OnStart(IRaftNode node, HardState loaded, long nowMicros)
    {
        views[node.Id] = new NodeView { Persisted = loaded, Node = node, LastApplied = node.LastApplied };
        if (node.Term != loaded.Term || node.VotedFor != loaded.VotedFor)
            Fail(Property.PersistedStateMonotonic, nowMicros, node.Id,
                $"restarted with term={node.Term} vote={node.VotedFor?.ToString() ?? "-"} but its disk holds {loaded}");
    }

    /// <summary>Call after every step of <paramref name="node"/> with the effects it returned.</summary>
    public void AfterStep(IRaftNode node, IReadOnlyList<Effect> effects, long nowMicros)
    {
        var view = views[node.Id];
        var log = node.Log;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case PersistHardState hard:
                    CheckPersisted(node.Id, hard.State, nowMicros);
                    break;
                case PersistEntries write:
                    for (var i = write.FirstIndex; i <= Math.Min(write.LastIndex, log.LastIndex); i++)
                        CheckLogMatching(node.Id, log, i, nowMicros);
                    break;
                case ApplyEntry apply:
                    CheckApply(node, view, apply.Entry, nowMicros);
                    break;
                case PersistSnapshot stored:
                    CheckSnapshot(node.Id, stored.Snapshot.Metadata, nowMicros);
                    break;
                case RestoreSnapshot restore:
                    CheckRestore(node, view, restore.Snapshot.Metadata, nowMicros);
                    break;
            }
        }
        CheckLeader(node, view, nowMicros);
        var committedBefore = CommittedIndex;
        CheckCommit(node, view, nowMicros);
        if (CommittedIndex > committedBefore) CheckCommittedEntryCannotBeLost(node.Id, CommittedIndex, nowMicros);
    }

    /// <summary>
    /// Leader Completeness, checked at the moment of commitment: no server lacking the newly
    /// committed entry may be at least as up to date (§5.4.1) as a majority of the voters that
    /// committed it. Correct Raft guarantees this (it is the heart of the §5.4.3 proof);
    /// committing an old-term entry by counting replicas (Figure 8) breaks it long before a later
    /// leader actually overwrites the entry, so this catches the mistake without waiting for the
    /// rare schedule that completes the story.
    /// <para>
    /// With membership changes (thesis §4) the majority is one of the committing leader's
    /// configuration, the one it counted in, not of every server: spares and removed servers are
    /// no voters, and counting them would raise false alarms. The statement stays sound whatever
    /// the configurations: the entry is on a majority of those voters, all of which are strictly
    /// more up to date than any server lacking it (such a server's last term is at most the
    /// entry's, and if equal its log is a shorter prefix of the same leader's), so a lacking server
    /// can be at least as up to date only as the minority that lacks it too. It does not ask
    /// whether a stale server could win in an older configuration of its own; the check at each
    /// election (<see cref="CheckLeader"/>) catches any leader that lacks committed entries.
    /// </para>
    /// </summary>
    private void CheckCommittedEntryCannotBeLost(NodeId committer, long index, long now)
    {
        var configuration = views[committer].Node!.Configuration;
        var voterLogs = configuration.Voters
            .Select(v => views.TryGetValue(v, out var voter) ? voter.Node!.Log : null)
            .OfType<IReadOnlyRaftLog>()
            .ToList();
        var digest = committedDigests[(int)index];
        foreach (var (id, view) in views)
        {
            var log = view.Node!.Log;
            if (HasPrefix(log, index, digest)) continue;
            var voters = voterLogs.Count(other => IsAtLeastAsUpToDate(log, other));
            if (Quorum.IsMajority(voters, configuration.Voters.Count))
            {
                Fail(Property.LeaderCompleteness, now, committer,
                    $"index {index} committed, yet {id} (log ends {log.LastIndex}@{log.LastTerm}) lacks it and is at least as up to date as a majority of the voters ({configuration}), so it could be elected and overwrite it");
                return;
            }
        }
    }

    private static bool IsAtLeastAsUpToDate(IReadOnlyRaftLog candidate, IReadOnlyRaftLog voter) =>
        candidate.LastTerm > voter.LastTerm || (candidate.LastTerm == voter.LastTerm && candidate.LastIndex >= voter.LastIndex);

    private void CheckPersisted(NodeId id, HardState state, long now)
    {
        if (!views.TryGetValue(id, out var view)) return;
        var before = view.Persisted;
        if (before is { } b)
        {
            if (state.Term < b.Term)
                Fail(Property.PersistedStateMonotonic, now, id, $"persisted term went back from {b.Term} to {state.Term}");
            else if (state.Term == b.Term && b.VotedFor is not null && state.VotedFor != b.VotedFor)
                Fail(Property.PersistedStateMonotonic, now, id, $"persisted vote in term {b.Term} changed from {b.VotedFor} to {state.VotedFor?.ToString() ?? "none"}");
        }
        view.Persisted = state;
    }

    private void CheckLogMatching(NodeId id, IReadOnlyRaftLog log, long index, long now)
    {
        var key = (index, log.TermAt(index));
        var digest = log.DigestAt(index);
        if (digestOfEntry.TryGetValue(key, out var known))
        {
            if (known != digest)
                Fail(Property.LogMatching, now, id, $"entry {index}@{key.Item2} has a different log prefix than the same entry elsewhere");
        }
        else
        {
            digestOfEntry[key] = digest;
        }
    }

    private void CheckLeader(IRaftNode node, NodeView view, long now)
    {
        if (node.Role != Role.Leader)
        {
            view.LeaderTerm = 0;
            return;
        }
        var log = node.Log;
        if (view.LeaderTerm != node.Term)
        {
            // Newly leader in this term.
            if (leaderOfTerm.TryGetValue(node.Term, out var other) && other != node.Id)
                Fail(Property.ElectionSafety, now, node.Id, $"{node.Id} and {other} are both leaders of term {node.Term}");
            leaderOfTerm[node.Term] = node.Id;
            var committed = CommittedBefore(node.Term);
            if (!HasPrefix(log, committed, committedDigests[(int)committed]))
                Fail(Property.LeaderCompleteness, now, node.Id, $"new leader of term {node.Term} lacks entries committed in earlier terms, up to {committed} (its log ends at {log.LastIndex})");
            view.LeaderTerm = node.Term;
        }
        else if (!HasPrefix(log, view.LeaderLastIndex, view.LeaderDigest))
        {
            Fail(Property.LeaderAppendOnly, now, node.Id, $"leader of term {node.Term} changed its log below index {view.LeaderLastIndex}");
        }
        view.LeaderLastIndex = log.LastIndex;
        view.LeaderDigest = log.DigestAt(log.LastIndex);
    }

    /// <summary>
    /// Highest index committed in a term before <paramref name="term"/>. Figure 3's Leader
    /// Completeness binds the leaders of higher terms only: a candidate frozen (paused) with its
    /// votes in hand may become leader of its old term long after later terms committed more, and
    /// that is legal (its AppendEntries carry a stale term that everyone rejects).
    /// </summary>
    private long CommittedBefore(long term)
    {
        var index = 0L;
        foreach (var (t, upTo) in committedUpToInTerm)
        {
            if (t >= term) break;
            index = Math.Max(index, upTo);
        }
        return index;
    }

    private void CheckCommit(IRaftNode node, NodeView view, long now)
    {
        var commit = node.CommitIndex;
        if (commit < view.CommitIndex)
            Fail(Property.CommitIndexMonotonic, now, node.Id, $"commit index went back from {view.CommitIndex} to {commit}");
        var log = node.Log;
        var upTo = Math.Min(commit, log.LastIndex);
        for (var i = view.CommitIndex + 1; i <= upTo; i++)
        {
            if (i < log.SnapshotIndex)
            {
                // Compacted (installed from a snapshot or restarted from one): only committed entries may be.
                if (i >= committedDigests.Count)
                    Fail(Property.StateMachineSafety, now, node.Id, $"index {i} is compacted but was never committed");
                continue;
            }
            var digest = log.DigestAt(i);
            if (i < committedDigests.Count)
            {
                if (committedDigests[(int)i] != digest)
                    Fail(Property.StateMachineSafety, now, node.Id, $"committed prefix up to {i} differs from the one committed elsewhere");
            }
            else
            {
                committedDigests.Add(digest);
                committedUpToInTerm[node.Term] = i; // first committed now, in this node's term
            }
        }
        view.CommitIndex = Math.Max(view.CommitIndex, commit);
    }

    private void CheckApply(IRaftNode node, NodeView view, LogEntry entry, long now)
    {
        if (entry.Index != view.LastApplied + 1)
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"applied index {entry.Index} after {view.LastApplied}");
        if (entry.Index > node.CommitIndex)
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"applied index {entry.Index} beyond commit index {node.CommitIndex}");
        view.LastApplied = entry.Index;
        if (appliedAt.TryGetValue(entry.Index, out var other))
        {
            if (!other.Equals(entry))
                Fail(Property.StateMachineSafety, now, node.Id, $"applied {entry} at index {entry.Index} where another server applied {other}");
        }
        else
        {
            appliedAt[entry.Index] = entry;
        }
    }

    /// <summary>
    /// Whether <paramref name="log"/> holds the prefix [1, index] with <paramref name="digest"/>. A
    /// compacted index counts as held: only committed prefixes are compacted, and those are checked
    /// when committed and when snapshotted.
    /// </summary>
    private static bool HasPrefix(IReadOnlyRaftLog log, long index, ulong digest) =>
        index < log.SnapshotIndex || (log.LastIndex >= index && log.DigestAt(index) == digest);

    /// <summary>A snapshot must cover a committed prefix, and carry that prefix's digest.</summary>
    private void CheckSnapshot(NodeId id, SnapshotMetadata snapshot, long now)
    {
        var index = snapshot.LastIncludedIndex;
        if (index > CommittedIndex)
            Fail(Property.StateMachineSafety, now, id, $"snapshot up to {index} covers entries not committed (committed up to {CommittedIndex})");
        else if (committedDigests[(int)index] != snapshot.Digest)
            Fail(Property.StateMachineSafety, now, id, $"snapshot up to {index} holds a different prefix than the one committed");
    }

    /// <summary>Restoring a snapshot applies its whole prefix at once: it must be committed, and ahead of what was applied.</summary>
    private void CheckRestore(IRaftNode node, NodeView view, SnapshotMetadata snapshot, long now)
    {
        var index = snapshot.LastIncludedIndex;
        if (index <= view.LastApplied)
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"restored snapshot up to {index} after applying up to {view.LastApplied}");
        if (index > node.CommitIndex)
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"restored snapshot up to {index} beyond commit index {node.CommitIndex}");
        view.LastApplied = Math.Max(view.LastApplied, index);
    }

    private void Fail(Property property, long now, NodeId node, string message) =>
        First ??= new Violation(property, now, node.ToString(), message);

    private sealed class NodeView
    {
        public HardState? Persisted;
        public IRaftNode? Node;
        public long CommitIndex;
        public long LastApplied;
        public long LeaderTerm;
        public long LeaderLastIndex;
        public ulong LeaderDigest;
    }
}
