using Raft.Simulation.Cli;

namespace Raft.Tests.Simulation;

/// <summary>A command that crashes reaches no verdict: it must not end with the exit code of a violation.</summary>
public sealed class CommandInvocationTests
{
    [Test]
    public void A_command_that_runs_to_its_end_keeps_its_own_exit_code()
    {
        var error = new StringWriter();

        Assert.That(CommandInvocation.Run(() => 1, "raft-net", error), Is.EqualTo(1), "a failed check stays a failed check");
        Assert.That(CommandInvocation.Run(() => 3, "raft-net", error), Is.EqualTo(3));
        Assert.That(error.ToString(), Is.Empty);
    }

    [Test]
    public void Running_out_of_memory_in_a_parallel_check_ends_with_no_verdict_and_says_why()
    {
        var error = new StringWriter();

#pragma warning disable CA2201 // the test throws what the runtime would, as Parallel.For hands it on
        var code = CommandInvocation.Run(() => throw new AggregateException(new OutOfMemoryException()), "raft-net", error);
#pragma warning restore CA2201

        Assert.That(code, Is.EqualTo(CommandInvocation.InternalErrorExitCode));
        Assert.That(code, Is.Not.EqualTo(1).And.Not.EqualTo(3), "neither a violation nor an inconclusive search");
        Assert.That(error.ToString(), Does.StartWith("raft-net: stopped on an error of its own, so this run has no verdict (exit code 4): OutOfMemoryException"));
        Assert.That(error.ToString(), Does.Contain("raft-net: out of memory"));
    }

    [Test]
    public void A_bug_in_the_tool_ends_with_no_verdict_and_its_stack_trace()
    {
        var error = new StringWriter();

        string? missing = null;
        var code = CommandInvocation.Run(() => missing!.Length, "raft-sim", error); // a real null dereference

        Assert.That(code, Is.EqualTo(CommandInvocation.InternalErrorExitCode));
        Assert.That(error.ToString(), Does.Contain("NullReferenceException: Object reference not set"));
        Assert.That(error.ToString(), Does.Contain(nameof(A_bug_in_the_tool_ends_with_no_verdict_and_its_stack_trace)), "the trace, for the bug report");
        Assert.That(error.ToString(), Does.Not.Contain("out of memory"));
    }
}
