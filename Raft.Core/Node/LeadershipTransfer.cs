using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// Leadership transfer (thesis §3.10). The leader stops accepting new commands, brings the target
/// up to date with ordinary AppendEntries, then sends it TimeoutNow so that it starts an election
/// at once; with an up-to-date log and a higher term it wins, and the old leader steps down when
/// it sees that term. If this does not happen within an election timeout the leader aborts the
/// transfer and accepts commands again.
/// </summary>
public sealed partial class RaftNode
{
    private NodeId? transferTarget;
    private int transferElapsedTicks;
    private bool timeoutNowSent;

    /// <summary>The node leadership is being handed to, or null when no transfer is under way.</summary>
    public NodeId? TransferTarget => Role == Role.Leader ? transferTarget : null;

    private void StartLeadershipTransfer(NodeId target)
    {
        if (Role != Role.Leader || target == Id || !Configuration.IsVoter(target)) return;
        if (transferTarget == target) return; // already under way: keep its deadline
        transferTarget = target;
        ForfeitReadLease();
        transferElapsedTicks = 0;
        timeoutNowSent = false;
        if (!MaybeSendTimeoutNow()) SendAppend(target, heartbeat: true); // start catching it up now
    }

    /// <summary>Sends TimeoutNow once the target holds the leader's whole log. Returns whether it was sent.</summary>
    private bool MaybeSendTimeoutNow()
    {
        if (transferTarget is not { } target || timeoutNowSent) return false;
        // Proposals are refused during the transfer, so the leader's log does not grow under the target.
        if (!progress.TryGetValue(target, out var pr) || pr.Match != log.LastIndex) return false;
        Send(new TimeoutNow(Id, target, Term, NextMessageId()));
        timeoutNowSent = true;
        return true;
    }

    /// <summary>§3.10: give up after an election timeout, so that a dead target cannot block proposals for ever.</summary>
    private void TickLeadershipTransfer()
    {
        if (transferTarget is null) return;
        transferElapsedTicks++;
        if (transferElapsedTicks >= options.ElectionTicks) transferTarget = null;
    }
}
