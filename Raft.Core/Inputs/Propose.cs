namespace Raft.Core.Inputs;

/// <summary>A client asks the node to append a command to the log (only a leader accepts).</summary>
public sealed record Propose(byte[] Command) : Input
{
    public override string ToString() => $"propose {Command.Length} bytes";
}
