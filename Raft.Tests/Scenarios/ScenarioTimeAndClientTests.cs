using Raft.Core;
using Raft.Simulation.Scenarios;

namespace Raft.Tests.Scenarios;

/// <summary>The time commands (run-for, run-until), client reads, trace, crash after-send and the linearizability and message-budget expectations.</summary>
public sealed class ScenarioTimeAndClientTests
{
    private static ScenarioRun Run(string text, TeachingBug? bug = null) =>
        ScenarioRun.Execute(ScenarioParser.Parse("t.scn", text), bug);

    private static ScenarioRun Passing(string text, TeachingBug? bug = null)
    {
        var run = Run(text, bug);
        Assert.That(run.Error, Is.Null, run.Error?.Message);
        return run;
    }

    [Test]
    public void Run_for_ticks_every_node_and_delivers_every_message_after_each_tick()
    {
        var run = Passing("cluster nodes=3\nrun-for 10\ninflight\nexpect leader n1\nexpect committed 1 on n1\n");
        Assert.That(run.Outputs[1], Does.StartWith("10 ticks, every message delivered after each\n  tick 10: n1 is candidate term=1 vote=n1"));
        Assert.That(run.Outputs[1], Does.Contain("  tick 10: n1 is leader term=1 vote=n1").And.Contain("  commit n1 0->1\n")
            .And.EndWith("  sent 8 (AppendEntries 2, AppendEntriesResponse 2, RequestVote 2, RequestVoteResponse 2), delivered 8, lost 0"));
        Assert.That(run.Outputs[2], Is.EqualTo("no messages in flight"));
    }

    [Test]
    public void Run_for_fewer_ticks_than_the_election_timeout_elects_nobody()
    {
        var run = Passing("cluster nodes=3\nrun-for 9\nexpect role n1 follower\n");
        Assert.That(run.Outputs[1], Is.EqualTo("9 ticks, every message delivered after each\n  no commit index moved\n  sent 0, delivered 0, lost 0"));
    }

    [Test]
    public void Run_until_leader_stops_at_the_first_tick_with_a_leader()
    {
        var run = Passing("cluster nodes=3\nrun-until leader\n");
        Assert.That(run.Outputs[1], Does.StartWith("a leader after 10 ticks: n1\n"));
    }

    [Test]
    public void Run_until_leader_ignores_a_cut_off_leader_of_an_old_term()
    {
        var run = Passing("cluster nodes=3\nrun-until leader\nisolate n1\ncampaign n2\ndeliver all\nrun-until leader\n");
        Assert.That(run.Outputs[^1], Does.StartWith("a leader after 0 ticks: n2"));
    }

    [Test]
    public void Run_until_fails_with_its_line_when_the_condition_does_not_hold_within_max()
    {
        var run = Run("cluster nodes=3\ncrash n2\ncrash n3\nrun-until leader max 30\n");
        Assert.That(run.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Is.EqualTo("t.scn:4:1: no leader after 30 ticks"));
    }

    [Test]
    public void Run_until_committed_waits_for_the_named_nodes_only()
    {
        var run = Passing("cluster nodes=3\nrun-until leader\nisolate n3\nput n1 x 1\nrun-until committed 2 on n1 n2 max 5\nexpect committed 0 on n3\n");
        Assert.That(run.Outputs[4], Does.StartWith("commit index 2 on n1 n2 after 2 ticks\n"));
        var bad = Run("cluster nodes=3\nrun-until leader\nisolate n3\nput n1 x 1\nrun-until committed 2 max 5\n");
        Assert.That(bad.Error!.Message, Is.EqualTo("t.scn:5:1: commit index 2 not reached on n1 n2 n3 after 5 ticks"));
    }

    [Test]
    public void Run_until_reports_a_typo_in_its_condition_at_its_column()
    {
        var run = Run("cluster nodes=3\nrun-until leadr\n");
        Assert.That(run.Error!.Message, Does.StartWith("t.scn:2:11: unknown condition 'leadr'"));
    }

    [Test]
    public void Get_goes_through_the_log_and_the_leader_answers_with_the_value_it_applied()
    {
        var run = Passing("cluster nodes=3\nrun-until leader\nput n1 x 1\nget n1 x\ndeliver all\nget n2 x\n");
        Assert.That(run.Outputs[3], Does.StartWith("n1 accepts the proposal at 3@1"));
        Assert.That(run.Outputs[4], Does.Contain("  n1 replies put x=1: ok 1").And.Contain("  n1 replies get x: ok 1"));
        Assert.That(run.Outputs[5], Is.EqualTo("n2 refuses the proposal: not leader (leader hint n1)"));
    }

