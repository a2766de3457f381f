using System.CommandLine;
using System.CommandLine.Parsing;
using Raft.Simulation.Tracing;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim replay</c>: reruns one seed and prints its digest, its schedule and its trace. Exit
/// code 0: passed; 1: a violation; 3: inconclusive (the linearizability search ran out of budget);
/// 2: bad arguments or an unwritable trace file.
/// </summary>
public static class ReplayCommand
{
    public static Command Create()
    {
        var set = new RunOptionSet();
        var seed = new Option<ulong?>("--seed") { Description = "The seed to rerun (required unless --case gives it)." };
        var caseFile = new Option<string?>("--case")
        {
            HelpName = "FILE",
            Description = "Rerun the case in this file (as explore --shrunk-out writes it: JSON whose \"arguments\" are the replay arguments) instead of --seed and the run options; --trace, --html and --summary-only still apply.",
        };
        var trace = new Option<string?>("--trace") { Description = "Write the trace to this file: .ndjson for JSON lines, anything else for text. Without it the trace goes to stdout." };
        var html = new Option<string?>("--html") { Description = "Also write the run as a self-contained HTML page (the viewer: space-time diagram, roles, logs, client operations, checks) to this file.", HelpName = "FILE" };
        var quiet = new Option<bool>("--summary-only") { Description = "Print the digest and outcome only, not the trace." };
        var linBudget = ExploreCommand.CreateLinBudgetOption();
        var command = new Command("replay",
            "Rerun one seed exactly and print its digest and trace. " +
            "Exit code 0: passed; 1: a violation; 3: inconclusive (the linearizability search ran out of budget: raise --lin-budget); 2: bad arguments; 4: no verdict, the command itself failed (out of memory, a bug).");
        command.Add(seed);
        set.AddTo(command);
        command.Add(linBudget);
        command.Add(trace);
        command.Add(html);
        command.Add(quiet);
        command.Add(caseFile);
        command.Validators.Add(r =>
        {
            if (r.GetValue(caseFile) is null && r.GetValue(seed) is null) r.AddError("Option '--seed' is required (or --case FILE).");
        });
        command.SetAction(parse => parse.GetValue(caseFile) is { } path
            ? RunCase(parse, path)
            : Run(set.Read(parse, parse.GetValue(seed)!.Value, keepTrace: true) with { LinearizabilityStepBudget = parse.GetValue(linBudget) },
                parse.GetValue(trace), parse.GetValue(quiet), parse.GetValue(html)));
        return command;
    }

    /// <summary>The options that only say what to print, which <c>--case</c> leaves to the command line.</summary>
    private static readonly string[] OutputOptions = ["--trace", "--html", "--summary-only"];

    /// <summary>
    /// <c>replay --case FILE</c>: parses the file's replay arguments (<see cref="ShrunkCaseFile"/>)
    /// with the output options given here, and runs them. A bad file, or run options given beside
    /// it, is a usage error.
    /// </summary>
    private static int RunCase(ParseResult parse, string path)
    {
        var tokens = parse.Tokens.Select(t => t.Value).ToList();
        var given = parse.CommandResult.Children.OfType<OptionResult>()
            .Where(o => !o.Implicit && o.Option.Name != "--case" && !OutputOptions.Contains(o.Option.Name)).Select(o => o.Option.Name).ToList();
        if (given.Count > 0)
            return RaftSimCli.UsageError("replay", $"--case {path} holds the whole run: give no {string.Join(", ", given)} with it (only --trace, --html, --summary-only).");
        if (ShrunkCaseFile.Read(path, out var problem) is not { } arguments) return RaftSimCli.UsageError("replay", problem);
        var output = new List<string>();
        foreach (var option in OutputOptions)
        {
            var at = tokens.IndexOf(option);
            if (at < 0) continue;
            output.Add(option);
            if (option != "--summary-only" && at + 1 < tokens.Count) output.Add(tokens[at + 1]);
        }
        var caseParse = RaftSimCli.Parse(["replay", .. arguments, .. output]);
        if (caseParse.Errors.Count > 0)
            return RaftSimCli.UsageError("replay", $"case file {path}: its arguments do not parse: {string.Join(" ", caseParse.Errors.Select(e => e.Message))}");
        return caseParse.Invoke();
    }

