namespace Raft.Core.Inputs;

/// <summary>
/// A client wants a linearizable read (thesis §6.4). The node answers with a
/// <see cref="Effects.ReadReady"/> (serve the read once the state machine has applied up to its
/// index) or a <see cref="Effects.ReadRefused"/>, in this step or a later one, naming
/// <see cref="RequestId"/>. Nothing is written to the log.
/// </summary>
/// <param name="RequestId">Chosen by the driver to match the answer to the request.</param>
public sealed record ReadIndex(long RequestId) : Input
{
    public override string ToString() => $"read-index #{RequestId}";
}
