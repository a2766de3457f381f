using Raft.Core.Effects;
using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// Linearizable reads without writing to the log (thesis §6.4). A read must see every write that
/// completed before it began, so the leader answers it only once it knows (1) an index at least as
/// high as any committed before the read arrived, and (2) that it was still the leader after the
/// read arrived, so no newer leader can have committed anything it has not seen.
/// <list type="number">
/// <item>ReadIndex: the read index is the commit index, valid once the leader has committed an
/// entry of its own term (its no-op, §6.4 step 1). Leadership is confirmed by a round of
/// AppendEntries: a majority answering, in our term, a message sent after the read arrived. A
/// follower that is being sent a snapshot answers the leader's InstallSnapshot chunks instead, and
/// those answers confirm leadership just as well. Message ids grow, so a response's InReplyTo
/// tells which round it confirms.</item>
/// <item>Lease (§6.4.1, option <see cref="RaftOptions.LeaseReads"/>): with CheckQuorum, a follower
/// refuses votes for an election timeout after hearing from the leader (and after restarting). A
/// leader whose messages, sent within the last <see cref="RaftOptions.LeaseTicks"/> of its own
/// ticks, were acknowledged by a majority may answer at once. This is only safe while clocks run at
/// nearly the same rate: <see cref="RaftOptions.LeaseDriftMarginTicks"/> says by how much they may
/// differ, and lease reads are refused as an option when it is none.</item>
/// </list>
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>Bound on reads waiting for their confirmation round.</summary>
    public const int MaxPendingReads = 1024;

    private readonly Queue<PendingRead> pendingReads = new();
    private readonly SortedDictionary<NodeId, long> highestAnsweredMessageId = [];
    private readonly SortedDictionary<NodeId, long> answeredSentAtTick = [];
    private readonly Queue<(long Tick, long FirstMessageId)> tickStarts = new();
    private long leaderTicks;
    private bool leaseForfeited;

    /// <summary>Reads waiting for a majority to confirm leadership (leader only).</summary>
    public int PendingReadCount => pendingReads.Count;

    /// <summary>Whether this leader may serve a read at once, on its lease (§6.4.1).</summary>
    public bool HoldsReadLease => Role == Role.Leader && options.LeaseReads && LeaseHolds();

    private void HandleReadIndex(long requestId)
    {
        if (Role != Role.Leader)
        {
            Refuse(requestId, ReadRefusal.NotLeader, Leader); // forwarding is left to the driver
            return;
        }
        // §6.4 step 1: until its no-op commits, a new leader's commit index may lag the true one.
        if (log.TermAt(CommitIndex) != Term)
        {
            Refuse(requestId, ReadRefusal.LeaderNotReady, Id);
            return;
        }
        // TeachingBug.ReadWithoutQuorumCheck: answer without confirming leadership, so a deposed
        // leader that has not noticed yet serves stale values.
        if (options.Bug == TeachingBug.ReadWithoutQuorumCheck || HoldsReadLease)
        {
            effects.Add(new ReadReady(requestId, CommitIndex));
            return;
        }
        if (pendingReads.Count >= MaxPendingReads)
        {
            Refuse(requestId, ReadRefusal.TooManyPendingReads, Id);
            return;
        }
        // §6.4 steps 2-3: remember the read index, then confirm leadership with a fresh round.
        pendingReads.Enqueue(new PendingRead(requestId, CommitIndex, Term, nextMessageId));
        foreach (var peer in peers) SendAppend(peer, heartbeat: true);
        ReleaseConfirmedReads(); // a single-node cluster is its own majority
    }

    /// <summary>
    /// Leader, for every AppendEntries or InstallSnapshot response of its term (accepted or not):
    /// <paramref name="peer"/> still follows this term as of message <paramref name="inReplyTo"/>.
    /// </summary>
    private void ObserveLeadershipAcknowledged(NodeId peer, long inReplyTo)
    {
        if (inReplyTo > highestAnsweredMessageId.GetValueOrDefault(peer))
            highestAnsweredMessageId[peer] = inReplyTo;
        if (SentAtTick(inReplyTo) is { } tick && tick > answeredSentAtTick.GetValueOrDefault(peer, long.MinValue))
            answeredSentAtTick[peer] = tick;
        ReleaseConfirmedReads();
    }

    /// <summary>Reads are confirmed in arrival order: a later read's round starts later.</summary>
    private void ReleaseConfirmedReads()
    {
        while (pendingReads.TryPeek(out var read) && AnsweredByQuorum(read.FirstMessageId))
        {
            pendingReads.Dequeue();
            effects.Add(new ReadReady(read.RequestId, read.ReadIndex));
        }
    }

    /// <summary>Whether a majority of voters (this leader included) answered a message sent at or after <paramref name="messageId"/>.</summary>
    private bool AnsweredByQuorum(long messageId)
    {
        var voters = Configuration.Voters;
        var answered = 0;
        for (var i = 0; i < voters.Count; i++) // a loop, not a lambda: this runs on every acknowledgement while reads wait
            if (voters[i] == Id || highestAnsweredMessageId.GetValueOrDefault(voters[i]) >= messageId) answered++;
        return Quorum.IsMajority(answered, voters.Count);
    }

    /// <summary>After every step: a node that is no longer leader of the read's term refuses the reads it held.</summary>
    private void RefuseReadsIfDeposed()
    {
        if (pendingReads.Count == 0 || (Role == Role.Leader && pendingReads.Peek().Term == Term)) return;
        while (pendingReads.TryDequeue(out var read)) Refuse(read.RequestId, ReadRefusal.LeadershipLost, Leader);
    }

    /// <summary>On becoming leader: no acknowledgements yet, and the lease clock starts at tick 0.</summary>
    private void ResetReadState()
    {
        highestAnsweredMessageId.Clear();
        answeredSentAtTick.Clear();
        tickStarts.Clear();
        leaderTicks = 0;
        leaseForfeited = false;
        tickStarts.Enqueue((0, nextMessageId));
    }

    /// <summary>Leader, every tick: note which message ids this tick starts at, for the lease (bounded to the lease window).</summary>
    private void TickReadLease()
    {
        leaderTicks++;
        tickStarts.Enqueue((leaderTicks, nextMessageId));
        while (tickStarts.Count > options.LeaseTicks + 1) tickStarts.Dequeue();
    }

    /// <summary>
    /// A leadership transfer lets the target's RequestVote bypass the followers' vote lease
    /// (§3.10), so the leader's lease no longer protects it: no lease reads for the rest of the term.
    /// </summary>
    private void ForfeitReadLease() => leaseForfeited = true;

    /// <summary>The tick during which message <paramref name="messageId"/> was sent, if still within the window.</summary>
    private long? SentAtTick(long messageId)
    {
        long? tick = null;
        foreach (var (t, first) in tickStarts)
        {
            if (first > messageId) break;
            tick = t;
        }
        return tick;
    }

    /// <summary>§6.4.1: a majority (this node included) acknowledged messages sent within the lease.</summary>
    private bool LeaseHolds() =>
        !leaseForfeited && transferTarget is null
        && HasQuorum(v => v == Id || (answeredSentAtTick.TryGetValue(v, out var t) && leaderTicks - t < options.LeaseTicks));

    private void Refuse(long requestId, ReadRefusal reason, NodeId? hint) =>
        effects.Add(new ReadRefused(requestId, reason, hint));

    private readonly record struct PendingRead(long RequestId, long ReadIndex, long Term, long FirstMessageId);
}
