using System.CommandLine;
using System.CommandLine.Parsing;

namespace Raft.Simulation.Cli;

/// <summary>
/// Rules on option values, checked while parsing so that a value out of range is a usage error
/// (exit 2). They read values through <see cref="TryGetValue{T}(SymbolResult, Option{T}, out T)"/>:
/// System.CommandLine runs validators even when an option's text did not parse (<c>--seeds many</c>),
/// and reading that value throws (dotnet/command-line-api#2645); the parser reports that error itself.
/// </summary>
public static class OptionRule
{
    /// <summary>Adds the rule that the option's value satisfies <paramref name="holds"/>, else the error <paramref name="problem"/>.</summary>
    public static void Require<T>(this Option<T> option, Func<T, bool> holds, string problem) =>
        option.Validators.Add(result =>
        {
            if (TryRead(result.GetValueOrDefault<T>, out var value) && !holds(value)) result.AddError(problem);
        });

    /// <summary>The value of <paramref name="option"/>, or false when its text did not parse.</summary>
    public static bool TryGetValue<T>(this SymbolResult result, Option<T> option, out T value) =>
        TryRead(() => result.GetValue(option)!, out value);

    private static bool TryRead<T>(Func<T> read, out T value)
    {
        try
        {
            value = read();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }
}
