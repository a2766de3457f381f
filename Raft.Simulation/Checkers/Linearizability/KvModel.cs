using Raft.Core.StateMachine;

namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// The key-value store as a sequential object, one key at a time. The state is the key's value
/// (null when absent). It restates <see cref="KvStateMachine"/>'s semantics on purpose, without
/// client sessions: a checker should not trust the code it checks.
/// </summary>
public sealed class KvModel : ILinearizabilityModel<KvCommand, KvResult, string?>
{
    public string? Init() => null;

    public string Partition(KvCommand input) => input.Key;

    /// <remarks>
    /// <see cref="Apply"/> without building the answer: the search calls this millions of times, so
    /// it compares the given answer with what <see cref="Apply"/> would answer field by field.
    /// </remarks>
    public (bool Ok, string? State) Step(string? state, KvCommand input, KvResult? output) => input.Operation switch
    {
        KvOperation.Get => (output is null || (output.Ok && output.Value == state), state),
        KvOperation.Put => Set(output, input.Value ?? ""),
        KvOperation.Append => Set(output, (state ?? "") + input.Value),
        KvOperation.CompareAndSet => state == input.Expected
            ? Set(output, input.Value ?? "")
            : (output is null || (!output.Ok && output.Value == state), state),
        _ => throw new InvalidOperationException($"unknown operation {input.Operation}"),
    };

    /// <summary>A write of <paramref name="value"/>, whose answer is (ok, <paramref name="value"/>).</summary>
    private static (bool Ok, string? State) Set(KvResult? output, string value) =>
        (output is null || (output.Ok && output.Value == value), value);

    /// <summary>The answer the store gives and the value it leaves, for one command on one key.</summary>
    public static (KvResult Result, string? Value) Apply(string? value, KvCommand command) => command.Operation switch
    {
        KvOperation.Get => (new KvResult(true, value), value),
        KvOperation.Put => Set(command.Value ?? ""),
        KvOperation.Append => Set((value ?? "") + command.Value),
        KvOperation.CompareAndSet => value == command.Expected
            ? Set(command.Value ?? "")
            : (new KvResult(false, value), value),
        _ => throw new InvalidOperationException($"unknown operation {command.Operation}"),
    };

    private static (KvResult Result, string? Value) Set(string value) => (new KvResult(true, value), value);
}
