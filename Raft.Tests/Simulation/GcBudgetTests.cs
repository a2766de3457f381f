using Raft.Simulation.Cli;

namespace Raft.Tests.Simulation;

/// <summary>
/// explore and bench run themselves again with a 16 MB gen0 budget (<see cref="GcBudget"/>); the
/// child's output and exit code are the command's.
/// </summary>
public sealed class GcBudgetTests
{
    [TestCase("explore", ExpectedResult = true)]
    [TestCase("bench", ExpectedResult = true)]
    [TestCase("replay", ExpectedResult = false)]
    [TestCase("run", ExpectedResult = false)]
    public bool Only_the_commands_that_run_many_seeds_want_the_budget(string command) => GcBudget.Wants([command, "--seeds", "3"]);

    [Test]
    public void Help_and_an_empty_command_line_run_in_this_process()
    {
        Assert.That(GcBudget.Wants(["explore", "--help"]), Is.False);
        Assert.That(GcBudget.Wants([]), Is.False);
    }

    [Test]
    public void Bench_runs_with_the_budget_when_it_is_not_set()
    {
        Assume.That(Environment.GetEnvironmentVariable(GcBudget.Variable), Is.Null, "the test process must not have the budget set already");

        var (code, stdout, stderr) = RaftSim.Run("bench", "--seeds", "1");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain($"{GcBudget.Variable} {GcBudget.Budget}"), "bench prints the budget it ran with");
    }

    [Test]
    public void The_childs_exit_code_and_error_output_are_the_commands()
    {
        var (code, _, stderr) = RaftSim.Run("explore", "--seeds", "1", "--bug", "no-such");

        Assert.That(code, Is.EqualTo(RaftSimCli.UsageExitCode));
        Assert.That(stderr, Does.Contain("unknown teaching bug 'no-such'"));
    }
}
