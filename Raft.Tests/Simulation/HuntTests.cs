using Raft.Core;
using Raft.Simulation.Cli;

namespace Raft.Tests.Simulation;

/// <summary>
/// Bug hunts with hidden bugs: <c>--mystery N</c> runs a teaching bug without naming it anywhere
/// a student reads, <c>hunt verify</c> accepts only a story that passes on the correct core and
/// fails under the bug, and <c>hunt reveal</c> names it.
/// </summary>
public sealed class HuntTests
{
    // Mystery 5 breaks the election restriction (checked below through reveal, not assumed).
    private const string Answer = "cluster nodes=3\nlog n1 term=1 1 1 commit=2\nlog n2 term=1 1 1\nlog n3 term=1 1\ncampaign n3\ndeliver all\nexpect safety\n";

    private static string Write(string name, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hunt-{Environment.ProcessId}-{name}.scn");
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void Every_bug_has_one_number_and_reveal_names_it()
    {
        var numbers = Enum.GetValues<TeachingBug>().Where(b => b != TeachingBug.None).Select(MysteryBugs.NumberOf).ToList();
        Assert.That(numbers, Is.EquivalentTo(Enumerable.Range(1, MysteryBugs.Count)), "every teaching bug, each once");
        var (code, stdout, _) = RaftSim.Run("hunt", "reveal", "5");
        Assert.That(code, Is.Zero);
        Assert.That(stdout, Does.Contain("vote-without-log-check"));
    }

    [Test]
    public void An_explore_under_a_mystery_bug_never_prints_its_name()
    {
        var (code, stdout, stderr) = RaftSim.Run("explore", "--seeds", "3", "--nodes", "5", "--faults", "partitions", "--mystery", "5", "--jobs", "1", "--shrink-budget", "10");
        Assert.That(code, Is.EqualTo(1), stdout);
        Assert.That(stdout, Does.Contain("mystery bug 5").And.Contain("--mystery 5"));
        Assert.That(stdout + stderr, Does.Not.Contain("vote-without-log-check").And.Not.Contain("VoteWithoutLogCheck"));
    }

    [Test]
    public void Verify_accepts_a_story_that_passes_on_the_correct_core_and_fails_under_the_bug()
    {
        var (code, stdout, _) = RaftSim.Run("hunt", "verify", "5", Write("good", Answer));
        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.StartWith("accepted"));
    }

    [Test]
    public void Verify_refuses_a_story_the_bug_does_not_break_one_the_correct_core_fails_and_one_that_names_a_bug()
    {
        var (harmless, out1, _) = RaftSim.Run("hunt", "verify", "5", Write("harmless", "cluster nodes=3\ncampaign n1\ndeliver all\nexpect role n1 leader\n"));
        Assert.That(harmless, Is.EqualTo(1));
        Assert.That(out1, Does.Contain("passes under mystery bug 5 as well"));

        var (wrong, out2, _) = RaftSim.Run("hunt", "verify", "5", Write("wrong", "cluster nodes=3\ncampaign n1\nexpect role n1 leader\n"));
        Assert.That(wrong, Is.EqualTo(1));
        Assert.That(out2, Does.Contain("fails on the correct core too"));

        var (named, out3, _) = RaftSim.Run("hunt", "verify", "5", Write("named", "cluster nodes=3 bug=vote-without-log-check\n" + Answer["cluster nodes=3\n".Length..]));
        Assert.That(named, Is.EqualTo(1));
        Assert.That(out3, Does.Contain("names a bug of its own"));
    }

    [Test]
    public void Bad_numbers_files_and_mixes_are_usage_errors()
    {
        Assert.That(RaftSim.Run("hunt", "verify", "99", Write("x", Answer)).Code, Is.EqualTo(2));
        Assert.That(RaftSim.Run("hunt", "verify", "5", "/no/such/answer.scn").Code, Is.EqualTo(2));
        Assert.That(RaftSim.Run("hunt", "verify", "5", Write("bad", "cluster nodes=3\nfrobnicate\n")).Code, Is.EqualTo(2), "a story that does not parse is a bad file, not a wrong answer");
        var (mixed, _, stderr) = RaftSim.Run("replay", "--seed", "1", "--mystery", "5", "--bug", "apply-before-commit", "--summary-only");
        Assert.That(mixed, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--mystery and --bug do not go together"));
        Assert.That(RaftSim.Run("replay", "--seed", "1", "--mystery", "0", "--summary-only").Code, Is.EqualTo(2));
    }
}
