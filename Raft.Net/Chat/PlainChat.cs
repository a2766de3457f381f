namespace Raft.Net.Chat;

/// <summary>
/// <c>raft-net chat --plain</c> (and whenever stdin or stdout is redirected), for scripts and
/// tests: reads typed lines from <c>input</c>, one per line, until <c>/quit</c> or the end of the
/// input; prints every line of the room to <c>output</c> in the room's order, one per line (as
/// <see cref="ChatLine.ToString"/> has it). Everything else (the answer to <c>/who</c>, a refused
/// line, the connection state) goes to <c>notes</c>, so the output is the room and nothing else.
/// </summary>
public static class PlainChat
{
    /// <summary>Runs until the participant has quit and its last line is in; 0, or 1 when the cluster rejected it or the participant failed.</summary>
    public static int Run(ChatParticipant participant, TextReader input, TextWriter output, TextWriter notes)
    {
        participant.LineShown += line => output.WriteLine(line.ToString());
        participant.Connection.Changed += () => notes.WriteLine(Describe(participant.Connection));
        participant.Start();
        while (!participant.Quitting && !participant.Ended && input.ReadLine() is { } typed)
        {
            if (participant.Type(typed) is { } note) notes.WriteLine($"raft-net chat: {note}");
        }
        participant.Quit();
        participant.WaitForExit(Timeout.InfiniteTimeSpan);
        output.Flush();
        if (participant.Error is { } error) notes.WriteLine($"raft-net chat: failed: {error.GetType().Name}: {error.Message}");
        return participant.Connection.State == ChatConnectionState.Rejected || participant.Error is not null ? 1 : 0;
    }

    /// <summary>A connection state as a note for stderr.</summary>
    public static string Describe(ChatConnection connection) => connection.State switch
    {
        ChatConnectionState.Connected => $"raft-net chat: connected, {connection.Answered} leads",
        ChatConnectionState.Retrying => "raft-net chat: retrying: no answer, or no leader yet",
        ChatConnectionState.Rejected => "raft-net chat: rejected by the cluster (is another client using this client id?)",
        _ => "raft-net chat: connecting",
    };
}
