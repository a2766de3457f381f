using Raft.Core;
using Raft.Simulation.Scenarios;

namespace Raft.Tests.Scenarios;

public sealed class ScenarioLanguageTests
{
    private static ScenarioRun Run(string text, TeachingBug? bug = null) =>
        ScenarioRun.Execute(ScenarioParser.Parse("t.scn", text), bug);

    [Test]
    public void A_misspelt_command_gives_one_error_at_its_line_and_column()
    {
        var run = Run("cluster nodes=3\n\n  campain n1\n\ndeliver all\n");
        Assert.That(run.Error, Is.Not.Null);
        Assert.That(run.Error!.Message, Is.EqualTo("t.scn:3:3: unknown command 'campain'"));
        Assert.That(run.Outputs, Has.Count.EqualTo(1), "the run stops at the bad line");
    }

    [Test]
    public void A_bad_argument_is_reported_at_its_own_column()
    {
        var run = Run("cluster nodes=3\ncampaign n9\n");
        Assert.That(run.Error!.Message, Is.EqualTo("t.scn:2:10: 'n9' is not a node (n1..n3)"));
    }

    [Test]
    public void A_block_marker_without_a_command_is_a_parse_error()
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioParser.Parse("t.scn", "# nothing\n----\nok\n"));
        Assert.That(error!.Message, Is.EqualTo("t.scn:2:1: '----' block without a command before it"));
    }

    [Test]
    public void A_wrong_expected_block_gives_a_diff()
    {
        var run = Run("cluster nodes=3\n----\n3 nodes n1..n3, election timeouts n1=10 n2=11 n3=12 ticks, heartbeat 2\n\ncampaign n1\n----\n  n1 is leader term=1 vote=n1\n");
        Assert.That(run.Error, Is.Null);
        var diffs = run.Mismatches();
        Assert.That(diffs, Has.Count.EqualTo(1));
        Assert.That(diffs[0], Does.Contain("--- t.scn:5: campaign n1 (expected)")
            .And.Contain("\n-  n1 is leader term=1 vote=n1")
            .And.Contain("\n+  n1 is candidate term=1 vote=n1"));
    }

    [Test]
    public void A_failed_expectation_names_its_line()
    {
        var run = Run("cluster nodes=3\ncampaign n1\nexpect leader n1\n");
        Assert.That(run.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Is.EqualTo("t.scn:3:1: expected n1 to be leader, but it is candidate in term 1"));
    }

    [Test]
    public void Rewrite_fills_in_missing_blocks_and_keeps_comments()
    {
        var run = Run("# a comment\ncluster nodes=3\n\nexpect term n1 0\n");
        Assert.That(run.Rewritten(), Is.EqualTo(
            "# a comment\ncluster nodes=3\n----\n3 nodes n1..n3, election timeouts n1=10 n2=11 n3=12 ticks, heartbeat 2\n\nexpect term n1 0\n----\nok\n"));
        Assert.That(Run(run.Rewritten()).Mismatches(), Is.Empty);
    }

    [Test]
    public void Rewind_replays_the_story_up_to_the_mark()
    {
        var run = Run("cluster nodes=3\ncampaign n1\nmark m\ndeliver all\nexpect leader n1\nrewind m\nexpect role n1 candidate\ninflight\n");
        Assert.That(run.Error, Is.Null, run.Error?.Message);
        Assert.That(run.Outputs[^1], Does.StartWith("1 n1->n2 RequestVote term=1"));
    }

    [Test]
    public void Figure_8_fails_when_old_term_entries_are_committed_by_counting()
    {
        var run = ScenarioRun.Execute(ScenarioParser.ParseFile(ScenarioFiles.PathOf("paper/figure8.scn")), TeachingBug.CommitOldTermByCounting);
        Assert.That(run.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Does.Contain("expected commit index 0, but n1 has 2"));
        Assert.That(run.Mismatches(), Is.Not.Empty, "the state table already shows index 2 committed");
    }
}
