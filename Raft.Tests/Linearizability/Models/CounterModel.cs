using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability.Models;

/// <summary>
/// One shared counter starting at 0: <c>add n</c> returns the value after adding (fetch-and-add),
/// <c>read</c> returns the value. One partition: every call touches the same counter.
/// </summary>
public sealed class CounterModel : ILinearizabilityModel<CounterModel.Op, CounterModel.Reply, long>
{
    /// <summary>Add <see cref="Amount"/> (a read when <see cref="IsRead"/>).</summary>
    public sealed record Op(bool IsRead, long Amount = 0)
    {
        public static Op Read { get; } = new(true);

        public static Op Add(long amount) => new(false, amount);

        public override string ToString() => IsRead ? "read" : $"add {Amount}";
    }

    /// <summary>The counter's value after the call.</summary>
    public sealed record Reply(long Value)
    {
        public override string ToString() => $"{Value}";
    }

    public long Init() => 0;

    public string Partition(Op input) => "counter";

    public (bool Ok, long State) Step(long state, Op input, Reply? output)
    {
        var (reply, next) = Apply(state, input);
        return (output is null || output == reply, next);
    }

    public static (Reply Reply, long State) Apply(long state, Op op)
    {
        var next = op.IsRead ? state : state + op.Amount;
        return (new Reply(next), next);
    }
}
