using BenchmarkDotNet.Running;
using Raft.Benchmarks;
using Raft.Benchmarks.Histories;

// 'lin-times [repeats]': a quick wall-clock table for the linearizability checker.
// Anything else goes to BenchmarkDotNet (e.g. --filter '*' --job short); see benchmarks/README.md.
if (args.Length > 0 && args[0] == "lin-times")
{
    LinearizabilityTimes.Run(PorcupineHistories.Directory, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(LinearizabilityTimes).Assembly).Run(args);
