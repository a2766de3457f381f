using Raft.Simulation.Scenarios;

namespace Raft.Tests.Scenarios;

/// <summary>A command's output block is optional (scenarios/README.md): without one, check does not compare, but expectations still count.</summary>
public sealed class ScenarioBlocksTests
{
    [Test]
    public void A_story_without_blocks_passes_check_when_its_expectations_hold()
    {
        var run = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", "cluster nodes=3\ncampaign n1\ndeliver all\nexpect role n1 leader\n"));
        Assert.That(run.Error, Is.Null);
        Assert.That(run.Mismatches(), Is.Empty, "commands without a block are not compared");
    }

    [Test]
    public void Without_blocks_a_failed_expectation_still_fails_and_a_wrong_block_is_still_a_mismatch()
    {
        var failed = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", "cluster nodes=3\ncampaign n1\nexpect role n1 leader\n"));
        Assert.That(failed.Error, Is.InstanceOf<ScenarioExpectationFailed>());

        var wrong = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", "cluster nodes=3\ncampaign n2\n----\n  n1 is candidate term=1 vote=n1\n"));
        Assert.That(wrong.Mismatches(), Has.Count.EqualTo(1));
    }
}
