using Raft.Core.Log;

namespace Raft.Simulation.Checkers;

/// <summary>
/// The safety checker's own hash chain over log entries: digest(i) = FNV-1a 64 over digest(i-1),
/// the entry's index, term, kind, command length and command bytes; 0 for the empty prefix.
/// Deliberately not the core's function, and never compared with a digest a node reports: a
/// checker that judged logs by the node's own digests would believe a node whose digests lie
/// (ARCHITECTURE.md §8). Equal digests mean equal prefixes, with overwhelming probability for the
/// logs a run produces; FNV is no defence against entries crafted to collide, nor meant to be.
/// </summary>
internal static class PrefixDigest
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    /// <summary>The digest of the prefix that ends with <paramref name="entry"/>, after a prefix whose digest is <paramref name="previous"/>.</summary>
    public static ulong Next(ulong previous, LogEntry entry)
    {
        var hash = Mix(OffsetBasis, previous);
        hash = Mix(hash, (ulong)entry.Index);
        hash = Mix(hash, (ulong)entry.Term);
        hash = Mix(hash, (ulong)entry.Kind);
        hash = Mix(hash, (ulong)entry.Command.Length); // so that no command runs into the next field
        foreach (var b in entry.Command) hash = (hash ^ b) * Prime;
        return hash;
    }

    /// <summary>FNV-1a over the eight bytes of <paramref name="value"/>, least significant first.</summary>
    private static ulong Mix(ulong hash, ulong value)
    {
        for (var i = 0; i < 8; i++, value >>= 8) hash = (hash ^ (value & 0xFF)) * Prime;
        return hash;
    }
}
