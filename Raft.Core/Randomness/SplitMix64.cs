namespace Raft.Core.Randomness;

/// <summary>
/// A small, fast, seeded generator (SplitMix64). Same seed, same sequence, on every machine and
/// .NET version, which <see cref="System.Random"/> does not promise.
/// </summary>
public sealed class SplitMix64 : IRandomSource
{
    private ulong state;

    public SplitMix64(ulong seed) => state = seed;

    public ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        // Multiply-shift keeps the bias negligible for the small ranges used here.
        return (int)((NextUInt64() >> 32) * (ulong)maxExclusive >> 32);
    }

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A seed for an independent stream, derived from this one and a purpose label.</summary>
    public static ulong Derive(ulong seed, ulong purpose)
    {
        var mixer = new SplitMix64(seed ^ (purpose * 0xD1B54A32D192ED03UL));
        return mixer.NextUInt64();
    }
}
