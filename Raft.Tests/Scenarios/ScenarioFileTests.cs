using Raft.Core;
using Raft.Simulation.Cli;
using Raft.Simulation.Scenarios;

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

    // PreVoteAdoptsTerm only matters with RaftOptions.PreVote, which the paper (§5) scenarios leave
    // off; its teeth are shown in Raft.Tests/Core/PreVoteTests.cs. ReadWithoutQuorumCheck only
    // matters for ReadIndex reads, which the paper scenarios do not make: see thesis/read-index.scn.
    private static IEnumerable<TeachingBug> Bugs() =>
        Enum.GetValues<TeachingBug>().Where(b => b is not (TeachingBug.None or TeachingBug.PreVoteAdoptsTerm or TeachingBug.ReadWithoutQuorumCheck));

    [Test]
    public void A_leader_reading_without_a_quorum_check_fails_the_linearizability_expectation_of_the_read_index_scenario()
    {
        var file = ScenarioParser.ParseFile(ScenarioFiles.PathOf(Path.Combine("thesis", "read-index.scn")));

        var run = ScenarioRun.Execute(file, TeachingBug.ReadWithoutQuorumCheck);

        Assert.That(run.Error?.Message, Does.Contain("not linearizable"));
        Assert.That(ScenarioRun.Execute(file, TeachingBug.None).Error, Is.Null);
    }

    /// <summary>
    /// Each teaching bug changes the story of at least one scenario of the paper or the thesis (the
    /// scenarios have teeth). The membership bugs (thesis §4) can only show in the thesis stories.
    /// </summary>
    [TestCaseSource(nameof(Bugs))]
    public void Every_teaching_bug_breaks_some_paper_scenario(TeachingBug bug)
    {
        var broken = ScenarioFiles.All().Where(f => f.StartsWith("paper", StringComparison.Ordinal) || f.StartsWith("thesis", StringComparison.Ordinal)).Where(f =>
        {
            var run = ScenarioRun.Execute(ScenarioParser.ParseFile(ScenarioFiles.PathOf(f)), bug);
            return run.Error is not null || run.Mismatches().Count > 0;
        }).ToList();
        Assert.That(broken, Is.Not.Empty);
    }

    [TestCase(TeachingBug.OverlappingMembershipChanges, "overlapping-membership-changes.scn")]
    [TestCase(TeachingBug.SnapshotForgetsConfiguration, "snapshot-keeps-membership.scn")]
    public void A_membership_bug_fails_the_safety_expectation_of_its_thesis_scenario(TeachingBug bug, string file)
    {
        var script = ScenarioParser.ParseFile(ScenarioFiles.PathOf(Path.Combine("thesis", file)));

        var run = ScenarioRun.Execute(script, bug);

        Assert.That(run.Error?.Message, Does.Contain("Election Safety"));
        Assert.That(ScenarioRun.Execute(script).Error, Is.Null, "as written: the correct core, then the file's own bug= story");
    }

    [Test]
    public void There_are_paper_scenarios_to_check() =>
        Assert.That(ScenarioFiles.All().Where(f => f.StartsWith("paper", StringComparison.Ordinal)).ToList(), Has.Count.GreaterThanOrEqualTo(4));
}
