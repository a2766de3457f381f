namespace Raft.Net.Fuzz;

/// <summary>What <see cref="FuzzRun"/> does: how many frames, in what bursts, and how long the cluster may take to serve again.</summary>
public sealed record FuzzRunOptions
{
    /// <summary>Frames to send in all (the long mode: 1,000,000 or more).</summary>
    public long Frames { get; init; } = 100_000;

    /// <summary>Seeds the frame generator and the nodes' timeouts.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Frames per burst; between bursts the cluster must serve a write.</summary>
    public int BurstFrames { get; init; } = 4_000;

    /// <summary>The share of each burst, at its end, in which frames may carry terms above the target's (so it keeps its role for the rest).</summary>
    public double RaiseTermShare { get; init; } = 0.1;

    /// <summary>After a burst, the cluster must answer a write within this time.</summary>
    public TimeSpan ServeWithin { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The nodes' tick.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Where the nodes keep their data; a temporary directory (deleted if the run passes) by default.</summary>
    public string? DataRoot { get; init; }
}
