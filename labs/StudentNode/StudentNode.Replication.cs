using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace StudentNode;

/// <summary>
/// Lab 2, log replication (labs/lab2-replication.md): §5.3, §5.4.2, §8 (the no-op) and Figure 2's
/// AppendEntries RPC, "Rules for Servers" (All Servers, Leaders) and "Volatile state on leaders".
/// Lab 1 needs only the heartbeat part: SendAppendEntries with no entries, and a follower that
/// accepts a current leader's AppendEntries and resets its election timer.
/// </summary>
public sealed partial class StudentNode
{
    /// <summary>nextIndex (Figure 2, leaders): for each peer, index of the next entry to send it.</summary>
    private readonly SortedDictionary<NodeId, long> nextIndex = [];

    /// <summary>matchIndex (Figure 2, leaders): for each peer, highest entry known to be replicated on it.</summary>
    private readonly SortedDictionary<NodeId, long> matchIndex = [];

    // TODO(lab 2) Figure 2's two numbers are all the *rules* need, but not all a leader needs to send
    // each entry about once (the entry-byte-budget test) without restarting its search for where a
    // follower's log matches at every late rejection (the fast-backup test). lab2-replication.md,
    // "Sending each entry once", explains what else a leader must know about each follower: add
    // fields of your own here (and (re)initialise them in BecomeLeader, like nextIndex and matchIndex).

    /// <summary>Ticks since the leader last sent heartbeats.</summary>
    private int heartbeatElapsedTicks;

    /// <summary>
    /// Leaders (Figure 2): every <see cref="RaftOptions.HeartbeatTicks"/> ticks, send AppendEntries
    /// to every peer, so that followers keep hearing from the leader and do not start elections.
    /// </summary>
    private void TickLeader()
    {
        heartbeatElapsedTicks++;
        if (heartbeatElapsedTicks < options.HeartbeatTicks) return;
        heartbeatElapsedTicks = 0;
        // TODO(lab 1) Figure 2, "Leaders": send a heartbeat to every peer (SendAppendEntries).
        // TODO(lab 4) a peer that needs the snapshot gets a chunk instead (SendAppendEntries). At a
        // heartbeat, send it one only if no chunk went out to it since the previous heartbeat
        // (snapshotTransfers, Snapshots.cs): a lost chunk is resent, a slow answer is waited for.
    }

    /// <summary>
    /// A client command (Figure 2, "Leaders": append it to the local log, then replicate it).
    /// Returns where the entry went, or a refusal with a leader hint when this server does not lead.
    /// </summary>
    private ProposeOutcome Propose(byte[] command)
    {
        // TODO(lab 2) §5.3: a leader appends a Command entry of its current term at the end of
        // its log (AppendToOwnLog), sends it to the followers, and returns
        // new ProposeOutcome(true, index, term, Id). A one-server cluster can commit it at once.
        return ProposeOutcome.NotLeader(Leader);
    }

    /// <summary>
    /// Sends <paramref name="peer"/> one AppendEntries: the entries from nextIndex[peer] on (at
    /// most <see cref="RaftOptions.MaxEntriesPerAppend"/> entries and at most
    /// <see cref="RaftOptions.MaxBytesPerAppend"/> bytes of commands, but always at least one entry
    /// when there is one to send; none for a pure heartbeat), after (prevLogIndex, prevLogTerm),
    /// with this leader's commit index.
    /// </summary>
    private void SendAppendEntries(NodeId peer)
    {
        // TODO(lab 1) a heartbeat: an AppendEntries of the current term with no entries.
        // TODO(lab 2) §5.3: carry the entries the peer lacks (log.Slice) and the consistency
        // check's (prevLogIndex, prevLogTerm) taken from nextIndex[peer]. Once the peer's log is
        // known to match yours, what you just sent need not be sent again: see the handout's
        // "Sending each entry once" for when nextIndex may move at sending time.
        // TODO(lab 4) §7: if nextIndex[peer] is at or below log.SnapshotIndex, those entries are
        // gone: send the snapshot instead (SendSnapshotChunk, Snapshots.cs).
    }

