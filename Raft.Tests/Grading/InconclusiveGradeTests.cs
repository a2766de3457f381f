using Raft.Simulation.Grading;

namespace Raft.Tests.Grading;

/// <summary>A seed whose linearizability search gave up proves nothing: its test is INCONCLUSIVE, never passed, and earns no points.</summary>
public sealed class InconclusiveGradeTests
{
    private static readonly GradeTest Test = new(1, "some-test", 10, "a test", _ => null);

    [Test]
    public void An_inconclusive_seed_is_not_a_pass()
    {
        var outcome = new TestOutcome(Test, Passed: 9, Run: 10, Inconclusive: 1, FirstFailure: null, TimeSpan.Zero);
        Assert.That(outcome.Ok, Is.False);
        Assert.That(outcome.IsInconclusive, Is.True);
        Assert.That(outcome.Points, Is.Zero);
        var table = new StringWriter();
        GradeReport.WriteTable([outcome], table);
        Assert.That(table.ToString(), Does.Contain("INCONCLUSIVE").And.Not.Contain(" ok"));
    }

    [Test]
    public void A_test_with_a_failing_seed_is_a_failure_whatever_else_was_inconclusive()
    {
        var failure = new SeedFailure(3, "expectation", "no leader", [], [], "rerun");
        var outcome = new TestOutcome(Test, Passed: 8, Run: 10, Inconclusive: 1, FirstFailure: failure, TimeSpan.Zero);
        Assert.That(outcome.IsInconclusive, Is.False);
        var table = new StringWriter();
        GradeReport.WriteTable([outcome], table);
        Assert.That(table.ToString(), Does.Contain("FAIL"));
    }
}
