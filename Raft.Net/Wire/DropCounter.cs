namespace Raft.Net.Wire;

/// <summary>
/// Counts dropped frames by <see cref="DropReason"/>. Thread-safe: the transport's poller thread
/// counts while metrics readers take snapshots.
/// </summary>
public sealed class DropCounter
{
    private readonly long[] counts = new long[Enum.GetValues<DropReason>().Length];

    /// <summary>Counts one dropped frame. <see cref="DropReason.None"/> is not a drop and is ignored.</summary>
    public void Count(DropReason reason)
    {
        var slot = (int)reason;
        if (reason == DropReason.None || slot < 0 || slot >= counts.Length) return;
        Interlocked.Increment(ref counts[slot]);
    }

    /// <summary>Frames dropped for <paramref name="reason"/> so far.</summary>
    public long this[DropReason reason] =>
        reason == DropReason.None || (int)reason >= counts.Length ? 0 : Interlocked.Read(ref counts[(int)reason]);

    /// <summary>All frames dropped so far.</summary>
    public long Total => Enum.GetValues<DropReason>().Sum(reason => this[reason]);

    /// <summary>The non-zero counts as text, for people: <c>Malformed=3 Invalid=1</c>, or <c>none</c>.</summary>
    public string Describe()
    {
        var counts = Snapshot();
        return counts.Count == 0 ? "none" : string.Join(' ', counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"));
    }

    /// <summary>A snapshot of the non-zero counts, for metrics and logs.</summary>
    public IReadOnlyDictionary<DropReason, long> Snapshot() =>
        Enum.GetValues<DropReason>().Where(reason => this[reason] > 0).ToDictionary(reason => reason, reason => this[reason]);
}
