using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Node;
using Raft.Core.Storage;

namespace Raft.Simulation.Checkers;

/// <summary>
/// Checks Raft's safety properties (Figure 3) incrementally, as the run proceeds: after each step
/// of a node it looks only at what that step changed, never rescans every log.
/// <para>
/// It owns its evidence (ARCHITECTURE.md §8): for every node it keeps its own copy of the log
/// (<see cref="ObservedLog"/>), built from the entries and snapshots the node writes and chained with
/// the checker's own hash (<see cref="PrefixDigest"/>). It never reads a digest the node computes,
/// so a node whose digests lie cannot make a property hold; what the node reports about itself (the
/// shape of its log, its commit index) is compared with that evidence. This is the contract a node
/// under test must keep: every change to its log is written (PersistEntries, PersistSnapshot) in the
/// step that makes it.
/// </para>
/// <list type="bullet">
/// <item>Election Safety: one leader per term, ever.</item>
/// <item>Leader Append-Only: while a node leads a term, the prefix it had stays.</item>
/// <item>Log Matching: every (index, term) ever written anywhere has one prefix.</item>
/// <item>Leader Completeness: a new leader's log holds every entry committed in earlier terms, and
/// no server lacking a newly committed entry is as up to date as a majority of the voters.</item>
/// <item>State Machine Safety: one entry per applied index across all nodes; committed prefixes agree
/// across nodes; a node never rewrites what it has committed.</item>
/// <item>Commit index never decreases within an incarnation and never passes the end of the log;
/// applied entries are exactly the committed prefix, in order, as the log holds them; persisted term
/// and vote never go back; the log a node reports is the one it wrote.</item>
/// <item>Snapshots (§7): a snapshot covers only a committed prefix, ending in the committed entry; the
/// digest it carries names that prefix consistently; a restored snapshot moves the applied index
/// forward. Compacted indices are not rechecked: they were checked when they were committed.</item>
/// </list>
/// </summary>
public sealed class SafetyChecker
{
    /// <summary>Violations kept, the first included: enough to tell what broke, bounded however long a broken run goes on.</summary>
    public const int MaxViolations = 16;

    private readonly SortedDictionary<long, NodeId> leaderOfTerm = [];
    private readonly List<ObservedLog> voterLogs = []; // scratch for CheckCommittedEntryCannotBeLost
    private readonly Dictionary<(long Index, long Term), (ulong Digest, NodeId Writer)> prefixOfEntry = [];
    private readonly List<(ulong Digest, long Term)> committed = [(0, 0)]; // committed[i]: the committed prefix [1, i], and the term of entry i
    private readonly SortedDictionary<long, long> committedUpToInTerm = []; // term -> highest index first committed by a node in that term
    private readonly bool keepAppliedEntries;
    private readonly Dictionary<long, (LogEntry Entry, NodeId Node)> appliedAt = []; // with keepAppliedEntries
    private readonly Dictionary<long, (ulong Digest, NodeId Node)> appliedDigestAt = []; // without: the entry's digest only
    private readonly Dictionary<long, ulong> snapshotDigestAt = []; // index -> the digest nodes gave the committed prefix up to it
    private readonly Dictionary<ulong, long> snapshotIndexOfDigest = [];
    private readonly SortedList<NodeId, NodeView> views = []; // read by index at every commit: no enumerator to allocate
    private readonly List<Violation> violations = [];

    /// <summary>A checker that keeps every applied entry, for <see cref="AppliedAt"/>.</summary>
    public SafetyChecker()
        : this(keepAppliedEntries: true)
    {
    }

    /// <param name="keepAppliedEntries">
    /// Keep the first entry applied at each index, for <see cref="AppliedAt"/> and for naming it in a
    /// violation; without, the checker keeps only its digest (of index, term, kind and command: State
    /// Machine Safety is checked as well), about a hundred bytes less per applied index, for checking a
    /// long real run (docs/bounds.md).
    /// </param>
    public SafetyChecker(bool keepAppliedEntries) => this.keepAppliedEntries = keepAppliedEntries;

