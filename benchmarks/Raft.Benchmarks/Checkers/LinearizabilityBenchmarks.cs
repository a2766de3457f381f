using BenchmarkDotNet.Attributes;
using Raft.Benchmarks.Histories;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Cli;
using Raft.Simulation.History;

namespace Raft.Benchmarks.Checkers;

/// <summary>
/// The linearizability checker on the generated 10,000-operation history (100 keys, 50 clients),
/// legal and with one stale read, and on Porcupine's published kvraft histories when
/// <see cref="PorcupineHistories.DirectoryVariable"/> names a directory holding them (left out
/// otherwise). Keys are searched on the caller's thread (as the simulator does) or on all cores.
/// </summary>
[MemoryDiagnoser]
public class LinearizabilityBenchmarks
{
    private List<ClientOperation> history = null!;

    [ParamsSource(nameof(HistoryNames))]
    public string History { get; set; } = "";

    [Params(false, true)]
    public bool Parallel { get; set; }

    public static IEnumerable<string> HistoryNames()
    {
        yield return "generated-ok";
        yield return "generated-stale-read";
        if (PorcupineHistories.Directory is null) yield break;
        foreach (var name in PorcupineHistories.Names) yield return $"porcupine-{name}";
    }

    [GlobalSetup]
    public void Setup() => history = History switch
    {
        "generated-ok" => GeneratedHistories.Legal(),
        "generated-stale-read" => GeneratedHistories.WithStaleRead(),
        _ => PorcupineKvLog.Read(Path.Combine(PorcupineHistories.Directory!, History["porcupine-".Length..] + ".txt")),
    };

    [Benchmark]
    public LinearizabilityOutcome Check() => Parallel
        ? LinearizabilityChecker.Check(history, LinearizabilityChecker.DefaultStepBudget, ParallelPartitionRunner.Run).Outcome
        : LinearizabilityChecker.Check(history).Outcome;
}