    /// <summary>
    /// AppendEntries receiver (Figure 2), once <see cref="ReceiveMessage"/> has dealt with the term.
    /// Reply with an <see cref="AppendEntriesResponse"/> (InReplyTo = append.Id): on success its
    /// Index is the last index this message proved to match the leader's log; on a rejection
    /// Index is the PrevLogIndex that failed, and HintIndex/HintTerm help the leader back up fast.
    /// (An AppendEntries of an older term never gets here: <see cref="ReceiveMessage"/> refuses it.)
    /// </summary>
    private void HandleAppendEntries(AppendEntries append)
    {
        // TODO(lab 1) a current leader is speaking: a candidate of the same term steps down
        // (§5.2), and every follower notes the leader and resets its election timer (Figure 2).
        // TODO(lab 2) Figure 2, "Receiver implementation", steps 2-5 (§5.3):
        //  - the consistency check on (PrevLogIndex, PrevLogTerm); reject if it fails
        //  - delete a conflicting suffix and append what is new (AppendNewEntries below)
        //  - advance the commit index, but only as far as this message proves our log matches
        // TODO(lab 2) fast backup (§5.3, end of the section): when rejecting, fill in HintIndex and
        // HintTerm (see AppendEntriesResponse's documentation) so the leader skips a whole term.
    }

    /// <summary>
    /// Step 3-4 of the AppendEntries receiver (§5.3): for each entry, if the log has a different
    /// term at its index, delete that entry and all after it; append the entries not already in
    /// the log. Entries already present are kept: a duplicated or delayed old AppendEntries must
    /// never shorten the log. Persist what changed (PersistLogFrom) before the reply is sent.
    /// </summary>
    private void AppendNewEntries(IReadOnlyList<LogEntry> entries)
    {
        // TODO(lab 2) §5.3, using log.TermAt, log.TruncateFrom and log.Append.
        // TODO(lab 3) persist from the first index you wrote (a truncation included).
        // TODO(lab 4) entries at or below log.SnapshotIndex are already in the snapshot: skip them.
    }

    /// <summary>
    /// A follower's answer, at the leader. On success, advance matchIndex/nextIndex and maybe the
    /// commit index; on a rejection, move nextIndex back (by the hint) and try again.
    /// </summary>
    private void HandleAppendEntriesResponse(AppendEntriesResponse response)
    {
        // TODO(lab 2) Figure 2, "Leaders" (§5.3). Only a leader of the response's term cares.
        // Answers arrive late, twice or out of order: matchIndex never goes backwards, and a
        // rejection of something you no longer believe must not undo progress. Once you send ahead
        // (the handout's "Sending each entry once"), several rejections can answer one mistake:
        // act on the first, and recognise the others as answers to messages already superseded.
        // TODO(lab 5) thesis §6.4: an answer in this term to a message sent after a pending read
        // arrived is one vote of confidence for that read (StudentNode.Reads.cs).
    }

    /// <summary>
    /// Figure 2, "Leaders", last rule: if there is an N &gt; commitIndex such that a majority of
    /// matchIndex[i] &gt;= N (the leader counts itself) and log[N].term == currentTerm, set commitIndex = N.
    /// </summary>
    private void MaybeAdvanceCommitIndex()
    {
        // TODO(lab 2) §5.3, §5.4.2 and Figure 8: why must log[N].term be the current term?
    }

    /// <summary>
    /// Figure 2, "Rules for All Servers": while commitIndex &gt; lastApplied, apply the next entry.
    /// Runs after every step. Use <see cref="Apply"/>.
    /// </summary>
    private void ApplyCommitted()
    {
        // TODO(lab 2) apply every committed entry not yet applied, in index order.
    }

    /// <summary>Appends a new entry of the current term to this leader's own log and persists it.</summary>
    private LogEntry AppendToOwnLog(EntryKind kind, byte[] command)
    {
        var entry = new LogEntry(log.LastIndex + 1, Term, kind, command);
        log.Append(entry);
        PersistLogFrom(entry.Index);
        return entry;
    }
}
