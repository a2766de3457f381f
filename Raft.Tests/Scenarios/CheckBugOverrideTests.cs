using Raft.Core;
using Raft.Simulation.Scenarios;
using Raft.Tests.Simulation;

namespace Raft.Tests.Scenarios;

/// <summary>
/// <c>check --bug NAME</c> asks which stories catch a bug. A story whose <c>cluster</c> line names
/// its own <c>bug=</c> was written to show that bug and keeps it; the override applies to the others.
/// </summary>
public sealed class CheckBugOverrideTests
{
    private const string Story = "cluster nodes=3 bug=apply-before-commit\ncampaign n1\n";

    [TestCase("thesis/overlapping-membership-changes.scn")]
    [TestCase("thesis/snapshot-keeps-membership.scn")]
    public void Check_with_bug_none_passes_a_file_whose_stories_name_their_own_bug(string file)
    {
        var path = ScenarioFiles.PathOf(file);

        var (code, stdout, _) = RaftSim.Run("check", "--bug", "none", path);

        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.Contain(": this story names its own bug, which --bug does not replace: cluster nodes=3 spares=2 bug="));
    }

    [Test]
    public void Check_with_bug_none_passes_every_scenario_like_check_without_it()
    {
        var (code, stdout, _) = RaftSim.Run("check", "--bug", "none", ScenarioFiles.Root);

        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.EndWith("all pass\n"));
    }

    [Test]
    public void A_story_keeps_its_own_bug_under_an_override()
    {
        foreach (var overrideBug in new TeachingBug?[] { null, TeachingBug.None, TeachingBug.VoteWithoutLogCheck })
        {
            var interpreter = new ScenarioInterpreter(overrideBug);
            foreach (var command in ScenarioParser.Parse("t.scn", Story).Commands) interpreter.Execute(command);

            Assert.That(interpreter.Cluster!.Options.Bug, Is.EqualTo(TeachingBug.ApplyBeforeCommit), $"override {overrideBug}");
        }
    }

    [Test]
    public void The_override_applies_to_a_story_told_on_the_correct_core()
    {
        var interpreter = new ScenarioInterpreter(TeachingBug.VoteWithoutLogCheck);
        var output = interpreter.Execute(ScenarioParser.Parse("t.scn", "cluster nodes=3\n").Commands[0]);

        Assert.That(interpreter.Cluster!.Options.Bug, Is.EqualTo(TeachingBug.VoteWithoutLogCheck));
        Assert.That(output, Does.Not.Contain("BUG"), "an override does not show in the output");
    }
}
