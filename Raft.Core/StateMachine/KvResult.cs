using System.Buffers.Binary;
using System.Text;

namespace Raft.Core.StateMachine;

/// <summary>
/// Outcome of a command: <see cref="Ok"/> is false only for a failed compare-and-set or a command
/// older than one already applied for the same client. <see cref="Value"/> is the key's value
/// after the command (for get: the value read; null when absent).
/// </summary>
public sealed record KvResult(bool Ok, string? Value)
{
    public byte[] Encode()
    {
        var length = Value is null ? -1 : Encoding.UTF8.GetByteCount(Value);
        var buffer = new byte[5 + Math.Max(0, length)];
        buffer[0] = Ok ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(1), length);
        if (Value is not null) Encoding.UTF8.GetBytes(Value, buffer.AsSpan(5));
        return buffer;
    }

    public static KvResult Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5) throw new FormatException("key-value result too short");
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[1..]);
        if (length < -1 || 5 + Math.Max(0, length) != bytes.Length) throw new FormatException("key-value result length mismatch");
        return new KvResult(bytes[0] == 1, length == -1 ? null : Encoding.UTF8.GetString(bytes[5..]));
    }

    public override string ToString() => $"{(Ok ? "ok" : "fail")} {Value ?? "<none>"}";
}
