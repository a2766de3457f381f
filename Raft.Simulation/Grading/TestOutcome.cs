namespace Raft.Simulation.Grading;

/// <summary>
/// How one test went over its seeds: passed and run, inconclusive seeds (no violation, but the
/// linearizability search gave up: not passed, not failed), the first failure, and the time it took.
/// </summary>
public sealed record TestOutcome(GradeTest Test, int Passed, int Run, int Inconclusive, SeedFailure? FirstFailure, TimeSpan Elapsed)
{
    public bool Ok => Passed == Run;

    /// <summary>No seed failed, but some were inconclusive: the test is neither passed nor failed.</summary>
    public bool IsInconclusive => FirstFailure is null && Inconclusive > 0;

    /// <summary>A test's points go only to a test that passes every seed.</summary>
    public int Points => Ok ? Test.Points : 0;
}
