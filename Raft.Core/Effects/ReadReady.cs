namespace Raft.Core.Effects;

/// <summary>
/// The read <see cref="RequestId"/> may be served from the state machine as soon as it has applied
/// every entry up to <see cref="ReadIndex"/> (thesis §6.4, step 4): the leader knew that index was
/// committed and was still leader after the read arrived.
/// </summary>
public sealed record ReadReady(long RequestId, long ReadIndex) : Effect
{
    public override string ToString() => $"read #{RequestId} ready at {ReadIndex}";
}
