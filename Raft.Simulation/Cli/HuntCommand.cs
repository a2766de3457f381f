using System.CommandLine;
using Raft.Simulation.Scenarios;

namespace Raft.Simulation.Cli;

/// <summary>
/// <c>raft-sim hunt</c>: bug hunts with hidden bugs. <c>hunt list</c> shows the mystery numbers;
/// <c>hunt verify N ANSWER.scn</c> accepts a scenario that tells a story the correct core passes
/// and mystery bug N fails (exit 0 accepted, 1 not accepted, 2 a bad file or number);
/// <c>hunt reveal N</c> names the bug, for teachers.
/// </summary>
public static class HuntCommand
{
    public static Command Create()
    {
        var hunt = new Command("hunt", "Bug hunts with hidden bugs: run one with --mystery N (explore, replay), find a failing seed, shrink it, explain the broken rule, and hand in a scenario that shows it.");
        hunt.Add(CreateList());
        hunt.Add(CreateVerify());
        hunt.Add(CreateReveal());
        return hunt;
    }

    private static Argument<int> NumberArgument()
    {
        var number = new Argument<int>("N") { Description = $"The mystery bug's number, 1 to {MysteryBugs.Count}." };
        number.Validators.Add(r =>
        {
            var n = r.GetValueOrDefault<int>();
            if (MysteryBugs.Bug(n) is null) r.AddError($"there is no mystery bug {n}: the numbers go from 1 to {MysteryBugs.Count}.");
        });
        return number;
    }

    private static Command CreateList()
    {
        var command = new Command("list", "The mystery bugs' numbers and how to start a hunt.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"Mystery bugs 1 to {MysteryBugs.Count}. Each breaks one rule of the Raft paper or thesis. Start with:");
            Console.WriteLine("  raft-sim explore --seeds 100 --nodes 5 --faults partitions --mystery N");
            Console.WriteLine("then replay the failing seed (the shrunk case explore prints), read its trace or its page (--html), name the broken rule,");
            Console.WriteLine("and write a scenario (scenarios/README.md) that passes on a correct core and fails under the bug. Check it with:");
            Console.WriteLine("  raft-sim hunt verify N answer.scn");
            Console.WriteLine("Some bugs need options to show: --prevote (a pre-vote rule), --reads read-index --read-percent 90 (reads), --membership (membership changes), --snapshot-every 20 (snapshots).");
            return 0;
        });
        return command;
    }

    private static Command CreateVerify()
    {
        var number = NumberArgument();
        var answer = new Argument<string>("ANSWER") { Description = "Your scenario file (.scn): it must pass on the correct core and fail under the mystery bug." };
        var command = new Command("verify", "Check a hunt's answer: a scenario that the correct core passes and mystery bug N fails. Exit 0: accepted; 1: not accepted; 2: a file that cannot be read or parsed.") { number, answer };
        command.SetAction(parse => Verify(parse.GetValue(number), parse.GetValue(answer)!, Console.Out));
        return command;
    }

    private static Command CreateReveal()
    {
        var number = NumberArgument();
        var command = new Command("reveal", "Name mystery bug N (for teachers: it gives the hunt away).") { number };
        command.SetAction(parse =>
        {
            var bug = MysteryBugs.Bug(parse.GetValue(number))!.Value;
            Console.WriteLine($"mystery bug {parse.GetValue(number)} is {ScenarioInterpreter.Kebab(bug)}: see docs/teaching-bugs.md");
            return 0;
        });
        return command;
    }

    /// <summary>Runs the answer on the correct core and under the mystery bug; returns the exit code.</summary>
    public static int Verify(int number, string path, TextWriter output)
    {
        var bug = MysteryBugs.Bug(number) ?? throw new ArgumentOutOfRangeException(nameof(number));
        ScenarioScript script;
        try
        {
            script = ScenarioParser.ParseFile(path);
        }
        catch (ScenarioException e)
        {
            Console.Error.WriteLine($"raft-sim: {e.Message}");
            return RaftSimCli.UsageExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RaftSimCli.UsageError("hunt", $"cannot read {path}: {e.Message}");
        }
        if (script.Commands.FirstOrDefault(ScenarioInterpreter.NamesItsOwnBug) is { } named)
        {
            output.WriteLine($"not accepted: {named.File}:{named.Line}: the story names a bug of its own ({named.Text}); an answer must run on the core it is given");
            return 1;
        }
        var correct = ScenarioRun.Execute(script);
        if (correct.Error is ScenarioException error && error is not ScenarioExpectationFailed)
        {
            Console.Error.WriteLine($"raft-sim: {error.Message}");
            return RaftSimCli.UsageExitCode;
        }
        if (Failure(correct) is { } wrongOnCorrect)
        {
            output.WriteLine($"not accepted: the story fails on the correct core too, so it does not show the bug: {wrongOnCorrect}");
            return 1;
        }
        var broken = ScenarioRun.Execute(script, bug);
        if (Failure(broken) is not { } caught)
        {
            output.WriteLine($"not accepted: the story passes under mystery bug {number} as well; make an expectation (expect safety, expect log, expect committed...) or an output block fail where the rule is broken");
            return 1;
        }
        output.WriteLine($"accepted: the story passes on the correct core and fails under mystery bug {number}: {caught}");
        return 0;
    }

    /// <summary>Why a run of a story failed (a failed expectation, or the first mismatching block), or null if it passed.</summary>
    private static string? Failure(ScenarioRun run) =>
        run.Error?.Message ?? (run.Mismatches() is { Count: > 0 } mismatches ? mismatches[0].Split('\n')[0] : null);
}
