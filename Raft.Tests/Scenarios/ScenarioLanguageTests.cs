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

    [TestCase("cluster nodes=3 spares=1\nadd n7\n", "t.scn:2:5: 'n7' is not a node (n1..n4)")]
    [TestCase("cluster nodes=3\ncampaign n1\nremove n2 by n1\n", "t.scn:3:11: expected 'via nL' after the node, not 'by'")]
    [TestCase("cluster nodes=3\nadd-learner n2 via n9\n", "t.scn:2:20: 'n9' is not a node (n1..n3)")]
    [TestCase("cluster nodes=3\nadd n2\n", "t.scn:2:1: no node leads now: name the node to ask with 'via nL'")]
    [TestCase("cluster nodes=3\ncompact n1 from 3\n", "t.scn:2:12: expected 'at I' after the node, not 'from'")]
    [TestCase("cluster nodes=3\ncompact n1 at 3\n", "t.scn:2:15: n1 has applied only up to 0: it can snapshot no further")]
    [TestCase("cluster nodes=3\nput-many n1 lots\n", "t.scn:2:13: 'lots' is not a number in [1, 100000]")]
    [TestCase("cluster nodes=3 spare=2\n", "t.scn:1:17: unknown cluster option 'spare' (nodes, spares, election, heartbeat, max-append, snapshot-chunk, bug, prevote, check-quorum, lease)")]
    [TestCase("cluster nodes=3 spares=2\nexpect config n1 voters=n1,n6\n", "t.scn:2:18: 'n6' is not a node (n1..n5)")]
    [TestCase("cluster nodes=3\nexpect config n1 members=n1\n", "t.scn:2:18: expected voters=nA,nB,..., not 'members=n1'")]
    public void A_mistake_in_a_membership_or_compaction_command_names_its_line_and_column(string text, string message)
    {
        var run = Run(text);
        Assert.That(run.Error, Is.Not.Null);
        Assert.That(run.Error, Is.Not.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void A_spare_is_idle_until_added_and_a_second_cluster_command_starts_a_new_story()
    {
        var run = Run("cluster nodes=3 spares=1\ntick n4 40\nexpect config n4 voters=none\ncluster nodes=2\nexpect config n2 voters=n1,n2\n");
        Assert.That(run.Error, Is.Null, run.Error?.Message);
        Assert.That(run.Outputs[0], Does.StartWith("3 nodes n1..n3 and 1 spare n4 (not members yet), "));
        Assert.That(run.Outputs[1], Is.EqualTo("ok"), "a spare never campaigns");
    }
}