    [Test]
    public void Trace_prints_everything_since_the_last_trace_in_full()
    {
        var run = Passing("cluster nodes=3\nrun-for 10\ntrace\nexpect leader n1\ntrace\ntrace\n");
        Assert.That(run.Outputs[2], Does.StartWith("> cluster nodes=3\n").And.Contain("> run-for 10\ntick 10\n  n1 is candidate term=1 vote=n1\n  n1 sends 1 n1->n2 RequestVote"));
        Assert.That(run.Outputs[2], Does.Not.Contain("tick 9"), "quiet ticks are left out");
        Assert.That(run.Outputs[4], Is.EqualTo("> expect leader n1\nok"));
        Assert.That(run.Outputs[5], Is.EqualTo("nothing happened since the last trace"));
    }

    [Test]
    public void Expect_linearizable_counts_the_client_operations_and_their_answers()
    {
        var run = Passing("cluster nodes=3\nrun-until leader\nput n1 x 1\nget n1 x\ndeliver all\nisolate n1\nput n1 x 2\nrun-for 3\nexpect linearizable\n");
        Assert.That(run.Outputs[^1], Is.EqualTo("linearizable: 3 client operations, 2 answered"));
    }

    [Test]
    public void Expect_linearizable_fails_when_a_leader_that_ignores_a_higher_term_answers_a_stale_read()
    {
        const string Story = "cluster nodes=3\nrun-until leader\nput n1 x 1\nrun-until committed 2\nisolate n1\ncampaign n2\ndeliver all\n"
            + "put n2 x 2\nrun-until committed 4 on n2 n3\nheal\nrun-for 4\nget n1 x\nrun-for 4\nexpect linearizable\n";
        Passing(Story);
        var run = Run(Story, TeachingBug.LeaderIgnoresHigherTerm);
        Assert.That(run.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Does.StartWith("t.scn:14:1: not linearizable: key \"x\"").And.Contain("get x -> ok 1"));
    }

    [Test]
    public void Expect_messages_at_most_fails_over_budget()
    {
        Assert.That(Passing("cluster nodes=3\nrun-until leader\nexpect messages at-most 8\n").Outputs[^1], Is.EqualTo("8 messages sent, within 8"));
        Assert.That(Run("cluster nodes=3\nrun-until leader\nexpect messages at-most 7\n").Error!.Message,
            Is.EqualTo("t.scn:3:1: expected at most 7 messages, but 8 were sent"));
    }

    [Test]
    public void Crash_after_send_loses_a_vote_only_when_the_core_sends_before_it_persists()
    {
        const string Story = "cluster nodes=3\ncampaign n1\ncrash n2 after-send\ndeliver 1\nrestart n2\n";
        var correct = Passing(Story);
        Assert.That(correct.Outputs[3], Does.Contain("  n2 sends 3 n2->n1 Vote term=1 granted\n  n2 crashes after its sends"));
        Assert.That(correct.Outputs[4], Does.StartWith("n2 restarts as follower term=1 vote=n1"));
        var buggy = Passing(Story, TeachingBug.ReplyBeforePersist);
        Assert.That(buggy.Outputs[3], Does.Contain("n2 crashes after its sends, before persisting term and vote"));
        Assert.That(buggy.Outputs[4], Does.StartWith("n2 restarts as follower term=0 vote=-"));
    }

    [Test]
    public void Crash_after_send_waits_for_a_step_that_sends()
    {
        var run = Passing("cluster nodes=3\ncrash n1 after-send\ntick n1 9\nexpect role n1 follower\ntick n1\nstate\n");
        Assert.That(run.Outputs[2], Is.EqualTo("ok"), "quiet ticks send nothing, so n1 stays up");
        Assert.That(run.Outputs[4], Does.EndWith("  n1 crashes after its sends"));
        Assert.That(run.Outputs[5], Does.Contain("n1    DOWN"));
    }

    [Test]
    public void Crash_takes_only_after_send_as_an_option()
    {
        Assert.That(Run("cluster nodes=3\ncrash n2 later\n").Error!.Message, Is.EqualTo("t.scn:2:10: 'crash nK' takes only 'after-send'"));
    }

    [TestCase(TeachingBug.ReplyBeforePersist)]
    [TestCase(TeachingBug.ForgetVoteOnRestart)]
    public void Persist_before_reply_scenario_elects_two_leaders_when_the_vote_is_not_on_disk(TeachingBug bug)
    {
        var run = ScenarioRun.Execute(ScenarioParser.ParseFile(ScenarioFiles.PathOf("paper/persist-before-reply.scn")), bug);
        Assert.That(run.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Does.Contain("Election Safety: n3 and n1 both lead term 1"));
    }
}
