using System.Numerics;

namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// The set of operations linearized so far on the search's current path, as a bitset over
/// operation indexes 0..capacity-1, changed in place as the search goes forward (<see cref="Add"/>)
/// and back (<see cref="Remove"/>).
/// </summary>
/// <remarks>
/// <para>
/// Its hash is kept up to date in O(1) per change (Zobrist hashing): each operation has a fixed
/// pseudo-random 64-bit tag, and the hash is the XOR of the tags of the members, so adding and
/// removing are the same XOR. Hashing the whole bitset at every step would cost O(capacity / 64).
/// The tags come from a fixed function of the index: no hidden randomness, and the search never
/// depends on hash values anyway, only on set membership.
/// </para>
/// <para>
/// The memo keeps a copy of the set at almost every step, so the copy must be small. Operations are
/// indexed in call order and the search linearizes them roughly in that order, so the set is nearly
/// always "every operation up to some point, less a few, plus a few after it". <see cref="WriteKey"/>
/// writes it so: the number of words up to the last one with a member, then only those of them that
/// are not full, each with its position. That is a few words however long the history, where the
/// whole bitset is one bit per operation of the partition (and the memo's size would grow with the
/// square of the partition's length). Two summary bitsets, one bit per word, find those words
/// without reading every word.
/// </para>
/// </remarks>
internal sealed class OperationSet
{
    private readonly ulong[] words;
    private readonly ulong[] notFullWords;  // bit w: words[w] has a bit clear
    private readonly ulong[] nonEmptyWords; // bit w: words[w] has a bit set

    public OperationSet(int capacity)
    {
        words = new ulong[(capacity + 63) / 64];
        notFullWords = new ulong[(words.Length + 63) / 64];
        nonEmptyWords = new ulong[notFullWords.Length];
        for (var w = 0; w < words.Length; w++) notFullWords[w >> 6] |= 1UL << w;
    }

    /// <summary>XOR of the members' tags: equal sets have equal hashes.</summary>
    public ulong Hash { get; private set; }

    /// <summary>Longest key <see cref="WriteKey"/> may write: the count, and every word with its position.</summary>
    public int MaxKeyLength => 1 + 2 * words.Length;

    public void Add(int index)
    {
        var w = index >> 6;
        words[w] |= 1UL << index;
        nonEmptyWords[w >> 6] |= 1UL << w;
        if (words[w] == ulong.MaxValue) notFullWords[w >> 6] &= ~(1UL << w);
        Hash ^= Tag(index);
    }

    public void Remove(int index)
    {
        var w = index >> 6;
        words[w] &= ~(1UL << index);
        notFullWords[w >> 6] |= 1UL << w;
        if (words[w] == 0) nonEmptyWords[w >> 6] &= ~(1UL << w);
        Hash ^= Tag(index);
    }

    /// <summary>
    /// Writes the set into <paramref name="key"/> (at least <see cref="MaxKeyLength"/> long) in a form
    /// that equal sets, and only they, share: the number of words up to the last non-empty one, then
    /// each of those words that is not full, as (position, word). Returns the length written.
    /// </summary>
    public int WriteKey(Span<ulong> key)
    {
        var last = LastNonEmptyWord();
        key[0] = (ulong)(last + 1);
        var length = 1;
        for (var s = 0; s <= last >> 6; s++)
        {
            var pending = notFullWords[s];
            if (s == last >> 6 && (last & 63) < 63) pending &= (2UL << (last & 63)) - 1; // only words up to the last
            while (pending != 0)
            {
                var w = (s << 6) + BitOperations.TrailingZeroCount(pending);
                pending &= pending - 1;
                key[length++] = (ulong)w;
                key[length++] = words[w];
            }
        }
        return length;
    }

    private int LastNonEmptyWord()
    {
        for (var s = nonEmptyWords.Length - 1; s >= 0; s--)
        {
            if (nonEmptyWords[s] != 0) return (s << 6) + 63 - BitOperations.LeadingZeroCount(nonEmptyWords[s]);
        }
        return -1;
    }

    /// <summary>A well-mixed tag for one index (the SplitMix64 finalizer).</summary>
    private static ulong Tag(int index)
    {
        var z = (ulong)(index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
