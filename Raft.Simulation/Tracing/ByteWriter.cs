using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Raft.Simulation.Tracing;

/// <summary>
/// A reusable byte buffer with little-endian fixed-width writes. It grows as needed; or, given a
/// hash to feed (<paramref name="hashWhenFull"/>), it hands that hash what it holds whenever the
/// next write does not fit and starts again from empty, so that it stays the same size however much
/// goes through it (a streaming hash gives the same digest however its input is cut).
/// </summary>
public sealed class ByteWriter(int capacity = 256, NonCryptographicHashAlgorithm? hashWhenFull = null)
{
    private byte[] buffer = new byte[capacity];
    private int length;

    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

    public int Length => length;

    /// <summary>Appends raw bytes (no length prefix).</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > buffer.Length && hashWhenFull is not null) // larger than the buffer (snapshot data): in pieces
        {
            var piece = Room(buffer.Length);
            bytes[..piece.Length].CopyTo(piece);
            bytes = bytes[piece.Length..];
        }
        bytes.CopyTo(Room(bytes.Length));
    }

    public void Clear() => length = 0;

    public void Byte(byte value) => Room(1)[0] = value;

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Room(4), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Room(8), value);

    /// <summary>A length (i32) and the bytes.</summary>
    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Int32(bytes.Length);
        Append(bytes);
    }

    /// <summary>A length (i32) and the UTF-8 bytes.</summary>
    public void Text(string text)
    {
        var count = Encoding.UTF8.GetByteCount(text);
        Int32(count);
        Encoding.UTF8.GetBytes(text, Room(count));
    }

    /// <summary>-1 for null, else <see cref="Text"/>.</summary>
    public void OptionalText(string? text)
    {
        if (text is null) Int32(-1);
        else Text(text);
    }

    private Span<byte> Room(int count)
    {
        if (length + count > buffer.Length && hashWhenFull is not null)
        {
            hashWhenFull.Append(Written);
            length = 0;
        }
        if (length + count > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + count));
        var span = buffer.AsSpan(length, count);
        length += count;
        return span;
    }
}
