using System.CommandLine;
using System.Text.RegularExpressions;

namespace Raft.Simulation.Cli;

/// <summary>
/// The <c>raft-sim</c> command line. Exit codes: 0 ok, 1 a violation or mismatch, 2 bad usage,
/// 3 inconclusive (explore, replay, merge: a linearizability search ran out of its step budget),
/// 4 the command stopped on an error of its own (<see cref="CommandInvocation"/>): no verdict.
/// Every usage error (a parse error, or a bad file found when a command starts) prints
/// <c>raft-sim: problem</c>, the command's usage line and how to get its help, on stderr.
/// </summary>
public static partial class RaftSimCli
{
    public const int UsageExitCode = 2;

    public static int Run(string[] args)
    {
        var parse = Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"raft-sim: {Plain(error.Message)}");
            WriteUsage(parse.CommandResult.Command.Name, Console.Error);
            return UsageExitCode;
        }
        return CommandInvocation.Invoke(parse, "raft-sim");
    }

    /// <summary>Parses <paramref name="args"/> against every raft-sim command without running anything.</summary>
    public static ParseResult Parse(string[] args)
    {
        var root = new RootCommand("raft-sim: deterministic Raft simulator. Same seed, same run, byte for byte.")
        {
            ExploreCommand.Create(),
            ReplayCommand.Create(),
            ScenarioCommands.CreateRun(),
            ScenarioCommands.CreateStep(),
            ScenarioCommands.CreateCheck(),
            BenchCommand.Create(),
            MergeCommand.Create(),
            GradeCommand.Create(),
            HuntCommand.Create(),
        };
        return root.Parse(args);
    }

    /// <summary>Reports a bad argument found after parsing (a missing file, options that do not go together); returns exit code 2.</summary>
    public static int UsageError(string command, string problem)
    {
        Console.Error.WriteLine($"raft-sim: {problem}");
        WriteUsage(command, Console.Error);
        return UsageExitCode;
    }

    /// <summary>The synopsis of <paramref name="command"/> (as in the README), or of raft-sim as a whole for any other name.</summary>
    public static string Usage(string command) => command switch
    {
        "explore" => "raft-sim explore [--seeds N] [--nodes 3|5|7] [--duration 10s] [--faults PROFILE] [--bug NAME | --mystery N] [--jobs J] [--shard I/N] [--results FILE.ndjson] [--html FILE] [options]",
        "replay" => "raft-sim replay --seed S [the options of explore] [--trace FILE] [--html FILE] [--summary-only] | replay --case FILE",
        "run" => "raft-sim run FILE.scn [--bug NAME] [--html FILE]",
        "step" => "raft-sim step FILE.scn [--bug NAME]",
        "check" => "raft-sim check FILE.scn|DIR... [--rewrite] [--bug NAME]",
        "bench" => "raft-sim bench [--seeds N]",
        "merge" => "raft-sim merge FILE.ndjson|DIR...",
        "grade" => GradeCommand.Usage,
        "hunt" or "list" or "verify" or "reveal" => "raft-sim hunt list | hunt verify N ANSWER.scn | hunt reveal N",
        _ => "raft-sim explore|replay|run|step|check|bench|merge|grade|hunt [options]",
    };

    /// <summary>The parser's conversion error without .NET type names: "'x' is not a number (--drift)".</summary>
    private static string Plain(string message)
    {
        var match = ConversionError().Match(message);
        if (!match.Success) return message;
        var type = match.Groups["type"].Value;
        var kind = type.Contains("UInt", StringComparison.Ordinal) ? "a whole number, 0 or more" : type.Contains("Int", StringComparison.Ordinal) ? "a whole number" : type.Contains("Double", StringComparison.Ordinal) ? "a number" : null;
        return kind is null ? message : $"'{match.Groups["text"].Value}' is not {kind} ({match.Groups["option"].Value}).";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<text>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.$")]
    private static partial Regex ConversionError();

    private static void WriteUsage(string command, TextWriter error)
    {
        var known = Usage(command) != Usage("");
        error.WriteLine($"Usage: {Usage(command)}");
        // A command that runs as printed (raft-sim may not be on the PATH).
        error.WriteLine($"Help{RaftSimInvocation.Where}: {RaftSimInvocation.Command(known ? $"{command} --help" : "--help")}");
    }
}
