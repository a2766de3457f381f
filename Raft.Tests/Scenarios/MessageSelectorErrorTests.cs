using Raft.Simulation.Scenarios;

namespace Raft.Tests.Scenarios;

/// <summary>A word of <c>deliver</c>, <c>drop</c> or <c>duplicate</c> that names no messages is reported at its column with the way to write it.</summary>
public sealed class MessageSelectorErrorTests
{
    private const string Start = "cluster nodes=3\ncampaign n1\n";

    [TestCase("deliver from n1", "t.scn:3:9: write from=nK as one word, e.g. 'from=n1'")]
    [TestCase("drop to n2", "t.scn:3:6: write to=nK as one word, e.g. 'to=n1'")]
    [TestCase("deliver from= n1", "t.scn:3:9: write the node right after '=', e.g. 'from=n1'")]
    [TestCase("duplicate n1", "t.scn:3:11: 'n1' alone names no messages: write from=n1, to=n1 or n1->nB")]
    [TestCase("deliver n1 -> n2", "t.scn:3:9: 'n1' alone names no messages: write from=n1, to=n1 or n1->nB")]
    [TestCase("deliver n1-> n2", "t.scn:3:9: write nA->nB as one word, e.g. 'n1->n2'")]
    [TestCase("deliver 1 votes", "t.scn:3:11: 'votes' names no messages: write all, next, nA->nB, to=nB, from=nA or message numbers")]
    [TestCase("deliver from=n9", "t.scn:3:9: 'n9' is not a node (n1..n3)")]
    [TestCase("deliver 7", "t.scn:3:9: no message 7 in flight")]
    public void A_word_that_names_no_messages_points_at_the_right_syntax(string line, string message)
    {
        var run = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Start + line + "\n"));

        Assert.That(run.Error, Is.Not.Null.And.Not.InstanceOf<ScenarioExpectationFailed>());
        Assert.That(run.Error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void The_right_syntax_delivers_the_messages()
    {
        var run = ScenarioRun.Execute(ScenarioParser.Parse("t.scn", Start + "deliver from=n1\ndeliver n2->n1 to=n1\nexpect leader n1\n"));

        Assert.That(run.Error, Is.Null);
    }

    [Test]
    public void Run_reports_the_mistake_as_file_line_column_and_exits_2()
    {
        var path = Path.Combine(Path.GetTempPath(), $"raft-scn-{Guid.NewGuid():N}.scn");
        File.WriteAllText(path, Start + "deliver from n1\n");
        try
        {
            var (code, _, stderr) = Raft.Tests.Simulation.RaftSim.Run("run", path);

            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.Trim(), Is.EqualTo($"{path}:3:9: write from=nK as one word, e.g. 'from=n1'"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
