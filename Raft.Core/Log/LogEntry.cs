namespace Raft.Core.Log;

/// <summary>One entry of the replicated log. Two entries are equal when all fields and command bytes are equal.</summary>
public sealed record LogEntry(long Index, long Term, EntryKind Kind, byte[] Command)
{
    public static LogEntry NoOp(long index, long term) => new(index, term, EntryKind.NoOp, []);

    public bool Equals(LogEntry? other) =>
        other is not null && Index == other.Index && Term == other.Term && Kind == other.Kind &&
        Command.AsSpan().SequenceEqual(other.Command);

    public override int GetHashCode() => HashCode.Combine(Index, Term, Kind, Command.Length);

    public override string ToString() => Kind == EntryKind.NoOp ? $"{Index}@{Term}(noop)" : $"{Index}@{Term}";
}