    /// <summary>The first violation found, or null.</summary>
    public Violation? First => violations.Count > 0 ? violations[0] : null;

    /// <summary>The violations found, in order, each once, at most <see cref="MaxViolations"/>.</summary>
    public IReadOnlyList<Violation> Violations => violations;

    /// <summary>The entry first applied at <paramref name="index"/> by any server (State Machine Safety: every server applies the same one), or null.</summary>
    /// <exception cref="InvalidOperationException">The checker keeps no applied entries (made with <c>keepAppliedEntries: false</c>).</exception>
    public LogEntry? AppliedAt(long index) => keepAppliedEntries
        ? appliedAt.TryGetValue(index, out var applied) ? applied.Entry : null
        : throw new InvalidOperationException("this safety checker keeps no applied entries (keepAppliedEntries: false)");

    /// <summary>Highest index known committed anywhere.</summary>
    public long CommittedIndex => committed.Count - 1;

    /// <summary>
    /// A node (re)started from its disk, which held <paramref name="loaded"/>: its volatile history
    /// starts over, and it must start from exactly the term and vote it found. The checker reads the
    /// entries it loaded once, and chains them itself.
    /// </summary>
    public void OnStart(IRaftNode node, HardState loaded, long nowMicros)
    {
        var log = node.Log;
        var entries = new List<LogEntry>();
        for (var i = log.FirstIndex; i <= log.LastIndex; i++) entries.Add(log.EntryAt(i));
        Start(node, loaded, log.SnapshotIndex, log.SnapshotIndex > 0 ? log.TermAt(log.SnapshotIndex) : 0, entries, nowMicros);
    }

    /// <summary>
    /// A node (re)started from <paramref name="disk"/>, as the driver read it from its disk: the
    /// checker's view of its log is rebuilt from the disk, not from what the node reports, and the
    /// log the node reports must be that one.
    /// </summary>
    public void OnStart(IRaftNode node, PersistentState disk, long nowMicros) =>
        Start(node, disk.HardState, disk.Snapshot?.LastIncludedIndex ?? 0, disk.Snapshot?.LastIncludedTerm ?? 0, disk.Entries, nowMicros);

    private void Start(IRaftNode node, HardState loaded, long snapshotIndex, long snapshotTerm, IReadOnlyList<LogEntry> entries, long nowMicros)
    {
        var view = new NodeView(node, loaded);
        views[node.Id] = view;
        if (node.Term != loaded.Term || node.VotedFor != loaded.VotedFor)
            Fail(Property.PersistedStateMonotonic, nowMicros, node.Id,
                $"{node.Id} restarted with term={node.Term} vote={node.VotedFor?.ToString() ?? "-"} but its disk holds {loaded}");
        if (snapshotIndex > 0)
            TakeSnapshot(node.Id, view, snapshotIndex, snapshotTerm, claimedDigest: null, nowMicros, "restarted from");
        Write(node.Id, view, snapshotIndex + 1, entries, nowMicros);
        CheckReportedLog(node, view, nowMicros);
        CheckCommit(node, view, nowMicros);
    }

    /// <summary>
    /// A story states that the entries up to <paramref name="upTo"/> of <paramref name="id"/>'s log
    /// are committed (a scenario's preset logs: Figure 7's committed prefix). From then on every
    /// property that concerns committed entries holds the cluster to them, as if they had been
    /// committed in the run: a leader must hold them, no server may overwrite them. A statement
    /// that contradicts what is already committed is a State Machine Safety violation.
    /// </summary>
    public void DeclareCommitted(NodeId id, long upTo, long nowMicros)
    {
        var log = views[id].Log;
        for (var i = 1L; i <= upTo; i++)
        {
            if (!log.Knows(i)) throw new ArgumentOutOfRangeException(nameof(upTo), $"{id} does not hold entry {i}");
            if (i < committed.Count)
            {
                if (committed[(int)i].Digest != log.DigestAt(i))
                    Fail(Property.StateMachineSafety, nowMicros, id, $"{id}'s entries up to {i} are declared committed, but other entries up to {i} are");
            }
            else committed.Add((log.DigestAt(i), log.TermAt(i)));
        }
    }

