using System.CommandLine;

namespace Raft.Simulation.Cli;

/// <summary>The <c>raft-sim</c> command line. Exit codes: 0 ok, 1 a violation or mismatch, 2 bad usage.</summary>
public static class RaftSimCli
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("raft-sim: deterministic Raft simulator. Same seed, same run, byte for byte.")
        {
            ExploreCommand.Create(),
            ReplayCommand.Create(),
            ScenarioCommands.CreateRun(),
            ScenarioCommands.CreateStep(),
            ScenarioCommands.CreateCheck(),
            BenchCommand.Create(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"raft-sim: {error.Message}");
            Console.Error.WriteLine("Usage: raft-sim explore|replay|run|step|check|bench [options]; raft-sim <command> --help for details.");
            return 2;
        }
        return parse.Invoke();
    }
}
