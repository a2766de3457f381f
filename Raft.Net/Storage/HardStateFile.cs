using System.Buffers.Binary;
using Raft.Core;

namespace Raft.Net.Storage;

/// <summary>
/// The <c>hardstate</c> file: exactly one framed record (see <see cref="RecordFormat"/>) holding
/// currentTerm and votedFor. It is only ever replaced whole, by renaming a fsynced temp file over it.
/// </summary>
internal static class HardStateFile
{
    public const byte Tag = 3;

    // tag u8 | term i64 | has vote u8 (0 or 1) | voted for i32
    private const int PayloadBytes = 1 + 8 + 1 + 4;

    public static byte[] Encode(HardState state)
    {
        var payload = new byte[PayloadBytes];
        payload[0] = Tag;
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(1), state.Term);
        payload[9] = state.VotedFor is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(10), state.VotedFor?.Value ?? 0);
        return RecordFormat.Frame(payload);
    }

    /// <summary>The stored hard state; term 0 and no vote when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not one valid hard state record.</exception>
    public static HardState Read(string path)
    {
        if (!File.Exists(path))
            return new HardState(0, null);
        var bytes = File.ReadAllBytes(path);
        var problem = Check(bytes);
        if (problem is not null)
            throw new InvalidDataException(
                $"hard state file '{path}' is damaged: {problem}. It is only ever replaced whole (temp file, fsync, " +
                "rename), so this is real damage to the disk or the file, not a torn write; refusing to guess the " +
                "node's current term and vote.");
        var payload = bytes.AsSpan(RecordFormat.HeaderBytes);
        var term = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
        NodeId? vote = payload[9] == 1 ? new NodeId(BinaryPrimitives.ReadInt32LittleEndian(payload[10..])) : null;
        return new HardState(term, vote);
    }

    private static string? Check(byte[] bytes)
    {
        if (bytes.Length != RecordFormat.HeaderBytes + PayloadBytes)
            return $"{bytes.Length} bytes instead of {RecordFormat.HeaderBytes + PayloadBytes}";
        var header = bytes.AsSpan(0, RecordFormat.HeaderBytes);
        var payload = bytes.AsSpan(RecordFormat.HeaderBytes);
        if (RecordFormat.PayloadLength(header) != PayloadBytes)
            return "wrong length field";
        if (!RecordFormat.ChecksumMatches(header, payload))
            return "CRC mismatch";
        if (payload[0] != Tag || payload[9] > 1 || BinaryPrimitives.ReadInt64LittleEndian(payload[1..]) < 0)
            return "CRC matches but the contents are impossible";
        return null;
    }
}
