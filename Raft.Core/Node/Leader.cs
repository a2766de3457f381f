using Raft.Core.Log;
using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>Leader (Figure 2, §5.3, §5.4): replicate the log, advance the commit index, send heartbeats.</summary>
public sealed partial class RaftNode
{
    private readonly SortedDictionary<NodeId, Progress> progress = [];
    private NodeId[] peers = []; // progress's keys in order, copied whenever they change: a loop over them allocates nothing
    private int heartbeatElapsedTicks;

    /// <summary>The leader's view of <paramref name="peer"/>, or null when not leader.</summary>
    public Progress? ProgressOf(NodeId peer) =>
        Role == Role.Leader && progress.TryGetValue(peer, out var p) ? p : null;

    private void BecomeLeader()
    {
        Role = Role.Leader;
        Leader = Id;
        heartbeatElapsedTicks = 0;
        electionElapsedTicks = 0; // a leader counts its CheckQuorum period with the election timer
        transferTarget = null;
        progress.Clear();
        foreach (var peer in OtherMembers) progress[peer] = new Progress(log.LastIndex + 1);
        peers = [.. progress.Keys];
        ResetReadState();

        // §5.4.2 and §8: a no-op of the new term lets entries of earlier terms commit through it.
        AppendOwnEntry(EntryKind.NoOp, []);
        foreach (var peer in peers) SendAppend(peer, heartbeat: true); // announce leadership at once
        MaybeAdvanceCommit();
    }

    private void TickLeader()
    {
        if (MaybeStepDownWithoutQuorum()) return;
        TickReadLease();
        TickLeadershipTransfer();
        heartbeatElapsedTicks++;
        if (heartbeatElapsedTicks < options.HeartbeatTicks) return;
        heartbeatElapsedTicks = 0;
        foreach (var peer in peers)
        {
            progress[peer].AllowProbe();
            SendAppend(peer, heartbeat: true);
        }
        MaybePromoteLearners();
    }

    private ProposeOutcome ProposeCommand(byte[] command)
    {
        if (Role != Role.Leader) return ProposeOutcome.NotLeader(Leader);
        if (transferTarget is not null) return ProposeOutcome.TransferInProgress(Id); // thesis §3.10
        var entry = AppendOwnEntry(EntryKind.Command, command);
        foreach (var peer in peers) SendAppend(peer, heartbeat: false);
        MaybeAdvanceCommit();
        return new ProposeOutcome(true, entry.Index, entry.Term, Id);
    }

    private void StepLeader(Message message)
    {
        if (!progress.TryGetValue(message.From, out var pr))
        {
            // Not a member (any more): only its vote requests get an answer, a refusal.
            if (message is RequestVote stranger) HandleRequestVote(stranger);
            return;
        }
        if (!IsPlausibleAnswer(pr, message))
        {
            IgnoreImplausible(); // about entries this leader never sent it
            return;
        }
        pr.MarkRecentlyActive(); // a message of our term: the peer is alive (CheckQuorum)
        switch (message)
        {
            case RequestVote request:
                HandleRequestVote(request); // refused: we voted for ourselves in this term
                break;
            case AppendEntriesResponse response:
                ObserveLeadershipAcknowledged(response.From, response.InReplyTo); // confirms pending reads (§6.4)
                HandleAppendResponse(response);
                break;
            case InstallSnapshotResponse response:
                ObserveLeadershipAcknowledged(response.From, response.InReplyTo); // as above
                HandleInstallSnapshotResponse(response); // §7, in Snapshots.cs
                break;
            // An AppendEntries in our own term would mean two leaders in one term (Election
            // Safety violated by a faulty peer); a correct leader ignores it.
        }
    }

    private LogEntry AppendOwnEntry(EntryKind kind, byte[] command)
    {
        var entry = new LogEntry(log.LastIndex + 1, Term, kind, command);
        log.Append(entry); // Leader Append-Only: the leader never truncates its own log
        PersistTailFrom(entry.Index);
        if (kind == EntryKind.Configuration) RefreshConfiguration(); // in force once appended (§4.1)
        return entry;
    }

