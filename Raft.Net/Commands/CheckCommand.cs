using System.CommandLine;
using System.Globalization;
using System.Text;
using Raft.Net.Cluster;

namespace Raft.Net.Commands;

/// <summary>
/// <c>raft-net check DIR</c>: runs a cluster run's checks again on the directory it kept
/// (<c>raft-net cluster --data DIR</c>): replay parity and safety from every node's input logs
/// (<c>DIR/n*/inputs-*.ndjson</c>), linearizability of the clients' history (<c>DIR/history.ndjson</c>),
/// and that every acknowledged write is committed. Exit codes: 0 passed, 1 a check failed,
/// 3 inconclusive (the linearizability search ran out of budget), 2 bad arguments, no run in DIR, or
/// files that do not read as a run (a damaged line that is not the last).
/// </summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("DIR") { Description = "A run's directory, as kept by raft-net cluster --data DIR." };
        var linBudget = new Option<long>("--lin-budget")
        {
            HelpName = "STEPS",
            Description = "Most search steps the linearizability check may spend on one key's history; a search that runs out makes the check inconclusive (exit code 3), never a pass.",
            DefaultValueFactory = _ => Raft.Simulation.Checkers.Linearizability.LinearizabilityChecker.DefaultStepBudget,
            CustomParser = Raft.Simulation.Cli.ExploreCommand.ParseStepBudget,
        };
        var command = new Command("check",
            "Check a kept cluster run again: replay parity and safety from the nodes' input logs, linearizability of the clients' history, no acknowledged write lost. " +
            "Exit code 0: every check passed; 1: a check failed; 3: inconclusive (raise --lin-budget); 2: bad arguments or no run in DIR; 4: no verdict, the command itself failed (out of memory, a bug).")
        {
            directory, linBudget,
        };
        command.SetAction(parse => Run(parse.GetValue(directory)!, parse.GetValue(linBudget), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Checks the run in <paramref name="root"/>, writing the outcome to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(string root, long stepBudget, TextWriter output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var history = Path.Combine(root, HistoryFile.FileName);
        if (!Directory.Exists(root) || !File.Exists(history))
        {
            errors.WriteLine($"raft-net check: {root} holds no run: {HistoryFile.FileName} is missing (raft-net cluster --data DIR keeps one)");
            return 2;
        }
        var nodes = Directory.GetDirectories(root).Where(d => Directory.GetFiles(d, "inputs-*.ndjson").Length > 0).Order(StringComparer.Ordinal).ToList();
        if (nodes.Count == 0)
        {
            errors.WriteLine($"raft-net check: {root} holds no node's input logs (DIR/n1/inputs-0001.ndjson...)");
            return 2;
        }
        RunChecks checks;
        try
        {
            checks = RunChecks.Run(nodes, history, stepBudget);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            // A damaged file, or a history no run writes (a return before its call): no verdict to give.
            errors.WriteLine($"raft-net check: {e.Message}");
            return 2;
        }
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label,-18}{value}\n");
        Line("run", $"{root}: {nodes.Count} nodes, {checks.Operations} client operations");
        ClusterRunSummary.RenderChecks(checks.Replay, checks.Linearizability, checks.LostWrites, Line);
        Line("checked in", string.Create(CultureInfo.InvariantCulture,
            $"{checks.Seconds:0.0}s (replay parity and safety {checks.ReplaySeconds:0.0}s, linearizability {checks.LinearizabilitySeconds:0.0}s, side by side)"));
        text.Append(checks.Ok ? "OK\n" : checks.Inconclusive ? "INCONCLUSIVE: no check failed, but linearizability was not decided\n" : "FAILED\n");
        output.Write(text.ToString());
        return checks.ExitCode;
    }
}
