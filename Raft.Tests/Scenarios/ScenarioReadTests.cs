using Raft.Simulation.Scenarios;

namespace Raft.Tests.Scenarios;

/// <summary>The scenario language's <c>read</c> command and the thesis options of <c>cluster</c>.</summary>
public sealed class ScenarioReadTests
{
    private static ScenarioRun Run(string text) => ScenarioRun.Execute(ScenarioParser.Parse("t.scn", text), null);

    [Test]
    public void A_read_at_the_leader_is_answered_after_a_heartbeat_round_without_a_log_entry()
    {
        var run = Run("cluster nodes=3\nrun-until leader\nput n1 x 1\nrun-until committed 2\nread n1 x\ndeliver\nexpect log n1 1 1\nexpect linearizable\n");

        Assert.That(run.Error, Is.Null);
        Assert.That(run.Outputs[5], Does.Contain("n1 answers read #1 get x: ok 1"));
    }

    [Test]
    public void A_read_at_a_follower_is_refused_with_the_leader_as_hint()
    {
        var run = Run("cluster nodes=3\nrun-until leader\nread n2 x\n");

        Assert.That(run.Error, Is.Null);
        Assert.That(run.Outputs[2], Does.Contain("n2 refuses read #1: NotLeader (leader hint n1)"));
    }

    [Test]
    public void The_cluster_command_turns_on_prevote_check_quorum_and_lease_reads()
    {
        var run = Run("cluster nodes=3 prevote=on check-quorum=on lease=on\n");

        Assert.That(run.Error, Is.Null);
        Assert.That(run.Outputs[0], Does.EndWith("heartbeat 2, prevote, check-quorum, lease reads"));
    }

    [Test]
    public void Lease_reads_without_check_quorum_are_an_error_at_the_cluster_command()
    {
        var run = Run("cluster nodes=3 lease=on\n");

        Assert.That(run.Error?.Message, Does.Contain("LeaseReads requires CheckQuorum"));
    }

    [Test]
    public void A_cluster_option_other_than_on_or_off_is_an_error()
    {
        var run = Run("cluster nodes=3 prevote=yes\n");

        Assert.That(run.Error?.Message, Does.Contain("'yes' is not on or off"));
    }
}
