using System.CommandLine;
using System.Diagnostics;
using Raft.Core;
using Raft.Simulation.Grading;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim grade --lab N --node PATH</c>: grades a Raft node (a student's, or ours with
/// <c>--reference</c> / <c>--bug NAME</c>) on a lab's tests, each over many seeds, and prints a
/// table, a score and every failing test's first seed with the command that reruns it
/// (docs/grading.md). Exit code 0: the lab passes fully; 1: a test failed; 3: nothing failed but a
/// seed was inconclusive (the linearizability search gave up); 2: bad usage (a bad lab number, a
/// node that cannot be found, built or loaded).
/// </summary>
public static class GradeCommand
{
    /// <summary>Seeds per test by default: a lab grades in well under two minutes on two cores.</summary>
    public const int DefaultSeeds = 100;

    public static Command Create()
    {
        var lab = new Option<int>("--lab") { Description = "The lab to grade: 1 election, 2 replication, 3 persistence, 4 compaction, 5 key-value service (ReadIndex reads).", Required = true };
        lab.Require(n => n is >= 1 and <= 5, "--lab must be 1, 2, 3, 4 or 5.");
        var node = new Option<string?>("--node") { Description = "The node to grade: a built .dll, a .csproj or a project folder (built with dotnet build -c Release).", HelpName = "PATH" };
        var reference = new Option<bool>("--reference") { Description = "Grade the reference RaftNode." };
        var bug = new Option<TeachingBug?>("--bug")
        {
            Description = "Grade the reference RaftNode with a teaching bug (docs/teaching-bugs.md).",
            HelpName = "NAME",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                foreach (var name in Enum.GetNames<TeachingBug>())
                    if (string.Equals(RunOptionSet.Kebab(name), text, StringComparison.OrdinalIgnoreCase) || string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                        return Enum.Parse<TeachingBug>(name);
                result.AddError($"unknown teaching bug '{text}'; expected one of: {string.Join(", ", Enum.GetNames<TeachingBug>().Skip(1).Select(RunOptionSet.Kebab))}.");
                return null;
            },
        };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per test.", DefaultValueFactory = _ => DefaultSeeds };
        seeds.Require(n => n >= 1, "--seeds must be at least 1.");
        var test = new Option<string?>("--test") { Description = "Run only this test of the lab.", HelpName = "NAME" };
        var seed = new Option<ulong?>("--seed") { Description = "Run only this seed (with --test: one run, to replay a failure)." };
        var jobs = new Option<int>("--jobs") { Description = "Seeds run in parallel (each run is itself single-threaded).", DefaultValueFactory = _ => Environment.ProcessorCount };
        jobs.Require(n => n >= 1, "--jobs must be at least 1.");
        var html = new Option<string?>("--html") { Description = "Write the viewer page of each failing test's first failing seed into this folder.", HelpName = "DIR" };
        var command = new Command("grade",
            "Grade a Raft node on a lab's tests, each over many seeds of the deterministic simulator. " +
            "Exit code 0: the lab passes fully; 1: a test failed; 3: nothing failed but a seed was inconclusive (the linearizability search gave up); 2: bad arguments or a node that cannot be loaded; 4: no verdict, the grader itself failed (out of memory, a bug).")
        {
            lab, node, reference, bug, seeds, test, seed, jobs, html,
        };
        command.Validators.Add(r =>
        {
            var given = (r.GetResult(node) is not null ? 1 : 0) + (r.GetResult(reference) is not null ? 1 : 0) + (r.GetResult(bug) is not null ? 1 : 0);
            if (given != 1) r.AddError("name the node to grade: exactly one of --node PATH, --reference, --bug NAME.");
        });
        command.SetAction(parse => Run(new GradeRequest(
            parse.GetValue(lab), parse.GetValue(node), parse.GetValue(reference), parse.GetValue(bug), parse.GetValue(seeds),
            parse.GetValue(test), parse.GetValue(seed), parse.GetValue(jobs), parse.GetValue(html))));
        return command;
    }

    /// <summary>What a grade command asked for.</summary>
    private sealed record GradeRequest(int Lab, string? Node, bool Reference, TeachingBug? Bug, int Seeds, string? Test, ulong? Seed, int Jobs, string? Html);

    private static int Run(GradeRequest request)
    {
        var tests = Labs.TestsOf(request.Lab);
        if (request.Test is not null)
        {
            tests = tests.Where(t => t.Name == request.Test).ToList();
            if (tests.Count == 0)
                return UsageError($"lab {request.Lab} has no test '{request.Test}'; its tests: {string.Join(", ", Labs.TestsOf(request.Lab).Select(t => t.Name))}.");
        }
        if (request.Html is not null && File.Exists(request.Html)) return UsageError($"--html {request.Html}: a file is in the way; name a folder");
        NodeSource source;
        try
        {
            source = request.Bug is { } b ? NodeSource.Reference(b)
                : request.Reference ? NodeSource.Reference()
                : NodeLoader.Load(request.Node!, Console.Error) with { Argument = $"--node {request.Node}" };
        }
        catch (NodeLoadException e)
        {
            return UsageError(e.Message);
        }
        if (request.Lab == 5 && source.CreateStore is null)
            return UsageError($"lab 5 grades your key-value store with your node, and {request.Node} has no public class implementing Raft.Core.StateMachine.IKeyValueStore (the skeleton's is labs/StudentNode/StudentKvStore.cs)");
        return Grade(source, request, tests);
    }

    private static int Grade(NodeSource source, GradeRequest request, IReadOnlyList<GradeTest> tests)
    {
        var seeds = request.Seed is { } one ? [one] : Enumerable.Range(1, request.Seeds).Select(s => (ulong)s).ToList();
        var store = request.Lab == 5 && source.StoreDescription is { } s ? $" with the store {s}" : "";
        Console.WriteLine($"Grading {Labs.Title(request.Lab)}: {source.Description}{store}; {tests.Count} test(s) x {seeds.Count} seed(s), {request.Jobs} jobs");
        var grader = new Grader(source, request.Lab)
        {
            ForEachSeed = ParallelSeeds(request.Jobs),
            Progress = (test, done) => { if (done == seeds.Count || done % 10 == 0) Console.Error.WriteLine($"  {test.Name}: {done}/{seeds.Count} seeds"); },
            Timed = measure =>
            {
                var clock = Stopwatch.StartNew();
                var outcome = measure();
                return outcome with { Elapsed = clock.Elapsed };
            },
        };
        var outcomes = tests.Select(t => grader.Run(t, seeds)).ToList();
        Console.WriteLine();
        GradeReport.WriteTable(outcomes, Console.Out);
        GradeReport.WriteFailures(outcomes, Console.Out);
        if (request.Html is not null) WritePages(grader, outcomes, request);
        var passed = outcomes.All(o => o.Ok);
        var failing = outcomes.Count(o => !o.Ok && !o.IsInconclusive);
        Console.WriteLine();
        Console.WriteLine(passed ? $"{Labs.Title(request.Lab)}: PASSED"
            : failing > 0 ? $"{Labs.Title(request.Lab)}: NOT PASSED ({failing} test(s) failing)"
            : $"{Labs.Title(request.Lab)}: INCONCLUSIVE (no test failed, but {outcomes.Count(o => o.IsInconclusive)} could not be decided: the linearizability search gave up)");
        return passed ? 0 : failing > 0 ? 1 : ExploreCommand.InconclusiveExitCode;
    }

    /// <summary>The seeds of a test on <paramref name="jobs"/> threads (each run is itself single-threaded and deterministic).</summary>
    public static Action<int, Action<int>> ParallelSeeds(int jobs) =>
        (count, body) => Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, body);

    /// <summary>The synopsis of grade.</summary>
    public const string Usage = "raft-sim grade --lab 1|2|3|4|5 (--node PATH | --reference | --bug NAME) [--seeds N] [--test NAME] [--seed S] [--jobs J] [--html DIR]";

    /// <summary>A problem found after parsing (a node that cannot be loaded, an unknown test): exit code 2.</summary>
    private static int UsageError(string problem)
    {
        Console.Error.WriteLine($"raft-sim: {problem}");
        Console.Error.WriteLine($"Usage: {Usage}");
        Console.Error.WriteLine($"Help{RaftSimInvocation.Where}: {RaftSimInvocation.Command("grade --help")}");
        return RaftSimCli.UsageExitCode;
    }

    private static void WritePages(Grader grader, IReadOnlyList<TestOutcome> outcomes, GradeRequest request)
    {
        foreach (var o in outcomes)
        {
            if (o.FirstFailure is not { } failure) continue;
            var (_, run, result) = grader.RunSeed(o.Test, failure.Seed, keepTrace: true);
            if (!run.Started || result is null) continue;
            var path = Path.Combine(request.Html!, $"lab{request.Lab}-{o.Test.Name}-seed{failure.Seed}.html");
            try
            {
                Directory.CreateDirectory(request.Html!);
                Viewer.ViewerPage.Write(path, Viewer.ViewerPage.ForSimulation(run.Sim, result, failure.Command), run.Sim.Trace.All);
                Console.WriteLine($"viewer           {o.Test.Name} seed {failure.Seed}: {run.Sim.Trace.Count} events written to {path}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"raft-sim: cannot write {path}: {e.Message}");
            }
        }
    }
}
