using System.Buffers.Binary;
using Raft.Core.Log;

namespace Raft.Simulation.Checkers;

/// <summary>
/// The safety checker's own hash chain over log entries: digest(i) mixes digest(i-1), the entry's
/// index, term, kind and command length, then the command eight bytes at a time (the last word
/// padded with zeros; the length told them apart already); 0 for the empty prefix. Each word goes
/// through the same step, xor then multiply by an odd constant then xor-shift, and each of these is
/// a bijection of the state: two entries that differ in one word only never collide, and one that
/// differs from another in several collides with the chance of a random 64-bit value. It was FNV-1a
/// over single bytes, the same kind of chain eight times longer; a word at a time took it from 5%
/// of explore's CPU to under 1%. Deliberately not the core's function, and never compared with a
/// digest a node reports: a checker that judged logs by the node's own digests would believe a
/// node whose digests lie (ARCHITECTURE.md §8). No defence against entries crafted to collide,
/// nor meant to be.
/// </summary>
internal static class PrefixDigest
{
    private const ulong Seed = 14695981039346656037; // FNV's offset basis: any fixed value does
    private const ulong Multiplier = 0x9E3779B97F4A7C15; // odd, so multiplying by it is a bijection

    /// <summary>The digest of the prefix that ends with <paramref name="entry"/>, after a prefix whose digest is <paramref name="previous"/>.</summary>
    public static ulong Next(ulong previous, LogEntry entry)
    {
        var command = entry.Command.AsSpan();
        var hash = Mix(Seed, previous);
        hash = Mix(hash, (ulong)entry.Index);
        hash = Mix(hash, (ulong)entry.Term);
        hash = Mix(hash, ((ulong)entry.Kind << 32) | (uint)command.Length); // the length first, so that no command runs into the next entry
        for (; command.Length >= 8; command = command[8..]) hash = Mix(hash, BinaryPrimitives.ReadUInt64LittleEndian(command));
        if (command.Length > 0)
        {
            ulong last = 0;
            for (var i = 0; i < command.Length; i++) last |= (ulong)command[i] << (8 * i);
            hash = Mix(hash, last);
        }
        return hash;
    }

    /// <summary>One step of the chain: xor the word in, multiply, fold the high half into the low.</summary>
    private static ulong Mix(ulong hash, ulong word)
    {
        hash = (hash ^ word) * Multiplier;
        return hash ^ (hash >> 32);
    }
}
