namespace Raft.Core.Inputs;

/// <summary>One unit of logical time has passed.</summary>
public sealed record Tick : Input
{
    public static Tick Instance { get; } = new();

    public override string ToString() => "tick";
}
