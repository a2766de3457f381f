using Raft.Core;
using Raft.Simulation.Scenarios;

namespace Raft.Tests.Scenarios;

/// <summary>
/// <c>expect safety</c> includes the persist-before-send check (thesis §3.8): a vote or an
/// acknowledgement that leaves before the write it depends on is caught as it leaves, with no
/// crash needed to show the consequence.
/// </summary>
public sealed class ScenarioPersistBeforeSendTests
{
    private const string Story = "cluster nodes=3\ncampaign n1\ndeliver 1\nexpect safety\n";

    [Test]
    public void A_vote_sent_before_it_is_persisted_fails_expect_safety()
    {
        var run = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Story), TeachingBug.ReplyBeforePersist);
        Assert.That(run.Error, Is.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Does.Contain("t.scn:4:1: safety violated: PersistBeforeSend: n2 grants a vote in term 1 while the disk holds term=0 vote=-"));
    }

    [Test]
    public void The_correct_core_persists_first_and_passes()
    {
        var run = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Story));
        Assert.That(run.Error, Is.Null);
    }
}
