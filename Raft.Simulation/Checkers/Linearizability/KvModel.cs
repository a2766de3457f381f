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

    public (bool Ok, string? State) Step(string? state, KvCommand input, KvResult? output)
    {
        var (result, next) = Apply(state, input);
        return (output is null || output == result, next);
    }

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
