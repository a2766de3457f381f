using Raft.Core.StateMachine;

namespace Raft.Net.Chat;

/// <summary>
/// One participant's view of a room, on the key-value client protocol alone (the servers know
/// nothing of chat). The room's lines are the lines of its blocks (<see cref="ChatBlock"/>) in
/// order: the replicated log orders every compare-and-set that adds one, so every participant
/// reads the same lines in the same order, and a participant that starts late or reconnects reads
/// them from the replicated state (the log, or the snapshot that replaced it) like anyone else.
/// Reads are gets, which the leader answers after confirming it still leads (ReadIndex, thesis
/// §6.4), so a poll never shows less than a line already acknowledged to its writer.
/// Single-threaded, like its <see cref="ChatConnection"/>.
/// </summary>
public sealed class ChatSession : IDisposable
{
    private readonly ChatConnection connection;
    private readonly string room;
    private long block;
    private string? known; // the value of `block` as last read or written; null: absent, or not read yet
    private int shown; // how many lines of `block` have been handed out

    public ChatSession(ChatConnection connection, string room)
    {
        this.connection = connection;
        this.room = room;
    }

    public ChatConnection Connection => connection;

    /// <summary>The block new lines go to; every block before it is full.</summary>
    public long Block => block;

    /// <summary>
    /// Reads the room from where this session stands to its last line: the whole history the first
    /// time. Returns the lines not shown before, in order; it stops early (returning what it has)
    /// only when cancelled or rejected.
    /// </summary>
    public IReadOnlyList<ChatLine> Poll(CancellationToken cancel)
    {
        var seen = new List<ChatLine>();
        while (connection.Execute(connection.NextCommand(KvOperation.Get, ChatBlock.Key(room, block)), cancel) is { } result)
        {
            if (!Absorb(result.Value, seen)) break; // this block is not full: it is the last
        }
        return seen;
    }

    /// <summary>
    /// Adds <paramref name="line"/> at the end of the room, exactly once: each compare-and-set is
    /// retried with its own sequence number until answered (so the store applies it at most once,
    /// thesis §6.3), and a new one, from the value that beat it, is tried only after a node has
    /// said the previous one failed. Returns whether the line was added (false when cancelled or
    /// rejected: then it may or may not have been) and the lines seen on the way, its own included.
    /// </summary>
    public (bool Added, IReadOnlyList<ChatLine> Seen) Send(ChatLine line, CancellationToken cancel)
    {
        if (line.Check() is { } problem) throw new ArgumentException(problem, nameof(line));
        var seen = new List<ChatLine>();
        while (true)
        {
            var command = connection.NextCommand(KvOperation.CompareAndSet, ChatBlock.Key(room, block), ChatBlock.Append(known, line), expected: known);
            if (connection.Execute(command, cancel) is not { } result) return (false, seen);
            // Ok: the value now ends with this line. Failed: someone else's line came first; the
            // answer holds the block as it is, to show and to try again from (in the next block if it is full).
            Absorb(result.Value, seen);
            if (result.Ok) return (true, seen);
        }
    }

    /// <summary>
    /// Takes the value of the current block: adds its lines not shown yet to <paramref name="seen"/>
    /// and, when the block is full, moves to the next. Returns whether it moved.
    /// </summary>
    private bool Absorb(string? value, List<ChatLine> seen)
    {
        var lines = ChatBlock.Lines(value);
        for (var i = shown; i < lines.Count; i++) seen.Add(lines[i]);
        shown = Math.Max(shown, lines.Count);
        known = value;
        if (!ChatBlock.IsFull(value)) return false;
        block++;
        known = null;
        shown = 0;
        return true;
    }

    public void Dispose() => connection.Dispose();
}