    /// <summary>
    /// Sends the next entries to <paramref name="peer"/> if flow control allows. With
    /// <paramref name="heartbeat"/>, sends an AppendEntries even when there is nothing (more) to send.
    /// </summary>
    private void SendAppend(NodeId peer, bool heartbeat)
    {
        var pr = progress[peer];
        if (pr.Next <= log.SnapshotIndex)
        {
            SendSnapshot(peer, resend: heartbeat); // the entries it needs are compacted (§7)
            return;
        }
        var canSendEntries = pr.Next <= log.LastIndex && !pr.IsPaused(options.MaxInflightAppends);
        if (!canSendEntries && !heartbeat) return;

        var prevIndex = pr.Next - 1;
        var entries = canSendEntries ? NextBatch(pr.Next) : [];
        Send(new AppendEntries(Id, peer, Term, NextMessageId(), prevIndex, log.TermAt(prevIndex), entries, CommitIndex));
        pr.SentAppend(prevIndex, entries.Count);
    }

    /// <summary>Entries from <paramref name="from"/>, bounded by count and bytes (at least one).</summary>
    private IReadOnlyList<LogEntry> NextBatch(long from)
    {
        var to = Math.Min(log.LastIndex, from + options.MaxEntriesPerAppend - 1);
        long bytes = log.EntryAt(from).Command.Length;
        for (var i = from + 1; i <= to; i++)
        {
            bytes += log.EntryAt(i).Command.Length;
            if (bytes > options.MaxBytesPerAppend) { to = i - 1; break; }
        }
        return log.Slice(from, to);
    }

    private void HandleAppendResponse(AppendEntriesResponse response)
    {
        var pr = progress[response.From];
        if (response.Success)
        {
            if (pr.MaybeAcknowledge(response.Index)) MaybeAdvanceCommit();
            if (Role != Role.Leader) return; // it committed its own removal and stepped down
            MaybeSendTimeoutNow();
            MaybePromoteLearners();
        }
        else
        {
            if (!pr.IsCurrentRejection(response.Index, response.InReplyTo)) return; // stale: Next moved on since
            pr.BackOffTo(NextIndexAfterRejection(response), firstMessageIdAfter: nextMessageId);
        }
        SendAppend(response.From, heartbeat: false);
    }

    /// <summary>
    /// §5.3, fast backtracking: skip the follower's whole conflicting term in one round trip.
    /// If the leader has entries of the follower's term at PrevLogIndex, retry just after its last
    /// one; otherwise retry at the first index of that term on the follower.
    /// </summary>
    private long NextIndexAfterRejection(AppendEntriesResponse response)
    {
        long next;
        if (response.HintTerm == 0)
        {
            next = response.HintIndex; // the follower's log is shorter than PrevLogIndex
        }
        else
        {
            var lastOfTerm = log.LastIndexOfTerm(response.HintTerm);
            next = lastOfTerm > 0 ? lastOfTerm + 1 : response.HintIndex;
        }
        // The rejected PrevLogIndex did not match, so the next PrevLogIndex must be below it.
        return Math.Max(1, Math.Min(next, response.Index));
    }

    /// <summary>
    /// Figure 2: commitIndex = N if a majority has matchIndex &gt;= N and log[N].term == currentTerm.
    /// The majority is of the voters of the latest configuration; a leader that has removed itself
    /// does not count its own log (thesis §4.2.2), and counts it only as far as it is durable
    /// (<see cref="SelfMatch"/>, thesis §10.2.1).
    /// </summary>
    private void MaybeAdvanceCommit()
    {
        var voters = Configuration.Voters;
        Span<long> matches = voters.Count <= 16 ? stackalloc long[voters.Count] : new long[voters.Count];
        for (var i = 0; i < matches.Length; i++) matches[i] = voters[i] == Id ? SelfMatch : progress[voters[i]].Match;
        var n = Quorum.MajorityIndex(matches);
        if (n <= CommitIndex) return;
        // §5.4.2, Figure 8: only entries of the current term are committed by counting replicas;
        // earlier ones commit with them (Log Matching). TeachingBug.CommitOldTermByCounting skips this.
        if (log.TermAt(n) != Term && options.Bug != TeachingBug.CommitOldTermByCounting) return;
        CommitIndex = n;
        MaybeStepDownAfterRemoval();
    }
}
