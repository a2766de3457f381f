namespace Raft.Core.Randomness;

/// <summary>
/// Returns given values in turn (each taken modulo the range), then repeats the last one.
/// Used to pin election timeouts in tests and scenarios.
/// </summary>
public sealed class FixedSequence(params int[] values) : IRandomSource
{
    private int position;

    public int Next(int maxExclusive)
    {
        if (values.Length == 0) return 0;
        var value = values[Math.Min(position, values.Length - 1)];
        position++;
        return ((value % maxExclusive) + maxExclusive) % maxExclusive;
    }
}
