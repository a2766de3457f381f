using System.CommandLine;

namespace Raft.Simulation.Cli;

/// <summary>
/// Runs a parsed command of <c>raft-sim</c> or <c>raft-net</c> so that an exception of the tool's
/// own (a bug, or running out of memory) ends with <see cref="InternalErrorExitCode"/> and says
/// that the run reached no verdict. Left to System.CommandLine it would end with 1, the code of a
/// violation or a failed check: a checker that crashed must not read as a checker that found a bug.
/// </summary>
public static class CommandInvocation
{
    /// <summary>The command stopped on an error of its own: no verdict, neither pass nor violation.</summary>
    public const int InternalErrorExitCode = 4;

    public static int Invoke(ParseResult parse, string tool) =>
        Run(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }), tool, Console.Error);

    public static int Run(Func<int> command, string tool, TextWriter error)
    {
        try
        {
            return command();
        }
        catch (Exception e)
        {
            var cause = e is AggregateException many ? many.Flatten().InnerExceptions[0] : e; // from a parallel loop
            error.WriteLine($"{tool}: stopped on an error of its own, so this run has no verdict (exit code {InternalErrorExitCode}): {cause.GetType().Name}: {cause.Message}");
            if (cause is OutOfMemoryException)
                error.WriteLine($"{tool}: out of memory: run it again with more memory (docs/bounds.md says what the checks hold)");
            error.WriteLine(e);
            return InternalErrorExitCode;
        }
    }
}
