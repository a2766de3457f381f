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

/// <summary><c>expect log</c> on a crashed server compares the log on its disk, the one it will restart with.</summary>
public sealed class ExpectLogOnACrashedServerTests
{
    [Test]
    public void A_crashed_server_answers_with_the_log_on_its_disk()
    {
        const string Story = "cluster nodes=3\ncampaign n1\ndeliver all\ndeliver all\ncrash n2\nexpect log n2 1\n";
        Assert.That(ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Story)).Error, Is.Null);
        var wrong = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Story.Replace("expect log n2 1", "expect log n2 1 1", StringComparison.Ordinal)));
        Assert.That(wrong.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(wrong.Error!.Message, Does.Contain("expected n2's log to be [1 1], but it is [1] (on its disk: it is crashed)"));
    }
}
