namespace Raft.Core.StateMachine;

/// <summary>
/// Commands decoded once for several stores: the servers of one simulated cluster apply the same
/// log entries, whose command bytes are the same array on every server, so one
/// <see cref="KvCommand.Decode"/> per entry serves them all. Looked up by the array itself (by
/// reference, never by content or hash order); a miss just decodes, so what a store computes never
/// depends on whether the command was cached. Bounded: cleared when full. Not thread-safe: one
/// cache per cluster, used from its thread.
/// </summary>
public sealed class KvCommandCache(int capacity = 4096)
{
    private readonly Dictionary<byte[], KvCommand> decoded = new(ReferenceEqualityComparer.Instance);

    /// <summary>How many commands it holds now.</summary>
    public int Count => decoded.Count;

    /// <summary>The command these bytes encode, decoded on first use (throws <see cref="FormatException"/> as <see cref="KvCommand.Decode"/> does).</summary>
    public KvCommand Decode(byte[] bytes)
    {
        if (decoded.TryGetValue(bytes, out var command)) return command;
        command = KvCommand.Decode(bytes);
        if (decoded.Count >= capacity) decoded.Clear();
        decoded[bytes] = command;
        return command;
    }
}
