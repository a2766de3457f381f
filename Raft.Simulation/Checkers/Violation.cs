namespace Raft.Simulation.Checkers;

/// <summary>A property found broken, when and where.</summary>
public sealed record Violation(Property Property, long TimeMicros, string Node, string Message)
{
    public override string ToString() => $"{Property} violated at {Tracing.TraceEvent.FormatTime(TimeMicros)} on {Node}: {Message}";
}
