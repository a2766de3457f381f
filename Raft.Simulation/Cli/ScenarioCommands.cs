using System.CommandLine;
using Raft.Simulation.Scenarios;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim run FILE</c> prints a scenario end to end; <c>raft-sim check FILE|DIR...</c>
/// compares every command's output with the block below it (exit 1 on a mismatch or a failed
/// expectation, 2 on a file that cannot be read or parsed); <c>--rewrite</c> updates the blocks.
/// </summary>
public static class ScenarioCommands
{
    public static Command CreateRun()
    {
        var file = ScenarioFile("run");
        var html = new Option<string?>("--html") { Description = "Also write the story as a self-contained HTML page (the viewer) to this file, to step through it command by command.", HelpName = "FILE" };
        var bug = BugOption("Run the story on a deliberately broken core, to watch it go wrong. A story whose 'cluster' line names its own bug= keeps that bug.");
        var command = new Command("run", "Run a scenario and print every command with its output.") { file, html, bug };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(html), BugOf(parse.GetValue(bug))));
        return command;
    }

    public static Command CreateStep()
    {
        var file = ScenarioFile("step");
        var bug = BugOption("Step through the story on a deliberately broken core. A story whose 'cluster' line names its own bug= keeps that bug.");
        var command = new Command("step", "Step through a scenario one command per key press (n: next, c: continue to the end, q: quit), showing the nodes and the messages in flight after each. Prints it all like 'run' when input or output is redirected.") { file, bug };
        command.SetAction(parse => Step(parse.GetValue(file)!, BugOf(parse.GetValue(bug))));
        return command;
    }

    public static Command CreateCheck()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Scenario files or folders (searched for *.scn).", Arity = ArgumentArity.OneOrMore };
        paths.Validators.Add(r =>
        {
            foreach (var path in r.GetValueOrDefault<string[]>() ?? [])
                if (!Directory.Exists(path) && !File.Exists(path)) r.AddError($"no such file or folder: {path}");
        });
        var rewrite = new Option<bool>("--rewrite") { Description = "Replace every expected block with the actual output." };
        var bug = BugOption("Run the scenarios on a deliberately broken core, to see which stories catch it. A story whose 'cluster' line names its own bug= keeps that bug.");
        var command = new Command("check", "Check that each scenario command still produces the output written below it.") { paths, rewrite, bug };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(bug);
            if (name is not null && parse.GetValue(rewrite))
                return RaftSimCli.UsageError("check", "--rewrite and --bug do not go together: a broken core must not write the expected output.");
            return Check(parse.GetValue(paths)!, parse.GetValue(rewrite), Console.Out, name is null ? null : ParseBug(name));
        });
        return command;
    }

    public static int Run(string path, string? htmlPath = null, Core.TeachingBug? bug = null)
    {
        if (htmlPath is not null && ReplayCommand.HtmlPathProblem(htmlPath) is { } problem) return RaftSimCli.UsageError("run", problem);
        return Present("run", path, interactive: false, htmlPath, bug);
    }

    public static int Step(string path, Core.TeachingBug? bug = null) =>
        Present("step", path, interactive: !Console.IsInputRedirected && !Console.IsOutputRedirected, bug: bug);

    /// <summary>The <c>--bug NAME</c> option of run, step and check: a teaching bug by its kebab-case name.</summary>
    private static Option<string?> BugOption(string what)
    {
        var names = string.Join(", ", Enum.GetValues<Core.TeachingBug>().Select(ScenarioInterpreter.Kebab));
        var bug = new Option<string?>("--bug") { Description = $"{what} NAME is one of: {names}.", HelpName = "NAME" };
        bug.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string?>();
            if (text is not null && ParseBug(text) is null) r.AddError($"unknown bug '{text}'; expected one of: {names}.");
        });
        return bug;
    }

    private static Core.TeachingBug? BugOf(string? name) => name is null ? null : ParseBug(name);

    /// <summary>The FILE argument of <c>run</c> and <c>step</c>: one scenario file that exists.</summary>
    private static Argument<string> ScenarioFile(string verb)
    {
        var file = new Argument<string>("FILE") { Description = "A scenario file (.scn)." };
        file.Validators.Add(r =>
        {
            if (NotAScenarioFile(verb, r.GetValueOrDefault<string>() ?? "") is { } problem) r.AddError(problem);
        });
        return file;
    }

    /// <summary>Why <paramref name="path"/> cannot be given to run or step (a folder, a missing file), or null.</summary>
    private static string? NotAScenarioFile(string verb, string path)
    {
        if (Directory.Exists(path))
        {
            var example = Directory.EnumerateFiles(path, "*.scn", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                .Order(StringComparer.Ordinal).FirstOrDefault();
            return $"{path} is a folder; {verb} takes one scenario file{(example is null ? " (.scn)" : $", e.g. {example}")} (check takes folders)";
        }
        return File.Exists(path) ? null : $"no such scenario file: {path}";
    }

    /// <summary>Prints each command with the comments above it and its output; when interactive, also the state and the network, and waits for a key.</summary>
    private static int Present(string verb, string path, bool interactive, string? htmlPath = null, Core.TeachingBug? bug = null)
    {
        ScenarioScript script;
        try
        {
            script = ScenarioParser.ParseFile(path);
        }
        catch (ScenarioException e)
        {
            Console.Error.WriteLine($"raft-sim: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RaftSimCli.UsageError(verb, $"cannot read {path}: {e.Message}");
        }
        var pausing = interactive;
        // Colour only on a terminal: redirected output (a file, a pipe, a test) stays plain text.
        var colour = Console.IsOutputRedirected ? null : ScenarioColours.Terminal();
        var quit = false;
        var interpreter = new ScenarioInterpreter(bug);
        if (bug is { } broken) ScenarioColours.WriteLine($"# on a broken core: --bug {ScenarioInterpreter.Kebab(broken)}", colour);
        var previousEnd = 0;
        foreach (var command in script.Commands)
        {
            foreach (var comment in script.Lines.Skip(previousEnd).Take(command.Line - 1 - previousEnd).Where(l => l.TrimStart().StartsWith('#')))
                ScenarioColours.WriteLine(comment, colour);
            previousEnd = command.Expected is null ? command.Line : command.BlockEndLine;
            ScenarioColours.WriteLine($"> {command.Text}", colour);
            string output;
            try
            {
                output = interpreter.Execute(command);
            }
            catch (ScenarioException e)
            {
                Console.Error.WriteLine(e.Message);
                // The page of a story that failed shows it up to the failure: often the point of looking.
                if (htmlPath is not null && WriteHtml(htmlPath, path, interpreter, e) is { } failed) return RaftSimCli.UsageError(verb, failed);
                return e is ScenarioExpectationFailed ? 1 : 2;
            }
            ScenarioColours.WriteLine(output, colour);
            Console.WriteLine();
            if (!pausing || interpreter.Cluster is not { } cluster) continue;
            Console.WriteLine("--- nodes");
            foreach (var row in ScenarioView.StateTable(cluster)) ScenarioColours.WriteLine(row, colour);
            Console.WriteLine($"--- in flight: {cluster.InFlight.Count}");
            foreach (var message in cluster.InFlight) ScenarioColours.WriteLine(message.ToString(), colour);
            Console.Write("[n]ext  [c]ontinue  [q]uit ");
            var key = char.ToLowerInvariant(Console.ReadKey(intercept: true).KeyChar);
            Console.WriteLine();
            Console.WriteLine();
            if (key == 'q') { quit = true; break; }
            if (key == 'c') pausing = false;
        }
        if (!quit) Console.WriteLine("(end of scenario)");
        if (htmlPath is not null && WriteHtml(htmlPath, path, interpreter, null) is { } problem) return RaftSimCli.UsageError(verb, problem);
        return 0;
    }

    /// <summary>Writes a scenario's page: its trace (every cluster it made, rewinds included) and what failed, if anything.</summary>
    private static string? WriteHtml(string htmlPath, string scenarioPath, ScenarioInterpreter interpreter, ScenarioException? error)
    {
        var meta = Viewer.ViewerPage.ForScenario(scenarioPath, interpreter, error);
        var trace = interpreter.RunTrace;
        try
        {
            Viewer.ViewerPage.Write(htmlPath, meta, trace.All);
            Console.WriteLine($"viewer: {trace.Count} events written to {htmlPath}");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write the page to {htmlPath}: {e.Message}";
        }
    }

    /// <summary>Checks (or rewrites) every scenario under <paramref name="paths"/>; returns the exit code.</summary>
    public static int Check(IReadOnlyList<string> paths, bool rewrite, TextWriter output, Core.TeachingBug? bug = null)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path)) files.AddRange(Directory.GetFiles(path, "*.scn", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(path)) files.Add(path);
            else
            {
                output.WriteLine($"raft-sim: no such file or folder: {path}");
                return 2;
            }
        }
        var exit = 0;
        foreach (var file in files)
        {
            var result = CheckFile(file, rewrite, output, bug);
            exit = Math.Max(exit, result);
        }
        output.WriteLine($"{files.Count} scenario file(s) {(rewrite ? "rewritten" : "checked")}, {(exit == 0 ? "all pass" : "some fail")}");
        return exit;
    }

    private static Core.TeachingBug? ParseBug(string text) =>
        Enum.GetValues<Core.TeachingBug>().Where(b => ScenarioInterpreter.Kebab(b) == text).Select(b => (Core.TeachingBug?)b).FirstOrDefault();

    private static int CheckFile(string file, bool rewrite, TextWriter output, Core.TeachingBug? bug)
    {
        ScenarioScript script;
        try
        {
            script = ScenarioParser.ParseFile(file);
        }
        catch (Exception e) when (e is ScenarioException or IOException or UnauthorizedAccessException)
        {
            output.WriteLine(e.Message);
            return 2;
        }
        if (bug is not null)
            foreach (var story in script.Commands.Where(ScenarioInterpreter.NamesItsOwnBug))
                output.WriteLine($"{file}:{story.Line}: this story names its own bug, which --bug does not replace: {story.Text}");
        var run = ScenarioRun.Execute(script, bug);
        if (run.Error is not null)
        {
            output.WriteLine(run.Error.Message);
            return run.Error is ScenarioExpectationFailed ? 1 : 2;
        }
        if (rewrite)
        {
            File.WriteAllText(file, run.Rewritten());
            output.WriteLine($"rewrote {file}");
            return 0;
        }
        var mismatches = run.Mismatches();
        foreach (var diff in mismatches) output.WriteLine(diff);
        output.WriteLine($"{file}: {(mismatches.Count == 0 ? "ok" : $"{mismatches.Count} mismatch(es)")}");
        return mismatches.Count == 0 ? 0 : 1;
    }
}
