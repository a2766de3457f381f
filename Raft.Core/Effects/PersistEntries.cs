using Raft.Core.Log;

namespace Raft.Core.Effects;

/// <summary>
/// Store <see cref="Entries"/> durably starting at <see cref="FirstIndex"/>, first discarding every
/// stored entry at or after <see cref="FirstIndex"/> (a conflict truncation when some existed).
/// </summary>
public sealed record PersistEntries(long FirstIndex, IReadOnlyList<LogEntry> Entries) : Effect
{
    /// <summary>Index of the last entry written.</summary>
    public long LastIndex => FirstIndex + Entries.Count - 1;

    public override string ToString() => $"persist entries [{FirstIndex}..{LastIndex}]";
}
