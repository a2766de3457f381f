using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Simulation.Cli;

/// <summary>
/// Runs the linearizability checker's partition searches on all cores. Only for callers outside the
/// simulation (the command line, the real cluster's checks): the simulator itself stays
/// single-threaded. The verdict does not depend on the runner (see <see cref="PartitionRunner"/>).
/// </summary>
/// <example><c>LinearizabilityChecker.Check(history, budget, ParallelPartitionRunner.Run)</c></example>
public static class ParallelPartitionRunner
{
    /// <summary>
    /// Runs every search, at most one per core at a time (a search holds its memo while it runs, so
    /// this also bounds the memory of the searches); returns when all have finished.
    /// </summary>
    public static void Run(IReadOnlyList<Action> searches)
    {
        ArgumentNullException.ThrowIfNull(searches);
        Parallel.ForEach(searches, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, search => search());
    }
}
