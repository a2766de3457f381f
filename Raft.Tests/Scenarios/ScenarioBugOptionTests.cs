using Raft.Tests.Simulation;

namespace Raft.Tests.Scenarios;

/// <summary><c>raft-sim run FILE --bug NAME</c> and <c>step ... --bug NAME</c>: watch a story go wrong on a broken core without editing the file.</summary>
public sealed class ScenarioBugOptionTests
{
    private static string Figure8 => Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "scenarios", "paper", "figure8.scn"));

    [Test]
    public void Figure_8_goes_wrong_under_the_bug_it_teaches_and_right_without_it()
    {
        var (broken, stdout, stderr) = RaftSim.Run("run", Figure8, "--bug", "commit-old-term-by-counting");
        Assert.That(broken, Is.EqualTo(1), stdout);
        Assert.That(stdout, Does.Contain("on a broken core: --bug commit-old-term-by-counting"));
        Assert.That(stderr, Does.Contain("figure8.scn:").And.Contain("expected commit index 0"));

        var (stepped, _, stepErr) = RaftSim.Run("step", Figure8, "--bug", "commit-old-term-by-counting");
        Assert.That(stepped, Is.EqualTo(1), "step prints like run when its output is redirected");
        Assert.That(stepErr, Does.Contain("expected commit index 0"));

        Assert.That(RaftSim.Run("run", Figure8).Code, Is.Zero);
        Assert.That(RaftSim.Run("run", Figure8, "--bug", "none").Code, Is.Zero);
    }

    [Test]
    public void An_unknown_bug_is_a_usage_error()
    {
        var (code, _, stderr) = RaftSim.Run("run", Figure8, "--bug", "no-such-bug");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("unknown bug 'no-such-bug'").And.Contain("Usage"));
    }
}
