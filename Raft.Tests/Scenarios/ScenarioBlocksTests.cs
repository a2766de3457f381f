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

/// <summary><c>log nK term=T t1 t2 ... commit=C</c>: a preset story states which entries are committed, and <c>expect safety</c> holds the cluster to them.</summary>
public sealed class PresetCommittedEntriesTests
{
    private const string Story = "cluster nodes=3\nlog n1 term=1 1 1 commit=2\nlog n2 term=1 1 1\nlog n3 term=1 1\ncampaign n3\ndeliver all\nexpect safety\n";

    [Test]
    public void A_leader_elected_without_a_declared_committed_entry_fails_expect_safety()
    {
        var run = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Story), Raft.Core.TeachingBug.VoteWithoutLogCheck);
        Assert.That(run.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Does.Contain("safety violated").And.Contain("2@1 is committed"), "n3 overwrote the declared committed entry 2@1");
    }

    [Test]
    public void Without_the_declaration_the_same_election_breaks_nothing_the_checker_knows()
    {
        var undeclared = Story.Replace(" commit=2", "", StringComparison.Ordinal);
        Assert.That(ScenarioRun.Execute(ScenarioParser.Parse("t.scn", undeclared), Raft.Core.TeachingBug.VoteWithoutLogCheck).Error, Is.Null);
        Assert.That(ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Story)).Error, Is.Null, "the correct core refuses n3");
    }

    [Test]
    public void A_commit_beyond_the_preset_log_is_an_error_with_its_line()
    {
        var run = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", "cluster nodes=3\nlog n1 term=1 1 1 commit=3\n"));
        Assert.That(run.Error?.Message, Does.StartWith("t.scn:2:"));
    }
}

/// <summary><c>run-until leader</c>: the leader is one a majority follows, so a cut-off node that campaigned into a higher term does not hide it.</summary>
public sealed class RunUntilLeaderTests
{
    [Test]
    public void A_cut_off_candidate_in_a_higher_term_does_not_hide_the_leader()
    {
        const string Story = "cluster nodes=3\ncampaign n1\ndeliver all\nisolate n3\ncampaign n3\ndeliver all\nexpect term n3 2\nrun-until leader max 1\n";
        var run = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Story));
        Assert.That(run.Error, Is.Null, run.Error?.Message);
        Assert.That(run.Outputs[^1], Does.StartWith("a leader after 0 ticks: n1"));
    }
}
