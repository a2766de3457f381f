using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Raft.Net.Chat;

/// <summary>
/// <c>raft-net chat</c> in a terminal (Spectre.Console): a status line (room, name, connection
/// state, and which node answered last: the leader as this client sees it), the room's latest
/// lines, and the line being typed. Keys are read here and rendered with the rest, because a
/// live display owns the screen: a plain ReadLine would be drawn over.
/// </summary>
public static class TerminalChat
{
    /// <summary>Lines kept for the screen; the room itself keeps them all.</summary>
    private const int MaxLinesKept = 1000;

    private static readonly TimeSpan FramePause = TimeSpan.FromMilliseconds(30);

    /// <summary>
    /// Runs until <c>/quit</c> (or Ctrl+C) and the last line is in; 0, or 1 when the cluster
    /// rejected the participant. A <c>banner</c> (how others can join a local cluster) opens the room's view.
    /// </summary>
    public static int Run(ChatParticipant participant, string room, string? banner)
    {
        var lines = new List<string>(); // markup
        void Add(string markup)
        {
            lock (lines)
            {
                lines.Add(markup);
                if (lines.Count > MaxLinesKept) lines.RemoveRange(0, lines.Count - MaxLinesKept);
            }
        }
        participant.LineShown += line => Add(Markup(line, participant.Name));
        if (banner is not null) Add($"[grey]{Spectre.Console.Markup.Escape(banner)}[/]");
        Add($"[grey]{Spectre.Console.Markup.Escape(ChatParticipant.Commands)}[/]");
        var typed = new StringBuilder();
        var treatControlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true; // Ctrl+C quits like /quit, sending what was typed first
        try
        {
            participant.Start();
            AnsiConsole.Live(Render(participant, room, lines, typed)).Start(live =>
            {
                while (!participant.Ended)
                {
                    while (!participant.Quitting && Console.KeyAvailable) Key(Console.ReadKey(intercept: true), participant, typed, Add);
                    live.UpdateTarget(Render(participant, room, lines, typed));
                    Thread.Sleep(FramePause);
                }
                live.UpdateTarget(Render(participant, room, lines, typed));
            });
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlC;
        }
        return participant.Connection.State == ChatConnectionState.Rejected ? 1 : 0;
    }

    private static void Key(ConsoleKeyInfo key, ChatParticipant participant, StringBuilder typed, Action<string> note)
    {
        if (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control))
        {
            participant.Quit();
            return;
        }
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                if (typed.Length == 0) return;
                if (participant.Type(typed.ToString()) is { } answer) note($"[yellow]{Spectre.Console.Markup.Escape(answer)}[/]");
                typed.Clear();
                return;
            case ConsoleKey.Backspace:
                if (typed.Length > 0) typed.Length--;
                return;
            case ConsoleKey.Escape:
                typed.Clear();
                return;
        }
        if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
    }

    private static IRenderable Render(ChatParticipant participant, string room, List<string> lines, StringBuilder typed)
    {
        var height = Math.Max(3, SafeWindowHeight() - 6); // status line, panel borders, input line, a spare
        string[] shown;
        lock (lines) shown = [.. lines.Skip(Math.Max(0, lines.Count - height))];
        var history = new Panel(new Rows(shown.Select(m => new Markup(m))))
        {
            Header = new PanelHeader($" {Spectre.Console.Markup.Escape(room)} "),
            Expand = true,
            Height = height + 2,
        };
        var input = participant.Quitting
            ? new Markup($"[grey]leaving... ({participant.Pending} line(s) still to send)[/]")
            : new Markup($"[bold]>[/] {Spectre.Console.Markup.Escape(Clean(typed.ToString()))}[blink]_[/]");
        return new Rows(Status(participant), history, input);
    }

    private static Markup Status(ChatParticipant participant)
    {
        var connection = participant.Connection;
        var state = connection.State switch
        {
            ChatConnectionState.Connected => "[green]connected[/]",
            ChatConnectionState.Retrying => "[yellow]retrying[/]",
            ChatConnectionState.Rejected => "[red]rejected[/]",
            _ => "[grey]connecting[/]",
        };
        var leader = connection.Answered is { } node ? $"leader [bold]{node}[/] (last to answer)" : "leader unknown";
        var pending = participant.Pending > 0 ? $" · {participant.Pending} to send" : "";
        return new Markup($"[bold]{Spectre.Console.Markup.Escape(participant.Name)}[/] · {state} · {leader}{pending}");
    }

    private static string Markup(ChatLine line, string me)
    {
        var name = Spectre.Console.Markup.Escape(Clean(line.Name));
        var text = Spectre.Console.Markup.Escape(Clean(line.Text));
        return line.Kind switch
        {
            ChatLineKind.Say => $"[{(line.Name == me ? "aqua" : "bold")}]{name}[/]: {text}",
            ChatLineKind.Join => $"[grey]* {name} joined[/]",
            ChatLineKind.Leave => $"[grey]* {name} left[/]",
            _ => $"[red]?[/] {text}",
        };
    }

    /// <summary>What others typed, safe to draw: no control characters, tabs as spaces.</summary>
    private static string Clean(string text) => ChatLine.Printable(text).Replace('\t', ' ');

    private static int SafeWindowHeight()
    {
        try
        {
            return Console.WindowHeight;
        }
        catch (IOException)
        {
            return 24;
        }
    }
}
