using System.Buffers.Binary;
using System.IO.Hashing;

namespace Raft.Net.Storage;

/// <summary>
/// The frame around every record on disk: <c>[length u32 LE][crc32 u32 LE][payload]</c>, where the
/// CRC-32 (IEEE) covers the length field and the payload, so that a damaged length is caught too.
/// See docs/storage-format.md.
/// </summary>
internal static class RecordFormat
{
    public const int HeaderBytes = 8;

    /// <summary>Upper bound on a payload; a larger length field can only be damage.</summary>
    public const int MaxPayloadBytes = 64 * 1024 * 1024;

    /// <summary>Wraps a payload in its frame.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || payload.Length > MaxPayloadBytes)
            throw new InvalidOperationException($"record payload of {payload.Length} bytes is outside 1..{MaxPayloadBytes}");
        var record = new byte[HeaderBytes + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        payload.CopyTo(record.AsSpan(HeaderBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Checksum(record.AsSpan(0, 4), payload));
        return record;
    }

    /// <summary>The payload length a header announces, or -1 when no valid record can have it.</summary>
    public static int PayloadLength(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        return length is 0 or > MaxPayloadBytes ? -1 : (int)length;
    }

    /// <summary>Whether the CRC stored in <paramref name="header"/> matches the length field and payload.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) =>
        BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == Checksum(header[..4], payload);

    private static uint Checksum(ReadOnlySpan<byte> lengthField, ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32();
        crc.Append(lengthField);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt32();
    }
}
