using System.Diagnostics;
using Raft.Benchmarks.Histories;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.History;

namespace Raft.Benchmarks;

/// <summary>
/// A quick wall-clock table for the linearizability checker (the <c>lin-times</c> command), without
/// BenchmarkDotNet's warm-up and statistics: each history is checked a few times and the fastest and
/// median times are printed with the verdict. Uses only <see cref="LinearizabilityChecker.Check(IReadOnlyList{ClientOperation}, long)"/>,
/// so it also builds against older versions of the checker for comparisons.
/// </summary>
public static class LinearizabilityTimes
{
    public static void Run(string? porcupineDirectory, int repeats)
    {
        var histories = new List<(string Name, List<ClientOperation> History)>();
        if (porcupineDirectory is not null)
        {
            foreach (var name in PorcupineHistories.Names)
            {
                var path = Path.Combine(porcupineDirectory, name + ".txt");
                if (File.Exists(path)) histories.Add(($"porcupine {name}", PorcupineKvLog.Read(path)));
            }
        }
        histories.Add(("generated 10k/100 keys/50 clients ok", GeneratedHistories.Legal()));
        histories.Add(("generated 10k/100 keys/50 clients bad", GeneratedHistories.WithStaleRead()));

        Console.WriteLine($"{"history",-42} {"ops",6} {"verdict",-12} {"fastest ms",10} {"median ms",10}");
        foreach (var (name, history) in histories)
        {
            var times = new List<double>();
            LinearizabilityResult? result = null;
            for (var i = 0; i < repeats; i++)
            {
                var clock = Stopwatch.StartNew();
                result = LinearizabilityChecker.Check(history);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"{name,-42} {history.Count,6} {result!.Outcome,-12} {times[0],10:F1} {times[times.Count / 2],10:F1}");
        }
    }
}
