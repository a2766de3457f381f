namespace Raft.Core.Inputs;

/// <summary>
/// The driver's report that the node's log is durable up to <see cref="Index"/>, whose entry has
/// <see cref="Term"/> (thesis §10.2.1). Only needed with <see cref="RaftOptions.LeaderPersistsInParallel"/>:
/// a leader then counts its own log in the commit majority only up to what was reported. A report
/// about an entry the log no longer holds (truncated since, or replaced) is ignored.
/// </summary>
public sealed record LogPersisted(long Index, long Term) : Input
{
    public override string ToString() => $"log persisted up to {Index} (term {Term})";
}
