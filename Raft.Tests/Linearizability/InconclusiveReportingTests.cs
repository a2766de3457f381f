using Raft.Core;
using Raft.Net.Cluster;
using Raft.Net.Parity;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Cli;
using Raft.Tests.Properties;
using Raft.Tests.Simulation;

namespace Raft.Tests.Linearizability;

/// <summary>
/// A linearizability search that runs out of budget decides nothing: explore, replay, the
/// properties and the real-cluster summary report such a run as inconclusive, apart from passes
/// and failures, with exit code 3.
/// </summary>
public sealed class InconclusiveReportingTests
{
    private static readonly LinearizabilityResult Linearizable = new(LinearizabilityOutcome.Linearizable, null, [], 12);
    private static readonly LinearizabilityResult GaveUp = new(LinearizabilityOutcome.Unknown, "k3", [], 500);

    [Test]
    public void A_run_whose_linearizability_search_gave_up_is_inconclusive_not_ok()
    {
        var passed = Run(1, Linearizable);
        var inconclusive = Run(2, GaveUp);
        var failed = Run(3, null, new Violation(Property.ElectionSafety, 5, "n1", "two leaders"));
        var notChecked = Run(4, null);

        Assert.That((passed.Ok, passed.Inconclusive), Is.EqualTo((true, false)));
        Assert.That((inconclusive.Ok, inconclusive.Inconclusive), Is.EqualTo((false, true)));
        Assert.That((failed.Ok, failed.Inconclusive), Is.EqualTo((false, false)));
        Assert.That((notChecked.Ok, notChecked.Inconclusive), Is.EqualTo((true, false)), "results built without a verdict keep their old meaning");
    }

    [Test]
    public void The_linearizability_budget_is_an_option_of_a_run_with_the_checker_default()
    {
        Assert.That(new SimulationOptions().LinearizabilityStepBudget, Is.EqualTo(LinearizabilityChecker.DefaultStepBudget));
        Assert.That(() => new SimulationOptions { LinearizabilityStepBudget = 0 }.Validate(), Throws.ArgumentException.With.Message.Contains("step budget"));
    }

    [Test]
    public void Explore_counts_inconclusive_seeds_apart_and_exits_3_when_nothing_failed()
    {
        var (code, text) = Summarize(Run(1, Linearizable), Run(2, GaveUp), Run(3, GaveUp));

        Assert.That(code, Is.EqualTo(3), text);
        Assert.That(text, Does.Contain("violations       0").And.Contain("inconclusive     2 (linearizability search budget spent; not passed)"));
        Assert.That(text, Does.Contain("INCONCLUSIVE").And.Contain("2, 3").And.Contain("gave up on key \"k3\" after 500 search steps over all keys (budget 10000000 per key)"));
        Assert.That(text, Does.Contain("replay --seed 2 ").And.Contain("--lin-budget 100000000"));
        Assert.That(text, Does.Not.Contain("No violation."));
    }

    [Test]
    public void Explore_exits_1_on_a_violation_whatever_else_was_inconclusive_and_0_when_all_passed()
    {
        var (failed, text) = Summarize(Run(1, GaveUp), Run(2, null, new Violation(Property.Linearizability, 9, "-", "no legal order")));
        Assert.That(failed, Is.EqualTo(1), text);
        Assert.That(text, Does.Contain("violations       1").And.Contain("inconclusive     1").And.Contain("FIRST VIOLATION: seed 2"));

        var (passed, clean) = Summarize(Run(1, Linearizable), Run(2, Linearizable));
        Assert.That(passed, Is.Zero, clean);
        Assert.That(clean, Does.Contain("inconclusive     0").And.Contain("No violation."));
    }

    [Test]
    public void Replay_says_inconclusive_and_exits_3()
    {
        Assert.That(ReplayCommand.ExitCode(Run(1, GaveUp)), Is.EqualTo(3));
        Assert.That(ReplayCommand.Outcome(Run(1, GaveUp)), Does.StartWith("outcome          INCONCLUSIVE").And.Contain("k3").And.Contain("--lin-budget"));
        Assert.That(ReplayCommand.ExitCode(Run(1, Linearizable)), Is.Zero);
        Assert.That(ReplayCommand.ExitCode(Run(1, GaveUp, new Violation(Property.Liveness, 1, "-", "stuck"))), Is.EqualTo(1));
    }

    [Test]
    public void The_replay_command_carries_a_non_default_budget()
    {
        var options = new SimulationOptions { Seed = 4 };

        Assert.That(ExploreCommand.ReplayCommand(options), Does.Not.Contain("--lin-budget"));
        Assert.That(ExploreCommand.ReplayCommand(options with { LinearizabilityStepBudget = 5000 }), Does.EndWith(" --lin-budget 5000"));
    }

