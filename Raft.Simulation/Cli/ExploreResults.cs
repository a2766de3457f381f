namespace Raft.Simulation.Cli;

/// <summary>
/// The contents of one results file (<c>explore --results</c>): which explore it belongs to (seed
/// range, shard, options), when it ran, and one outcome per seed of its shard, in seed order.
/// </summary>
/// <param name="FirstSeed">The first seed of the whole explore (<c>--start-seed</c>), not of this shard.</param>
/// <param name="Seeds">How many seeds the whole explore has (<c>--seeds</c>), over all its shards.</param>
/// <param name="Shard">The slice of the range this file holds (<see cref="SeedShard.Whole"/> for an unsharded explore).</param>
/// <param name="Options">The run options apart from the seed (<see cref="SeedOutcome.OptionsOf"/>).</param>
/// <param name="LinBudget">The linearizability search budget per key (<c>--lin-budget</c>).</param>
/// <param name="Started">When this process started its seeds (UTC).</param>
/// <param name="Finished">When it finished them (UTC).</param>
/// <param name="Wall">How long this process took to run its seeds.</param>
/// <param name="Outcomes">One outcome per seed of the shard, in seed order.</param>
public sealed record ExploreResults(
    ulong FirstSeed,
    int Seeds,
    SeedShard Shard,
    string Options,
    long LinBudget,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    TimeSpan Wall,
    IReadOnlyList<SeedOutcome> Outcomes);
