using Raft.Simulation.Cli;

namespace Raft.Tests.Scenarios;

/// <summary>Every scenario file's story still holds: each command prints exactly its expected block.</summary>
public sealed class ScenarioFileTests
{
    private static IEnumerable<string> Files() => ScenarioFiles.All();

    [TestCaseSource(nameof(Files))]
    public void Scenario_output_matches_its_expected_blocks(string file)
    {
        var output = new StringWriter();
        var code = ScenarioCommands.Check([ScenarioFiles.PathOf(file)], rewrite: false, output);
        Assert.That(code, Is.Zero, output.ToString());
    }

    [Test]
    public void There_are_paper_scenarios_to_check() =>
        Assert.That(ScenarioFiles.All().Where(f => f.StartsWith("paper", StringComparison.Ordinal)).ToList(), Has.Count.GreaterThanOrEqualTo(4));
}
