using Raft.Simulation.Scenarios;

namespace Raft.Tests.Checkers;

/// <summary><c>expect safety</c> in a scenario checks the simulator's properties, with the simulator's checker.</summary>
public sealed class ScenarioSafetyTests
{
    private const string VoteThenRestart = "campaign n1\ndeliver all\ncrash n2\nrestart n2\nexpect safety\n";

    private static ScenarioRun Run(string text) => ScenarioRun.Execute(ScenarioParser.Parse("t.scn", text));

    [Test]
    public void A_node_that_forgets_its_vote_on_restart_fails_expect_safety()
    {
        var run = Run("cluster nodes=3 bug=forget-vote-on-restart\n" + VoteThenRestart);

        Assert.That(run.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Is.EqualTo("t.scn:6:1: safety violated: PersistedStateMonotonic: n2 restarted with term=1 vote=- but its disk holds term=1 vote=n1"));
    }

    [Test]
    public void The_correct_core_keeps_its_vote_and_passes_expect_safety()
    {
        Assert.That(Run("cluster nodes=3\n" + VoteThenRestart).Error, Is.Null);
    }
}
