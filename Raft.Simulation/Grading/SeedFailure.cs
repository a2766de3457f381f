namespace Raft.Simulation.Grading;

/// <summary>
/// Why one seed of a test failed: the property the simulator found broken or the test's own
/// expectation, the last trace events, the faults of the run (scheduled, and the grader's own
/// actions) and a command that reruns it.
/// </summary>
public sealed record SeedFailure(ulong Seed, string What, string Message, IReadOnlyList<string> RecentTrace, IReadOnlyList<string> Faults, string Command);
