namespace Raft.Simulation.Grading;

/// <summary>How one test went over its seeds: passed and run, inconclusive seeds (counted as passed), the first failure, and the time it took.</summary>
public sealed record TestOutcome(GradeTest Test, int Passed, int Run, int Inconclusive, SeedFailure? FirstFailure, TimeSpan Elapsed)
{
    public bool Ok => Passed == Run;

    /// <summary>A test's points go only to a test that passes every seed.</summary>
    public int Points => Ok ? Test.Points : 0;
}
