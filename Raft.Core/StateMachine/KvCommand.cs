using System.Buffers.Binary;
using System.Text;

namespace Raft.Core.StateMachine;

/// <summary>
/// A client command. (ClientId, Sequence) identifies it: a client numbers its commands 1, 2, 3...
/// and retries a command with the same number, so the store applies it at most once (thesis §6.3).
/// </summary>
public sealed record KvCommand(long ClientId, long Sequence, KvOperation Operation, string Key, string? Value = null, string? Expected = null)
{
    /// <summary>Encodes as: clientId, sequence (int64 LE), op (byte), then key, value, expected as length-prefixed UTF-8 (-1 = null).</summary>
    public byte[] Encode()
    {
        var size = 17 + Size(Key) + Size(Value) + Size(Expected);
        var buffer = new byte[size];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, ClientId);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(8), Sequence);
        buffer[16] = (byte)Operation;
        var offset = 17;
        offset = Write(buffer, offset, Key);
        offset = Write(buffer, offset, Value);
        Write(buffer, offset, Expected);
        return buffer;
    }

    /// <summary>Decodes <see cref="Encode"/>'s output; throws <see cref="FormatException"/> on malformed bytes.</summary>
    public static KvCommand Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 17) throw new FormatException("key-value command too short");
        var clientId = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        var op = (KvOperation)bytes[16];
        if (!Enum.IsDefined(op)) throw new FormatException($"unknown key-value operation {bytes[16]}");
        var offset = 17;
        var key = Read(bytes, ref offset) ?? throw new FormatException("key-value command without a key");
        var value = Read(bytes, ref offset);
        var expected = Read(bytes, ref offset);
        if (offset != bytes.Length) throw new FormatException("trailing bytes after key-value command");
        return new KvCommand(clientId, sequence, op, key, value, expected);
    }

    public override string ToString() => Operation switch
    {
        KvOperation.Get => $"c{ClientId}#{Sequence} get {Key}",
        KvOperation.Put => $"c{ClientId}#{Sequence} put {Key}={Value}",
        KvOperation.Append => $"c{ClientId}#{Sequence} append {Key}+={Value}",
        _ => $"c{ClientId}#{Sequence} cas {Key} {Expected ?? "<none>"}->{Value}",
    };

    private static int Size(string? text) => 4 + (text is null ? 0 : Encoding.UTF8.GetByteCount(text));

    private static int Write(byte[] buffer, int offset, string? text)
    {
        if (text is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), -1);
            return offset + 4;
        }
        var length = Encoding.UTF8.GetBytes(text, buffer.AsSpan(offset + 4));
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), length);
        return offset + 4 + length;
    }

    private static string? Read(ReadOnlySpan<byte> bytes, ref int offset)
    {
        if (offset + 4 > bytes.Length) throw new FormatException("key-value command truncated");
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[offset..]);
        offset += 4;
        if (length == -1) return null;
        // Compare against the bytes left, not offset + length: the sum overflows for lengths near int.MaxValue.
        if (length < 0 || length > bytes.Length - offset) throw new FormatException("key-value string length out of range");
        var text = Encoding.UTF8.GetString(bytes.Slice(offset, length));
        offset += length;
        return text;
    }
}
