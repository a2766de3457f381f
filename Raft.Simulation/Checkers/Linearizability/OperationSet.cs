namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// The set of operations linearized so far on the search's current path, as a bitset over
/// operation indexes 0..capacity-1, changed in place as the search goes forward (<see cref="Add"/>)
/// and back (<see cref="Remove"/>).
/// </summary>
/// <remarks>
/// Its hash is kept up to date in O(1) per change (Zobrist hashing): each operation has a fixed
/// pseudo-random 64-bit tag, and the hash is the XOR of the tags of the members, so adding and
/// removing are the same XOR. Hashing the whole bitset at every step would cost O(capacity / 64).
/// The tags come from a fixed function of the index: no hidden randomness, and the search never
/// depends on hash values anyway, only on set membership.
/// </remarks>
internal sealed class OperationSet
{
    private readonly ulong[] words;

    public OperationSet(int capacity) => words = new ulong[(capacity + 63) / 64];

    /// <summary>XOR of the members' tags: equal sets have equal hashes.</summary>
    public ulong Hash { get; private set; }

    /// <summary>The bits as they are now, to look up without copying; a memo entry keeps a <see cref="Snapshot"/>.</summary>
    public ulong[] LiveWords => words;

    public void Add(int index)
    {
        words[index >> 6] |= 1UL << index;
        Hash ^= Tag(index);
    }

    public void Remove(int index)
    {
        words[index >> 6] &= ~(1UL << index);
        Hash ^= Tag(index);
    }

    public ulong[] Snapshot() => (ulong[])words.Clone();

    /// <summary>A well-mixed tag for one index (the SplitMix64 finalizer).</summary>
    private static ulong Tag(int index)
    {
        var z = (ulong)(index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
