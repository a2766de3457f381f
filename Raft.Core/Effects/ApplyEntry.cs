using Raft.Core.Log;

namespace Raft.Core.Effects;

/// <summary>Apply a committed entry to the state machine.</summary>
public sealed record ApplyEntry(LogEntry Entry) : Effect
{
    public override string ToString() => $"apply {Entry.Index}@{Entry.Term}";
}
