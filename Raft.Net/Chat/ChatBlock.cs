using System.Globalization;
using System.Text;

namespace Raft.Net.Chat;

/// <summary>
/// A room's history is kept in blocks: key <c>chat/ROOM/0</c> holds the first lines, then
/// <c>chat/ROOM/1</c>, and so on. A block is the records of its lines (<see cref="ChatLine.Encode"/>)
/// one after another. Writers add a line to the last block with a compare-and-set from the value
/// they last saw, never to a block that is full, so a full block never changes again: a reader
/// that has shown a full block moves to the next one and cannot miss a line written behind it.
/// (An <c>append</c> would need no expected value, but nothing could stop a slow writer's append
/// from landing in a block that readers have already left.)
/// Bound: a block is full at <see cref="MaxLines"/> lines or <see cref="FullBytes"/> bytes, so a
/// value is under <see cref="FullBytes"/> + <see cref="ChatLine.MaxRecordBytes"/> bytes, and a get
/// or compare-and-set moves a few KiB however long the room's history grows.
/// </summary>
public static class ChatBlock
{
    /// <summary>A block holding this many lines is full.</summary>
    public const int MaxLines = 16;

    /// <summary>A block of this many bytes (UTF-8) or more is full, whatever its line count.</summary>
    public const int FullBytes = 4096;

    /// <summary>The key of block <paramref name="block"/> (0, 1, 2...) of <paramref name="room"/>.</summary>
    public static string Key(string room, long block) => $"chat/{room}/{block.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The lines of a block's value, in the order they were written; none for an absent block.</summary>
    public static IReadOnlyList<ChatLine> Lines(string? value)
    {
        if (string.IsNullOrEmpty(value)) return [];
        var records = value.Split('\n');
        // Every record ends with a newline, so the last piece is empty (unless someone else wrote the key).
        var count = records[^1].Length == 0 ? records.Length - 1 : records.Length;
        return [.. records.Take(count).Select(ChatLine.Decode)];
    }

    /// <summary>Whether no line may be added: the readers' cue to go on to the next block.</summary>
    public static bool IsFull(string? value) =>
        value is not null && (Lines(value).Count >= MaxLines || Encoding.UTF8.GetByteCount(value) >= FullBytes);

    /// <summary>The block's value with <paramref name="line"/> added; the block must not be full.</summary>
    public static string Append(string? value, ChatLine line)
    {
        if (IsFull(value)) throw new InvalidOperationException("a full block never changes: readers have moved past it");
        var record = line.Encode();
        if (string.IsNullOrEmpty(value)) return record;
        return value.EndsWith('\n') ? value + record : value + "\n" + record;
    }
}