    [Test]
    public void A_starved_budget_makes_real_seeds_inconclusive_end_to_end()
    {
        var (explore, summary, _) = RaftSim.Run("explore", "--seeds", "2", "--duration", "1s", "--faults", "none", "--lin-budget", "5", "--jobs", "1");
        var (replay, outcome, _) = RaftSim.Run("replay", "--seed", "1", "--duration", "1s", "--faults", "none", "--lin-budget", "5", "--summary-only");
        var (enough, _, _) = RaftSim.Run("replay", "--seed", "1", "--duration", "1s", "--faults", "none", "--summary-only");

        Assert.That(explore, Is.EqualTo(3), summary);
        Assert.That(summary, Does.Contain("violations       0").And.Contain("inconclusive     2").And.Contain("--lin-budget 50"));
        Assert.That(replay, Is.EqualTo(3), outcome);
        Assert.That(outcome, Does.Contain("outcome          INCONCLUSIVE"));
        Assert.That(enough, Is.Zero, "the default budget decides the same run");
    }

    [TestCase("explore", "--lin-budget", "0")]
    [TestCase("replay", "--seed", "1", "--lin-budget", "lots")]
    public void A_bad_budget_is_a_usage_error(params string[] args)
    {
        var (code, _, stderr) = RaftSim.Run(args);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("raft-sim:"));
    }

    [TestCase("explore")]
    [TestCase("replay")]
    public void The_help_documents_the_budget_and_the_inconclusive_exit_code(string command)
    {
        var (code, stdout, _) = RaftSim.Run(command, "--help");

        Assert.That(code, Is.Zero);
        Assert.That(stdout, Does.Contain("--lin-budget").And.Contain("3: ").And.Contain("inconclusive"));
    }

    [Test]
    public void The_cluster_command_takes_the_budget_and_documents_exit_code_3()
    {
        var (bad, _, stderr) = RaftSim.RunDll("raft-net.dll", ["cluster", "--lin-budget", "0"]);
        var (help, stdout, _) = RaftSim.RunDll("raft-net.dll", ["cluster", "--help"]);

        Assert.That(bad, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("--lin-budget"));
        Assert.That(help, Is.Zero);
        Assert.That(stdout, Does.Contain("--lin-budget").And.Contain("3: inconclusive"));
    }

    [Test]
    public void A_property_that_rests_on_linearizability_is_inconclusive_when_a_case_gave_up()
    {
        var cases = SimulationCaseGenerators.Cases();
        var verdict = PropertyRunner.Evaluate(cases, (_, result) => result.Violation is null, runs: 5,
            run: c => Run(c.Seed, c.Seed % 2 == 0 ? GaveUp : Linearizable) with { Seed = c.Seed });
        var allDecided = PropertyRunner.Evaluate(cases, (_, result) => result.Violation is null, runs: 5, run: c => Run(c.Seed, Linearizable));

        Assert.That(verdict.Counterexample, Is.Null);
        Assert.That(verdict.Inconclusive, Is.Not.Empty);
        Assert.That(verdict.InconclusiveReport(5), Does.StartWith("INCONCLUSIVE: no counterexample, but").And.Contain("--lin-budget 100000000"));
        Assert.That(allDecided.InconclusiveReport(5), Is.Null);
        Assert.That(PropertyRunner.Outcome(Run(1, GaveUp)), Does.StartWith("INCONCLUSIVE"));
    }

    [Test]
    public void The_cluster_summary_is_inconclusive_with_exit_code_3_only_when_nothing_failed()
    {
        var inconclusive = Summary(GaveUp, lostWrites: 0);
        var alsoFailed = Summary(GaveUp, lostWrites: 2);
        var passed = Summary(Linearizable, lostWrites: 0);

        Assert.That((inconclusive.Ok, inconclusive.Inconclusive, inconclusive.ExitCode), Is.EqualTo((false, true, 3)));
        Assert.That(inconclusive.Render(), Does.Contain("INCONCLUSIVE: the search gave up on key k3 after 500 search steps over all keys (raise --lin-budget)"));
        Assert.That(inconclusive.Render(), Does.EndWith("INCONCLUSIVE: no check failed, but linearizability was not decided\n"));
        Assert.That((alsoFailed.Ok, alsoFailed.Inconclusive, alsoFailed.ExitCode), Is.EqualTo((false, false, 1)));
        Assert.That(alsoFailed.Render(), Does.EndWith("FAILED\n"));
        Assert.That((passed.Ok, passed.ExitCode), Is.EqualTo((true, 0)));
        Assert.That(new ClusterRunOptions().LinearizabilityStepBudget, Is.EqualTo(LinearizabilityChecker.DefaultStepBudget));
    }

    private static SimulationResult Run(ulong seed, LinearizabilityResult? linearizability, Violation? violation = null) =>
        new(seed, "digest", violation, 1_000_000, 1, 10, 100, 0, 20, [], [], Linearizability: linearizability);

    private static (int Code, string Text) Summarize(params SimulationResult[] results)
    {
        using var output = new StringWriter();
        var code = ExploreCommand.Summarize(results, TimeSpan.FromSeconds(1), seed => new SimulationOptions { Seed = seed }, output);
        return (code, output.ToString());
    }

    private static ClusterRunSummary Summary(LinearizabilityResult linearizability, int lostWrites)
    {
        var replay = new RealRunChecker.Report(3, 100, 0, null, null, 1, [], new Dictionary<NodeId, (long, ulong)>(), new HashSet<(long, long)>());
        return new ClusterRunSummary(10, 0, 1, 1, 2, 0, 0, [], replay, linearizability, lostWrites, 50, "/tmp/x", []);
    }
}
