using System.Collections.Concurrent;

namespace Raft.Net.Chat;

/// <summary>
/// Someone in a chat room: runs a <see cref="ChatSession"/> on a thread of its own, sending the
/// lines typed (in the order typed, one at a time) and, when there is nothing to send, polling
/// for others' lines every <see cref="PollInterval"/>. It announces its name with a join line
/// before its first line, and a leave line when it quits, which is what <c>/who</c> counts.
/// Front ends (<see cref="PlainChat"/>, <see cref="TerminalChat"/>) feed it with
/// <see cref="Type"/> and show what <see cref="LineShown"/> reports.
/// </summary>
public sealed class ChatParticipant : IDisposable
{
    /// <summary>The help a front end shows for an unknown command.</summary>
    public const string Commands = "/who lists who is here, /quit leaves; start a line with // to say something that begins with /";

    private readonly ChatSession session;
    private readonly string name;
    private readonly BlockingCollection<string?> outbox = []; // null: quit
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private readonly SortedDictionary<string, int> present = new(StringComparer.Ordinal); // name -> joins not yet left
    private volatile bool quitting;
    private volatile bool ended;
    private bool joined;

    public ChatParticipant(ChatSession session, string name)
    {
        if (ChatLine.Said(name, "").Check() is { } problem) throw new ArgumentException(problem, nameof(name));
        this.session = session;
        this.name = name;
        thread = new Thread(Run) { IsBackground = true, Name = $"chat {name}" };
    }

    /// <summary>How long to wait between reads when there is nothing to send.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public string Name => name;

    public ChatConnection Connection => session.Connection;

    /// <summary>Each line of the room, once, in the room's order, on the participant's thread. Subscribe before <see cref="Start"/>.</summary>
    public event Action<ChatLine>? LineShown;

    /// <summary>Lines typed but not yet added to the room.</summary>
    public int Pending => outbox.Count;

    /// <summary>Whether the participant's thread has finished: after <c>/quit</c>, a rejection, or <see cref="Dispose"/>.</summary>
    public bool Ended => ended;

    /// <summary>Why the participant's thread ended on an error, or null (it quit, was rejected or disposed).</summary>
    public Exception? Error { get; private set; }

    /// <summary>Whether <c>/quit</c> was typed: the front end stops reading input.</summary>
    public bool Quitting => quitting;

    /// <summary>Who has joined and not left, as far as the lines read so far tell (a participant that crashed stays listed).</summary>
    public IReadOnlyList<string> Present
    {
        get
        {
            lock (present) return [.. present.Keys];
        }
    }

    public void Start() => thread.Start();

    /// <summary>
    /// Takes one typed line: a command, or a line to send. Returns what to tell the typist (the
    /// answer to <c>/who</c>, or why a line was refused), or null.
    /// </summary>
    public string? Type(string typed)
    {
        if (quitting) return "quitting: no more lines";
        if (typed.StartsWith('/') && !typed.StartsWith("//", StringComparison.Ordinal))
        {
            switch (typed.Trim())
            {
                case "/quit":
                    Quit();
                    return null;
                case "/who":
                    return Present is { Count: > 0 } here ? "here: " + string.Join(", ", here) : "no one has joined yet, as far as the lines read so far tell";
                default:
                    return $"unknown command {typed.Trim()}: {Commands}";
            }
        }
        var text = typed.StartsWith("//", StringComparison.Ordinal) ? typed[1..] : typed;
        if (ChatLine.Said(name, text).Check() is { } problem) return problem;
        outbox.Add(text);
        return null;
    }

    /// <summary>Sends the lines typed so far, then a leave line, and ends (also what end of input means).</summary>
    public void Quit()
    {
        if (quitting) return;
        quitting = true;
        outbox.Add(null);
    }

    public bool WaitForExit(TimeSpan timeout) => thread.Join(timeout);

    private void Run()
    {
        var cancel = stop.Token;
        try
        {
            Show(session.Poll(cancel));
            while (!cancel.IsCancellationRequested && Connection.State != ChatConnectionState.Rejected)
            {
                if (!outbox.TryTake(out var text, (int)PollInterval.TotalMilliseconds, cancel))
                {
                    Show(session.Poll(cancel));
                    continue;
                }
                if (text is null)
                {
                    if (joined) Send(ChatLineKind.Leave, "");
                    break;
                }
                if (!joined) joined = Send(ChatLineKind.Join, "");
                Send(ChatLineKind.Say, text);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the line in flight, if any, may or may not have been added.
        }
        catch (Exception e)
        {
            // An exception on this thread would end the process; the participant ends instead and says why.
            Error = e;
        }
        finally
        {
            session.Dispose(); // the sockets belong to this thread
            ended = true;
        }
    }

    private bool Send(ChatLineKind kind, string text)
    {
        var (added, seen) = session.Send(new ChatLine(kind, name, text), stop.Token);
        Show(seen);
        return added;
    }

    private void Show(IReadOnlyList<ChatLine> lines)
    {
        foreach (var line in lines)
        {
            lock (present)
            {
                if (line.Kind == ChatLineKind.Join) present[line.Name] = present.GetValueOrDefault(line.Name) + 1;
                if (line.Kind == ChatLineKind.Leave && present.TryGetValue(line.Name, out var count))
                {
                    if (count > 1) present[line.Name] = count - 1;
                    else present.Remove(line.Name);
                }
            }
            LineShown?.Invoke(line);
        }
    }

    /// <summary>Stops at once: a line in flight may or may not be added, lines still queued are not.</summary>
    public void Dispose()
    {
        stop.Cancel();
        if (thread.IsAlive) thread.Join();
        else if (thread.ThreadState == ThreadState.Unstarted) session.Dispose();
        stop.Dispose();
        outbox.Dispose();
    }
}
