namespace Raft.Tests.Simulation;

/// <summary>A violation report says where every server stood, so that "both leaders of term T" can be read without the full trace.</summary>
public sealed class ViolationReportTests
{
    [Test]
    public void Explore_shows_each_server_s_role_and_term_at_the_violation()
    {
        var (code, stdout, _) = RaftSim.Run("explore", "--seeds", "5", "--nodes", "5", "--faults", "partitions", "--bug", "leader-ignores-higher-term");

        Assert.That(code, Is.EqualTo(1), stdout);
        var report = stdout[stdout.IndexOf("Servers at the violation:", StringComparison.Ordinal)..].Split('\n').Skip(1).Take(5).ToArray();
        Assert.That(report, Has.Length.EqualTo(5));
        for (var i = 0; i < 5; i++) Assert.That(report[i], Does.StartWith($"  n{i + 1} ").And.Contain(" term "));
        // Which property the first failing seed breaks is the seed's business, not this test's; what
        // the table must show is each server's role, and two leaders when Election Safety is what broke.
        Assert.That(report, Has.All.Match(@"^  n\d+ +\S+ +(leader|follower|candidate|precandidate) "), "each line names the server's role");
        var leaders = report.Count(line => line.Contains(" leader ", StringComparison.Ordinal));
        if (stdout.Contains("ElectionSafety violated", StringComparison.Ordinal)) Assert.That(leaders, Is.GreaterThanOrEqualTo(2), "the two leaders of the violated term");
    }
}
