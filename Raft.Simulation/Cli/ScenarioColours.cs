using Spectre.Console;

namespace Raft.Simulation.Cli;

/// <summary>
/// Colours for scenario output on a terminal, one colour per line by what the line tells:
/// commands bold, comments grey, a node becoming leader green, candidate yellow, commit moves
/// cyan, client replies blue, lost messages and crashes red, membership changes magenta,
/// snapshots cyan. The text is the plain text exactly;
/// only <c>run</c> and <c>step</c> on a terminal use this, never <c>check</c>.
/// </summary>
public static class ScenarioColours
{
    private static readonly (string Fragment, string Style)[] Rules =
    [
        (", BUG ", "red"),
        (" refuses ", "yellow"),
        (" is leader ", "green"),
        (" leader ", "green"),
        (" is candidate ", "yellow"),
        (" candidate ", "yellow"),
        (": lost", "red"),
        (": dropped", "red"),
        (" crashes", "red"),
        (" DOWN ", "red"),
        (" overwrites ", "magenta"),
        (" commit ", "cyan"),
        (" replies ", "blue"),
        (" answers read ", "blue"),
        ("not linearizable", "red"),
        (" uses config ", "magenta"),
        (" accepts add", "magenta"),
        (" accepts remove", "magenta"),
        (" stores snapshot ", "cyan"),
        (" restores its store ", "cyan"),
    ];

    /// <summary>The line as Spectre markup (its own text escaped).</summary>
    public static string Markup(string line)
    {
        var text = Spectre.Console.Markup.Escape(line);
        if (line.StartsWith("> ", StringComparison.Ordinal)) return $"[bold]{text}[/]";
        if (line.TrimStart().StartsWith('#')) return $"[grey]{text}[/]";
        foreach (var (fragment, style) in Rules)
            if (line.Contains(fragment, StringComparison.Ordinal)) return $"[{style}]{text}[/]";
        return text;
    }

    /// <summary>A console for colour output that never wraps: the node table and message lines must stay one line each.</summary>
    public static IAnsiConsole Terminal()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        console.Profile.Width = 4096;
        return console;
    }

    /// <summary>Writes text line by line: in colour on <paramref name="terminal"/>, plain when it is null.</summary>
    public static void WriteLine(string text, IAnsiConsole? terminal)
    {
        foreach (var line in text.Split('\n'))
        {
            if (terminal is null) Console.WriteLine(line);
            else terminal.MarkupLine(Markup(line));
        }
    }
}
