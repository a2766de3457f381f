using System.Globalization;
using DotNextComparison;

// dotnext-bench: the same measurement as `raft-net bench`, of a 3-node DotNext.Net.Cluster on loopback.
//   dotnext-bench bench [--duration 10s] [--clients 1,32,128] [--kills 3]
//   dotnext-bench node ...   (started by `bench`, one process per node)
if (args.Length > 0 && args[0] == "node") return await DotNextNode.RunAsync(NodeArguments.Parse(args[1..]));
if (args.Length > 0 && args[0] == "bench") return BenchRun.Run(BenchArguments.Parse(args[1..]));
Console.Error.WriteLine("usage: dotnext-bench bench [--duration 10s] [--clients 1,32,128] [--kills 3]");
return 2;

namespace DotNextComparison
{
    /// <summary>What one node process is told by the bench that starts it.</summary>
    internal sealed record NodeArguments(int Id, int[] RaftPorts, int ClientPort, string DataDirectory)
    {
        public static NodeArguments Parse(string[] args)
        {
            string Value(string name) => args[Array.IndexOf(args, name) + 1];
            return new NodeArguments(
                int.Parse(Value("--id"), CultureInfo.InvariantCulture),
                [.. Value("--raft-ports").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))],
                int.Parse(Value("--client-port"), CultureInfo.InvariantCulture),
                Value("--data"));
        }
    }

    /// <summary>Options of a bench run.</summary>
    internal sealed record BenchArguments(TimeSpan Duration, int[] Clients, int Kills)
    {
        public static BenchArguments Parse(string[] args)
        {
            var duration = TimeSpan.FromSeconds(10);
            int[] clients = [1, 32, 128];
            var kills = 3;
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                switch (args[i])
                {
                    case "--duration": duration = TimeSpan.FromSeconds(double.Parse(args[i + 1].TrimEnd('s'), CultureInfo.InvariantCulture)); break;
                    case "--clients": clients = [.. args[i + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))]; break;
                    case "--kills": kills = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            return new BenchArguments(duration, clients, kills);
        }
    }
}
