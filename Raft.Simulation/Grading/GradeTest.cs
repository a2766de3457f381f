namespace Raft.Simulation.Grading;

/// <summary>
/// One named test of a lab: a body that runs one seed (starting the simulation through
/// <see cref="GradeRun.Start"/>) and returns what it expected and did not see, or null. The
/// simulator's own checks (safety, durability, linearizability, liveness) apply on top: a seed
/// passes when neither the simulator nor the body found anything wrong.
/// </summary>
/// <param name="Lab">1 to 5.</param>
/// <param name="Name">Short kebab-case name, for <c>--test</c>.</param>
/// <param name="Points">What the test is worth when every seed passes.</param>
/// <param name="What">One line for the report and docs/grading.md.</param>
/// <param name="Body">Runs one seed; returns the broken expectation, or null.</param>
/// <param name="Replayable">The run uses only what <c>raft-sim replay</c> can express (no action of the grader's own).</param>
public sealed record GradeTest(int Lab, string Name, int Points, string What, Func<GradeRun, string?> Body, bool Replayable = false);
