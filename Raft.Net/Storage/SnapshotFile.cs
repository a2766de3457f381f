using System.Buffers.Binary;
using Raft.Core.Log;
using Raft.Core.Membership;

namespace Raft.Net.Storage;

/// <summary>
/// The <c>snapshot</c> file: exactly one framed record (see <see cref="RecordFormat"/>) holding the
/// latest snapshot (§7). Like the hard state it is only ever replaced whole: temp file, fsync,
/// rename, fsync the directory.
/// </summary>
internal static class SnapshotFile
{
    public const byte Tag = 5;

    // tag u8 | last included index i64 | last included term i64 | digest u64 | configuration length i32 | configuration | data...
    private const int FixedBytes = 1 + 8 + 8 + 8 + 4;

    public static byte[] Encode(Snapshot snapshot)
    {
        var configuration = snapshot.Metadata.Configuration.Encode();
        var payload = new byte[FixedBytes + configuration.Length + snapshot.Data.Length];
        payload[0] = Tag;
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(1), snapshot.LastIncludedIndex);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(9), snapshot.LastIncludedTerm);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(17), snapshot.Metadata.Digest);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(25), configuration.Length);
        configuration.CopyTo(payload.AsSpan(FixedBytes));
        snapshot.Data.CopyTo(payload.AsSpan(FixedBytes + configuration.Length));
        return RecordFormat.Frame(payload);
    }

    /// <summary>The stored snapshot, or null when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not one valid snapshot record.</exception>
    public static Snapshot? Read(string path)
    {
        if (!File.Exists(path))
            return null;
        var bytes = File.ReadAllBytes(path);
        var header = bytes.AsSpan(0, Math.Min(bytes.Length, RecordFormat.HeaderBytes));
        var payload = bytes.AsSpan(header.Length);
        var valid = header.Length == RecordFormat.HeaderBytes && RecordFormat.PayloadLength(header) == payload.Length &&
                    payload.Length >= FixedBytes && RecordFormat.ChecksumMatches(header, payload) && payload[0] == Tag;
        var index = valid ? BinaryPrimitives.ReadInt64LittleEndian(payload[1..]) : 0;
        var term = valid ? BinaryPrimitives.ReadInt64LittleEndian(payload[9..]) : 0;
        var configurationBytes = valid ? BinaryPrimitives.ReadInt32LittleEndian(payload[25..]) : -1;
        var configuration = Configuration.Empty;
        valid = valid && configurationBytes >= 0 && configurationBytes <= payload.Length - FixedBytes &&
                Configuration.TryDecode(payload.Slice(FixedBytes, configurationBytes), out configuration);
        if (!valid || index < 1 || term < 1)
            throw new InvalidDataException(
                $"snapshot file '{path}' is damaged. It is only ever replaced whole (temp file, fsync, rename), so this is " +
                "real damage, not a torn write; the entries it replaced are gone from the log, so the node cannot start from it.");
        var digest = BinaryPrimitives.ReadUInt64LittleEndian(payload[17..]);
        return new Snapshot(new SnapshotMetadata(index, term, digest, configuration), payload[(FixedBytes + configurationBytes)..].ToArray());
    }
}
