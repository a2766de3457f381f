using System.CommandLine;
using Raft.Net.Commands;

var root = new RootCommand("raft-net: the Raft core on a real NetMQ transport with a durable log.")
{
    NodeCommand.Create(),
    ClusterCommand.Create(),
    CheckCommand.Create(),
    BenchCommand.Create(),
    StorageCommand.Create(),
    ChatCommand.Create(),
    KeysCommand.Create(),
    FuzzCommand.Create(),
    ShaperCommand.Create(),
};
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"raft-net: {error.Message}");
    Console.Error.WriteLine("Usage: raft-net node|cluster|check|bench|storage|chat|keys|fuzz [options]; raft-net <command> --help for details.");
    return 2;
}
return Raft.Simulation.Cli.CommandInvocation.Invoke(parse, "raft-net"); // 4, not 1, when the tool itself fails
