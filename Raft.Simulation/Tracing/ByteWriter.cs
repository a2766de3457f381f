using System.Buffers.Binary;
using System.Text;

namespace Raft.Simulation.Tracing;

/// <summary>A reusable, growing byte buffer with little-endian fixed-width writes.</summary>
public sealed class ByteWriter
{
    private byte[] buffer = new byte[256];
    private int length;

    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

    public int Length => length;

    /// <summary>Appends raw bytes (no length prefix).</summary>
    public void Append(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Room(bytes.Length));

    public void Clear() => length = 0;

    public void Byte(byte value) => Room(1)[0] = value;

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Room(4), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Room(8), value);

    /// <summary>A length (i32) and the bytes.</summary>
    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Int32(bytes.Length);
        bytes.CopyTo(Room(bytes.Length));
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
        if (length + count > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + count));
        var span = buffer.AsSpan(length, count);
        length += count;
        return span;
    }
}
