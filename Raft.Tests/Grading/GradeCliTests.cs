using Raft.Tests.Simulation;

namespace Raft.Tests.Grading;

public sealed class GradeCliTests
{
    private static string Beside(string file) => Path.Combine(AppContext.BaseDirectory, file);

    [TestCase("grade", "--lab", "6", "--reference")]
    [TestCase("grade", "--lab", "1")]
    [TestCase("grade", "--lab", "1", "--reference", "--bug", "vote-without-log-check")]
    [TestCase("grade", "--lab", "1", "--bug", "no-such-bug")]
    [TestCase("grade", "--lab", "1", "--reference", "--test", "no-such-test")]
    [TestCase("grade", "--lab", "1", "--node", "/no/such/node.dll")]
    public void Bad_arguments_exit_2_with_a_usage_message(params string[] args)
    {
        var (code, _, stderr) = RaftSim.Run(args);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("raft-sim:").And.Contain("Usage"));
    }

    [Test]
    public void An_assembly_without_a_node_class_exits_2_and_says_so()
    {
        var (code, _, stderr) = RaftSim.Run("grade", "--lab", "1", "--node", Beside("raft-sim.dll"));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("no public non-abstract class implementing Raft.Core.Node.IRaftNode"));
    }

    [Test]
    public void An_assembly_with_several_node_classes_exits_2_and_names_them()
    {
        var (code, _, stderr) = RaftSim.Run("grade", "--lab", "1", "--node", Beside("Raft.Tests.dll"));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("several public classes implementing IRaftNode").And.Contain("Raft.Tests.Grading.IdleNode"));
    }

    [Test]
    public void A_project_that_does_not_build_exits_2_with_the_build_output()
    {
        var folder = Directory.CreateTempSubdirectory("raft-grade-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "Broken.csproj"), "this is not a project file");
            var (code, _, stderr) = RaftSim.Run("grade", "--lab", "1", "--node", folder.FullName);
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain("the build of").And.Contain("failed"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void A_built_assembly_is_loaded_in_its_own_context_and_graded()
    {
        // Raft.Core.dll holds exactly one public node class, RaftNode: it goes through the student path.
        var (code, stdout, stderr) = RaftSim.Run("grade", "--lab", "1", "--node", Beside("Raft.Core.dll"), "--seeds", "2");
        Assert.That(code, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("Raft.Core.Node.RaftNode").And.Contain("initial-election").And.Contain("100%").And.Contain("PASSED"));
    }

    [Test]
    public void A_failing_seed_exits_1_with_its_seed_property_trace_rerun_command_and_viewer_page()
    {
        var folder = Directory.CreateTempSubdirectory("raft-grade-html-");
        try
        {
            var (code, stdout, stderr) = RaftSim.Run("grade", "--lab", "1", "--bug", "leader-ignores-higher-term", "--test", "reelection-after-disconnect", "--seed", "1", "--html", folder.FullName);
            Assert.That(code, Is.EqualTo(1), stdout + stderr);
            Assert.That(stdout, Does.Contain("FAILED reelection-after-disconnect").And.Contain("first failing seed 1").And.Contain("last events").And.Contain("isolate"));
            Assert.That(stdout, Does.Contain("grade --lab 1 --bug leader-ignores-higher-term --test reelection-after-disconnect --seed 1"));
            Assert.That(Directory.GetFiles(folder.FullName, "*.html"), Has.Length.EqualTo(1));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
