namespace Raft.Core.Inputs;

/// <summary>
/// Start an election now, as if the election timeout had fired. Scripted runs and scenarios use it
/// to make elections happen without depending on random timeouts.
/// </summary>
public sealed record Campaign : Input
{
    public static Campaign Instance { get; } = new();

    public override string ToString() => "campaign";
}