    private static int Run(SimulationOptions options, string? tracePath, bool summaryOnly, string? htmlPath)
    {
        if (htmlPath is not null && HtmlPathProblem(htmlPath) is { } problem) return RaftSimCli.UsageError("replay", problem);
        var simulation = new Simulation(options);
        var result = simulation.Run();
        if (htmlPath is not null)
        {
            if (WriteHtml(htmlPath, simulation, result, options) is { } failed) return RaftSimCli.UsageError("replay", failed);
            Console.WriteLine($"viewer           {simulation.Trace.Count} events written to {htmlPath}");
        }

        if (!summaryOnly)
        {
            if (tracePath is null)
            {
                foreach (var e in simulation.Trace.All) Console.WriteLine(e.ToText());
                Console.WriteLine();
            }
            else
            {
                var json = tracePath.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) || tracePath.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);
                try
                {
                    File.WriteAllLines(tracePath, simulation.Trace.All.Select(e => json ? e.ToJson() : e.ToText()));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return RaftSimCli.UsageError("replay", $"cannot write trace to {tracePath}: {e.Message}");
                }
                Console.WriteLine($"trace            {simulation.Trace.Count} events written to {tracePath}");
            }
        }
        Console.WriteLine($"seed             {options.Seed}");
        Console.WriteLine($"schedule         {(simulation.Schedule.Count == 0 ? "(no faults)" : string.Join("; ", simulation.Schedule))}");
        Console.WriteLine($"events           {simulation.Trace.Count}, ended at {TraceEvent.FormatTime(result.EndMicros)}");
        Console.WriteLine($"elections        {result.Elections}, committed index {result.CommittedIndex}, client ops {result.ClientOperations}, messages {result.MessagesSent}");
        Console.WriteLine($"messages by kind {string.Join(", ", simulation.Network.SentByKind.Select(k => k.Value.PayloadBytes == 0 ? $"{k.Key} {k.Value.Count}" : $"{k.Key} {k.Value.Count} ({k.Value.PayloadBytes} payload bytes)"))}");
        if (result.MembershipChangesCommitted > 0) Console.WriteLine($"configuration    {result.MembershipChangesCommitted} change(s) committed, last {simulation.CommittedConfiguration}");
        Console.WriteLine($"digest           {result.Digest}");
        Console.WriteLine(Outcome(result));
        if (result.Violation is not null)
            foreach (var server in result.Servers ?? []) Console.WriteLine("  " + server.ToText());
        return ExitCode(result);
    }

    /// <summary>Why a page cannot be written at <paramref name="path"/> (a folder, a missing folder), or null; checked before a run.</summary>
    public static string? HtmlPathProblem(string path)
    {
        if (Directory.Exists(path)) return $"cannot write the page to {path}: it is a folder; name a file, e.g. {Path.Combine(path, "run.html")}";
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        return folder is null || Directory.Exists(folder) ? null : $"cannot write the page to {path}: no such folder {folder}";
    }

    /// <summary>Writes the viewer page of a run that kept its trace; returns why it could not, or null.</summary>
    public static string? WriteHtml(string path, Simulation simulation, SimulationResult result, SimulationOptions options)
    {
        try
        {
            Viewer.ViewerPage.Write(path, Viewer.ViewerPage.ForSimulation(simulation, result, RunOptionSet.ReplayCommand(options)), simulation.Trace.All);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write the page to {path}: {e.Message}";
        }
    }

    /// <summary>The outcome line: ok, a violation, or inconclusive with what gave up.</summary>
    public static string Outcome(SimulationResult result) =>
        result.Violation is { } violation ? $"outcome          VIOLATION {violation}"
        : result.Inconclusive ? $"outcome          INCONCLUSIVE: no violation, but the linearizability search gave up on key \"{result.Linearizability!.Key}\" after {result.Linearizability.Steps} search steps over all keys; raise --lin-budget"
        : "outcome          ok";

    /// <summary>0 passed, 1 a violation, 3 inconclusive.</summary>
    public static int ExitCode(SimulationResult result) =>
        result.Violation is not null ? 1 : result.Inconclusive ? ExploreCommand.InconclusiveExitCode : 0;
}