    /// <summary>Call after every step of <paramref name="node"/> with the effects it returned.</summary>
    public void AfterStep(IRaftNode node, IReadOnlyList<Effect> effects, long nowMicros)
    {
        var view = views[node.Id];
        for (var i = 0; i < effects.Count; i++)
        {
            switch (effects[i])
            {
                case PersistHardState hard:
                    CheckPersisted(node.Id, view, hard.State, nowMicros);
                    break;
                case PersistEntries write:
                    Write(node.Id, view, write.FirstIndex, write.Entries, nowMicros);
                    break;
                case ApplyEntry apply:
                    CheckApply(node, view, apply.Entry, nowMicros);
                    break;
                case PersistSnapshot stored:
                    var metadata = stored.Snapshot.Metadata;
                    TakeSnapshot(node.Id, view, metadata.LastIncludedIndex, metadata.LastIncludedTerm, metadata.Digest, nowMicros, "stored");
                    break;
                case RestoreSnapshot restore:
                    CheckRestore(node, view, restore.Snapshot.Metadata, nowMicros);
                    break;
            }
        }
        CheckReportedLog(node, view, nowMicros);
        CheckLeader(node, view, nowMicros);
        var committedBefore = CommittedIndex;
        CheckCommit(node, view, nowMicros);
        if (CommittedIndex > committedBefore) CheckCommittedEntryCannotBeLost(node.Id, CommittedIndex, nowMicros);
    }

    /// <summary>
    /// A write (PersistEntries, or the log found at a restart) goes into the checker's copy of the
    /// log. It must fit the log, must not change what the node has committed, and each entry it
    /// writes must have the one prefix that entry has everywhere (Log Matching).
    /// </summary>
    private void Write(NodeId id, NodeView view, long firstIndex, IReadOnlyList<LogEntry> entries, long now)
    {
        var log = view.Log;
        var checkedUpTo = view.CheckedUpTo;
        var committedDigest = firstIndex <= checkedUpTo && log.Knows(checkedUpTo) ? log.DigestAt(checkedUpTo) : (ulong?)null;
        if (log.Write(firstIndex, entries) is { } problem)
        {
            Fail(Property.LogWellFormed, now, id, $"{id} {problem}");
            return;
        }
        if (committedDigest is { } digest && !log.HasPrefix(checkedUpTo, digest))
            Fail(Property.StateMachineSafety, now, id, $"{id} rewrote its log from index {firstIndex}, below its commit index {checkedUpTo}, and lost committed entries");
        for (var i = firstIndex; i <= log.LastIndex; i++) CheckLogMatching(id, log, i, now);
    }

    private void CheckLogMatching(NodeId id, ObservedLog log, long index, long now)
    {
        var key = (index, log.TermAt(index));
        var digest = log.DigestAt(index);
        if (!prefixOfEntry.TryGetValue(key, out var known))
            prefixOfEntry[key] = (digest, id);
        else if (known.Digest != digest)
            Fail(Property.LogMatching, now, id, known.Writer == id
                ? $"{id} wrote entry {index}@{key.Item2} twice, after different entries"
                : $"{id} and {known.Writer} both hold entry {index}@{key.Item2}, but not the same entries up to it");
    }

