namespace Raft.Simulation.Cli;

/// <summary>
/// A span of virtual time given on the command line (<c>10s</c>, <c>500ms</c>, <c>2m</c>,
/// <c>100us</c>). It prints the way it is written, so the default that <c>--help</c> shows is one
/// that <c>--duration</c> accepts.
/// </summary>
public readonly record struct VirtualDuration(long Micros)
{
    public override string ToString() => RunOptionSet.FormatDuration(Micros);
}
