using System.Globalization;

namespace Raft.Simulation.Cli;

/// <summary>
/// One of <see cref="Count"/> disjoint slices of an explore's seed range, written <c>I/N</c> and
/// counted from 0 (<c>0/3</c>, <c>1/3</c>, <c>2/3</c>), as a Kubernetes Indexed Job counts its
/// pods (<c>JOB_COMPLETION_INDEX</c>), so the index goes in as it comes. Shards stride: shard
/// <c>I</c> runs the seeds whose offset from the first seed is <c>I</c> modulo <c>N</c>, so every
/// shard gets early and late seeds alike and the slices cost about the same.
/// Invariant: 0 &lt;= Index &lt; Count.
/// </summary>
public readonly record struct SeedShard
{
    /// <summary>The whole range: the only shard of one.</summary>
    public static readonly SeedShard Whole = new(0, 1);

    public SeedShard(int index, int count)
    {
        if (count < 1 || index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), $"no shard {index}/{count}: shards count from 0 to N-1.");
        Index = index;
        Count = count;
    }

    public int Index { get; }

    public int Count { get; }

    /// <summary>True when <paramref name="seed"/> of the range that starts at <paramref name="firstSeed"/> belongs to this shard.</summary>
    public bool Holds(ulong seed, ulong firstSeed) => seed >= firstSeed && (seed - firstSeed) % (ulong)Count == (ulong)Index;

    /// <summary>This shard's seeds of the <paramref name="seeds"/> seeds from <paramref name="firstSeed"/>, in order.</summary>
    public IEnumerable<ulong> SeedsOf(ulong firstSeed, int seeds)
    {
        for (var offset = (long)Index; offset < seeds; offset += Count) yield return firstSeed + (ulong)offset;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>Reads <c>I/N</c>; on failure, <paramref name="problem"/> says what is wrong in words for the user.</summary>
    public static bool TryParse(string text, out SeedShard shard, out string problem)
    {
        shard = Whole;
        problem = "";
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            problem = $"--shard: '{text}' is not a shard; write I/N, e.g. 0/3 (shards count from 0).";
            return false;
        }
        if (count < 1 || index >= count)
        {
            problem = count < 1
                ? $"--shard: '{text}' has no shards; N must be at least 1."
                : $"--shard: '{text}' is out of range: shards count from 0, so the shards of {count} are 0/{count} to {count - 1}/{count}.";
            return false;
        }
        shard = new SeedShard(index, count);
        return true;
    }
}
