using Raft.Tests.Simulation;

namespace Raft.Tests.Scenarios;

public sealed class ScenarioCliTests
{
    private static string TempScenario(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"raft-scn-{Guid.NewGuid():N}.scn");
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void Check_passes_on_the_scenarios_folder()
    {
        var (code, stdout, _) = RaftSim.Run("check", ScenarioFiles.Root);
        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.Contain("all pass"));
    }

    [Test]
    public void Check_exits_1_with_a_diff_on_a_mismatch_and_rewrite_fixes_it()
    {
        var path = TempScenario("cluster nodes=3\n----\nwrong\n");
        try
        {
            var (code, stdout, _) = RaftSim.Run("check", path);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(stdout, Does.Contain("-wrong").And.Contain("+3 nodes n1..n3"));
            Assert.That(RaftSim.Run("check", "--rewrite", path).Code, Is.Zero);
            Assert.That(RaftSim.Run("check", path).Code, Is.Zero);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Run_and_step_exit_2_with_file_line_column_on_a_typo()
    {
        var path = TempScenario("cluster nodes=3\ncampaign n1\ndelivr all\n");
        try
        {
            foreach (var verb in new[] { "run", "step" })
            {
                var (code, stdout, stderr) = RaftSim.Run(verb, path);
                Assert.That(code, Is.EqualTo(2));
                Assert.That(stderr.Trim(), Is.EqualTo($"{path}:3:1: unknown command 'delivr'"));
                Assert.That(stdout, Does.Contain("> campaign n1"));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Step_with_redirected_input_prints_the_whole_story_like_run()
    {
        var file = ScenarioFiles.PathOf("paper/split-vote.scn");
        var step = RaftSim.Run("step", file);
        var run = RaftSim.Run("run", file);
        Assert.That(step.Code, Is.Zero);
        Assert.That(step.Stdout, Is.EqualTo(run.Stdout));
        Assert.That(step.Stdout, Does.Contain("# Split vote").And.EndWith("(end of scenario)\n"));
    }
}