    /// <summary>
    /// A snapshot (stored after a compaction or from the leader, or found at a restart) must cover a
    /// committed prefix, ending in the committed entry. The checker's copy of the log takes it with
    /// the digest the checker computed for that prefix when it was committed, never the one the
    /// snapshot carries, which is checked instead (<see cref="CheckSnapshotDigest"/>).
    /// </summary>
    private void TakeSnapshot(NodeId id, NodeView view, long index, long term, ulong? claimedDigest, long now, string how)
    {
        var log = view.Log;
        if (index > CommittedIndex)
        {
            Fail(Property.StateMachineSafety, now, id, $"{id} {how} a snapshot up to {index}@{term}, beyond the committed entries (up to {CommittedIndex})");
            log.TakeSnapshot(index, term, log.Knows(index) ? log.DigestAt(index) : 0); // carry on with what there is
            return;
        }
        var (digest, committedTerm) = committed[(int)index];
        if (term != committedTerm)
            Fail(Property.StateMachineSafety, now, id, $"{id} {how} a snapshot up to {index}@{term}, but entry {index}@{committedTerm} is committed");
        else if (index > log.SnapshotIndex && log.Knows(index) && log.TermAt(index) == term && log.DigestAt(index) != digest)
            Fail(Property.StateMachineSafety, now, id, $"{id} {how} a snapshot up to {index}@{term} over a log whose entries up to it are not the committed ones");
        else if (claimedDigest is { } claimed)
            CheckSnapshotDigest(id, index, claimed, now);
        log.TakeSnapshot(index, term, digest);
    }

    /// <summary>
    /// The digest a snapshot carries is the node's name for the committed prefix it covers. The
    /// checker does not know the node's digest function, so it holds the node to what a digest
    /// promises: one committed prefix, one digest; different prefixes, different digests.
    /// </summary>
    private void CheckSnapshotDigest(NodeId id, long index, ulong claimed, long now)
    {
        if (!snapshotDigestAt.TryGetValue(index, out var known))
            snapshotDigestAt[index] = claimed;
        else if (known != claimed)
            Fail(Property.LogWellFormed, now, id, $"{id} stored a snapshot up to {index} with digest {claimed:x16}, but that committed prefix was stored with digest {known:x16}");
        if (!snapshotIndexOfDigest.TryGetValue(claimed, out var other))
            snapshotIndexOfDigest[claimed] = index;
        else if (other != index)
            Fail(Property.LogWellFormed, now, id, $"{id} stored a snapshot up to {index} with digest {claimed:x16}, which a snapshot up to {other} carried: the digest does not tell the two prefixes apart");
    }

    /// <summary>The log a node reports (to its driver, views, the scenario's tables) must be the one it wrote.</summary>
    private void CheckReportedLog(IRaftNode node, NodeView view, long now)
    {
        var reported = node.Log;
        var written = view.Log;
        if (reported.SnapshotIndex == written.SnapshotIndex && reported.LastIndex == written.LastIndex && reported.LastTerm == written.LastTerm) return;
        Fail(Property.LogWellFormed, now, node.Id,
            $"{node.Id} reports a log {ObservedLog.Shape(reported.SnapshotIndex, reported.LastIndex, reported.LastTerm)}, but the log it wrote is {written}");
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
        var configuration = views[committer].Node.Configuration;
        voterLogs.Clear(); // loops, not LINQ: this runs at every commit
        for (var i = 0; i < configuration.Voters.Count; i++)
            if (views.TryGetValue(configuration.Voters[i], out var voter)) voterLogs.Add(voter.Log);
        var digest = committed[(int)index].Digest;
        for (var v = 0; v < views.Count; v++)
        {
            var (id, log) = (views.Keys[v], views.Values[v].Log);
            if (log.HasPrefix(index, digest)) continue;
            var voters = 0;
            foreach (var other in voterLogs)
                if (IsAtLeastAsUpToDate(log, other)) voters++;
            if (Quorum.IsMajority(voters, configuration.Voters.Count))
            {
                Fail(Property.LeaderCompleteness, now, committer,
                    $"index {index} committed by {committer}, yet {id} (log ends {log.LastIndex}@{log.LastTerm}) lacks it and is at least as up to date as a majority of the voters ({configuration}), so it could be elected and overwrite it");
                return;
            }
        }
    }

