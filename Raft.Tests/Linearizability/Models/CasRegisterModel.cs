using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability.Models;

/// <summary>
/// Named integer registers, each starting at 0, with read, write and compare-and-set. Registers are
/// independent, so each is its own partition.
/// </summary>
public sealed class CasRegisterModel : ILinearizabilityModel<CasRegisterModel.Op, CasRegisterModel.Reply, int>
{
    public enum Kind { Read, Write, Cas }

    /// <summary>One call: read, write <see cref="Value"/>, or set <see cref="Value"/> if the register holds <see cref="Expected"/>.</summary>
    public sealed record Op(string Register, Kind Kind, int Value = 0, int Expected = 0)
    {
        public override string ToString() => Kind switch
        {
            Kind.Read => $"read {Register}",
            Kind.Write => $"write {Register}={Value}",
            _ => $"cas {Register} {Expected}->{Value}",
        };
    }

    /// <summary>Whether the call succeeded (a compare-and-set may fail) and the value it left.</summary>
    public sealed record Reply(bool Ok, int Value)
    {
        public override string ToString() => $"{(Ok ? "ok" : "fail")} {Value}";
    }

    public int Init() => 0;

    public string Partition(Op input) => input.Register;

    public (bool Ok, int State) Step(int state, Op input, Reply? output)
    {
        var (reply, next) = Apply(state, input);
        return (output is null || output == reply, next);
    }

    public static (Reply Reply, int State) Apply(int state, Op op) => op.Kind switch
    {
        Kind.Read => (new Reply(true, state), state),
        Kind.Write => (new Reply(true, op.Value), op.Value),
        _ => state == op.Expected ? (new Reply(true, op.Value), op.Value) : (new Reply(false, state), state),
    };
}
