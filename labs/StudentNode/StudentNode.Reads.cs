using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Node;

namespace StudentNode;

/// <summary>
/// Lab 5 (optional), linearizable reads without the log (labs/lab5-kv-service.md): thesis §6.4,
/// ReadIndex. A client's get arrives as a <see cref="Raft.Core.Inputs.ReadIndex"/> input; answer
/// it, in this step or a later one, with <see cref="ReadReady"/> (serve the read once the state
/// machine has applied up to that index) or <see cref="ReadRefused"/>.
/// </summary>
public sealed partial class StudentNode
{
    /// <summary>
    /// Leader only: the reads waiting for a majority to confirm this server still leads, oldest
    /// first. Empty until you use it: add a read when it arrives, answer and remove it once
    /// confirmed (HandleAppendEntriesResponse and HandleInstallSnapshotResponse hear the answers),
    /// refuse and remove them all when this server steps down (BecomeFollower). Keep it bounded:
    /// past a limit of your choosing, refuse new reads with <see cref="ReadRefusal.TooManyPendingReads"/>.
    /// </summary>
    private readonly List<PendingRead> pendingReads = [];

    /// <summary>One read waiting for confirmation. Add what it needs to tell a confirming answer from an old one.</summary>
    private sealed class PendingRead(long requestId, long readIndex)
    {
        /// <summary>The client's request, named again in <see cref="ReadReady"/> or <see cref="ReadRefused"/>.</summary>
        public long RequestId { get; } = requestId;

        /// <summary>The commit index when the read arrived (thesis §6.4, step 1).</summary>
        public long ReadIndex { get; } = readIndex;

        // TODO(lab 5) which answers confirm this read, and which servers have confirmed it so far?
    }

    /// <summary>A client wants a linearizable read; <paramref name="requestId"/> names it in the answer.</summary>
    private void HandleReadIndex(long requestId)
    {
        // TODO(lab 5) thesis §6.4, steps 1-3: only a leader that has committed an entry of its own
        // term knows a safe read index; it must then confirm it is still leader (a majority
        // answering a heartbeat round sent after the read arrived) before MarkReadReady.
        // Until then every read is refused, which is safe but never answers a client.
        RefuseRead(requestId, Role == Role.Leader ? ReadRefusal.LeaderNotReady : ReadRefusal.NotLeader);
    }

    /// <summary>The read may be served once the state machine has applied <paramref name="readIndex"/>.</summary>
    private void MarkReadReady(long requestId, long readIndex) => effects.Add(new ReadReady(requestId, readIndex));

    /// <summary>Refuses the read; the client tries <see cref="Leader"/> (or this server again for LeaderNotReady).</summary>
    private void RefuseRead(long requestId, ReadRefusal reason) =>
        effects.Add(new ReadRefused(requestId, reason, reason == ReadRefusal.NotLeader ? Leader : Id));
}