    private static bool IsAtLeastAsUpToDate(ObservedLog candidate, ObservedLog voter) =>
        candidate.LastTerm > voter.LastTerm || (candidate.LastTerm == voter.LastTerm && candidate.LastIndex >= voter.LastIndex);

    private void CheckPersisted(NodeId id, NodeView view, HardState state, long now)
    {
        var before = view.Persisted;
        if (state.Term < before.Term)
            Fail(Property.PersistedStateMonotonic, now, id, $"{id} persisted term went back from {before.Term} to {state.Term}");
        else if (state.Term == before.Term && before.VotedFor is not null && state.VotedFor != before.VotedFor)
            Fail(Property.PersistedStateMonotonic, now, id, $"{id}'s persisted vote in term {before.Term} changed from {before.VotedFor} to {state.VotedFor?.ToString() ?? "none"}");
        view.Persisted = state;
    }

    private void CheckLeader(IRaftNode node, NodeView view, long now)
    {
        if (node.Role != Role.Leader)
        {
            view.LeaderTerm = 0;
            return;
        }
        var log = view.Log;
        if (view.LeaderTerm != node.Term)
        {
            // Newly leader in this term.
            if (leaderOfTerm.TryGetValue(node.Term, out var other) && other != node.Id)
                Fail(Property.ElectionSafety, now, node.Id, $"{node.Id} and {other} both lead term {node.Term}");
            leaderOfTerm[node.Term] = node.Id;
            var needed = CommittedBefore(node.Term);
            if (!log.HasPrefix(needed, committed[(int)needed].Digest))
            {
                var missing = FirstLacking(log, needed);
                Fail(Property.LeaderCompleteness, now, node.Id,
                    $"{node.Id} leads term {node.Term} without committed entry {missing}@{committed[(int)missing].Term} (its log: {log})");
            }
            view.LeaderTerm = node.Term;
        }
        else if (!log.HasPrefix(view.LeaderLastIndex, view.LeaderDigest))
        {
            Fail(Property.LeaderAppendOnly, now, node.Id, $"leader {node.Id} of term {node.Term} changed its log below index {view.LeaderLastIndex}");
        }
        view.LeaderLastIndex = log.LastIndex;
        view.LeaderDigest = log.DigestAt(log.LastIndex);
    }

