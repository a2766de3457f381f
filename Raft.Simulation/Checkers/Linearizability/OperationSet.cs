namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// An immutable set of operation indexes 0..capacity-1, stored as a bitset, with value equality:
/// the search uses it as half of its memo key.
/// </summary>
internal sealed class OperationSet : IEquatable<OperationSet>
{
    private readonly ulong[] words;
    private readonly int hash;

    private OperationSet(ulong[] words)
    {
        this.words = words;
        var combined = new HashCode();
        foreach (var word in words) combined.Add(word);
        hash = combined.ToHashCode();
    }

    public static OperationSet Empty(int capacity) => new(new ulong[(capacity + 63) / 64]);

    public bool Contains(int index) => (words[index / 64] & (1UL << (index % 64))) != 0;

    /// <summary>A copy of this set with <paramref name="index"/> added.</summary>
    public OperationSet With(int index)
    {
        var copy = (ulong[])words.Clone();
        copy[index / 64] |= 1UL << (index % 64);
        return new OperationSet(copy);
    }

    public bool Equals(OperationSet? other) =>
        other is not null && hash == other.hash && words.AsSpan().SequenceEqual(other.words);

    public override bool Equals(object? obj) => Equals(obj as OperationSet);

    public override int GetHashCode() => hash;
}
