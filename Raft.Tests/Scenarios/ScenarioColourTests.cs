using Raft.Simulation.Cli;
using Raft.Tests.Simulation;

namespace Raft.Tests.Scenarios;

public sealed class ScenarioColourTests
{
    [Test]
    public void A_node_becoming_leader_is_green_and_a_command_is_bold() =>
        Assert.Multiple(() =>
        {
            Assert.That(ScenarioColours.Markup("  n1 is leader term=1 vote=n1"), Is.EqualTo("[green]  n1 is leader term=1 vote=n1[/]"));
            Assert.That(ScenarioColours.Markup("> deliver all"), Is.EqualTo("[bold]> deliver all[/]"));
            Assert.That(ScenarioColours.Markup("# why"), Is.EqualTo("[grey]# why[/]"));
        });

    [Test]
    public void Lost_messages_are_red_and_their_brackets_are_escaped() =>
        Assert.That(ScenarioColours.Markup("9 n1->n2 AppendEntries term=1 prev=0@0 entries=[1@1] commit=0: lost (link cut)"),
            Is.EqualTo("[red]9 n1->n2 AppendEntries term=1 prev=0@0 entries=[[1@1]] commit=0: lost (link cut)[/]"));

    [Test]
    public void A_refused_proposal_is_not_coloured_as_a_leader() =>
        Assert.That(ScenarioColours.Markup("n2 refuses the proposal: not leader (leader hint n1)"), Does.StartWith("[yellow]"));

    [Test]
    public void Membership_changes_are_magenta_and_snapshots_cyan() =>
        Assert.Multiple(() =>
        {
            Assert.That(ScenarioColours.Markup("  n2 uses config voters=n1,n2,n3 learners=n4"), Does.StartWith("[magenta]"));
            Assert.That(ScenarioColours.Markup("n1 accepts add n4 at 2@1"), Does.StartWith("[magenta]"));
            Assert.That(ScenarioColours.Markup("  n3 stores snapshot up to 1002@1 (9854 bytes, voters=n1,n2,n3), log from 1003"), Does.StartWith("[cyan]"));
            Assert.That(ScenarioColours.Markup("n1 refuses add n5: MembershipChangeInProgress"), Does.StartWith("[yellow]"));
        });

    [Test]
    public void Run_with_redirected_output_prints_plain_text()
    {
        var (code, stdout, _) = RaftSim.Run("run", ScenarioFiles.PathOf("paper/split-vote.scn"));
        Assert.That(code, Is.Zero);
        Assert.That(stdout, Does.Not.Contain("\u001b["));
    }
}
