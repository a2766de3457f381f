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