    /// <summary>The lowest committed index up to <paramref name="upTo"/> whose prefix <paramref name="log"/> lacks; prefixes nest, so it lacks every one above too.</summary>
    private long FirstLacking(ObservedLog log, long upTo)
    {
        for (var i = log.SnapshotIndex + 1; i < upTo; i++)
        {
            if (!log.HasPrefix(i, committed[(int)i].Digest)) return i;
        }
        return upTo;
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

    /// <summary>
    /// The node's commit index is its claim that the entries up to it are committed: the checker
    /// holds it to the log it wrote. Entries newly claimed are compared, by the checker's digests,
    /// with the prefix committed anywhere so far, or extend it.
    /// </summary>
    private void CheckCommit(IRaftNode node, NodeView view, long now)
    {
        var commit = node.CommitIndex;
        var log = view.Log;
        if (commit < view.CommitIndex)
            Fail(Property.CommitIndexMonotonic, now, node.Id, $"{node.Id}'s commit index went back from {view.CommitIndex} to {commit}");
        if (commit > log.LastIndex)
            Fail(Property.CommitIndexWithinLog, now, node.Id, $"{node.Id} has commit index {commit}, beyond the end of the log it wrote, {log}");
        view.CommitIndex = Math.Max(view.CommitIndex, commit);
        var upTo = Math.Min(commit, log.LastIndex);
        // Compacted indices were found committed when the snapshot was taken (TakeSnapshot).
        for (var i = Math.Max(view.CheckedUpTo, log.SnapshotIndex) + 1; i <= upTo; i++)
        {
            var digest = log.DigestAt(i);
            if (i > CommittedIndex)
            {
                committed.Add((digest, log.TermAt(i)));
                committedUpToInTerm[node.Term] = i; // first committed now, in this node's term
            }
            else if (committed[(int)i].Digest != digest)
            {
                var committedTerm = committed[(int)i].Term;
                Fail(Property.StateMachineSafety, now, node.Id, committedTerm == log.TermAt(i)
                    ? $"{node.Id} commits entry {i}@{committedTerm} after other entries than those committed before it elsewhere"
                    : $"{node.Id} commits entry {i}@{log.TermAt(i)}, where {i}@{committedTerm} is committed");
                break; // the prefixes differ from here on
            }
        }
        view.CheckedUpTo = Math.Max(view.CheckedUpTo, upTo);
    }

    private void CheckApply(IRaftNode node, NodeView view, LogEntry entry, long now)
    {
        if (entry.Index != view.LastApplied + 1)
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"{node.Id} applied index {entry.Index} after {view.LastApplied}");
        if (entry.Index > node.CommitIndex)
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"{node.Id} applied index {entry.Index} beyond commit index {node.CommitIndex}");
        var log = view.Log;
        if (entry.Index > log.SnapshotIndex && log.Knows(entry.Index) && PrefixDigest.Next(log.DigestAt(entry.Index - 1), entry) != log.DigestAt(entry.Index))
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"{node.Id} applied {entry}, which is not the entry its log holds at index {entry.Index}");
        view.LastApplied = entry.Index;
        if (!keepAppliedEntries)
        {
            var digest = PrefixDigest.Next(0, entry);
            if (!appliedDigestAt.TryGetValue(entry.Index, out var firstDigest))
                appliedDigestAt[entry.Index] = (digest, node.Id);
            else if (firstDigest.Digest != digest)
                Fail(Property.StateMachineSafety, now, node.Id, $"{node.Id} applied {entry} at index {entry.Index}, but {firstDigest.Node} applied another entry there");
        }
        else if (!appliedAt.TryGetValue(entry.Index, out var first))
            appliedAt[entry.Index] = (entry, node.Id);
        else if (!first.Entry.Equals(entry))
            Fail(Property.StateMachineSafety, now, node.Id, $"{node.Id} applied {entry} at index {entry.Index}, but {first.Node} applied {first.Entry}");
    }

    /// <summary>Restoring a snapshot applies its whole prefix at once: it must be committed, and ahead of what was applied.</summary>
    private void CheckRestore(IRaftNode node, NodeView view, SnapshotMetadata snapshot, long now)
    {
        var index = snapshot.LastIncludedIndex;
        if (index <= view.LastApplied)
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"{node.Id} restored a snapshot up to {index} after applying up to {view.LastApplied}");
        if (index > node.CommitIndex)
            Fail(Property.AppliedIsCommittedPrefix, now, node.Id, $"{node.Id} restored a snapshot up to {index} beyond commit index {node.CommitIndex}");
        view.LastApplied = Math.Max(view.LastApplied, index);
    }

    private void Fail(Property property, long now, NodeId node, string message)
    {
        if (violations.Count >= MaxViolations || violations.Exists(v => v.Property == property && v.Message == message)) return;
        violations.Add(new Violation(property, now, node.ToString(), message));
    }

    /// <summary>What the checker knows of one node in its current incarnation.</summary>
    private sealed class NodeView(IRaftNode node, HardState persisted)
    {
        public IRaftNode Node { get; } = node;

        /// <summary>The checker's own copy of the log the node wrote.</summary>
        public ObservedLog Log { get; } = new();

        public HardState Persisted = persisted;

        /// <summary>Highest commit index the node has claimed in this incarnation.</summary>
        public long CommitIndex;

        /// <summary>Highest index the node claimed committed and the checker found committed in its log.</summary>
        public long CheckedUpTo;

        public long LastApplied = node.LastApplied;
        public long LeaderTerm;
        public long LeaderLastIndex;
        public ulong LeaderDigest;
    }
}
