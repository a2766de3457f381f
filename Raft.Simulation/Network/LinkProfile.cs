namespace Raft.Simulation.Network;

/// <summary>How a network link behaves: latency uniform in [Min, Max] microseconds, plus faults.</summary>
public sealed record LinkProfile
{
    public long MinLatencyMicros { get; init; } = 1_000;

    public long MaxLatencyMicros { get; init; } = 5_000;

    /// <summary>Probability that a message is lost.</summary>
    public double LossRate { get; init; }

    /// <summary>Probability that a message is delivered twice.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Probability that a message is held back by an extra delay, so later messages overtake it.</summary>
    public double ReorderRate { get; init; }

    /// <summary>The extra delay of a reordered message, in microseconds (uniform up to this).</summary>
    public long ReorderDelayMicros { get; init; } = 20_000;

    /// <summary>
    /// Probability that a message is held for a long time (uniform in [<see cref="LongDelayMinMicros"/>,
    /// <see cref="LongDelayMaxMicros"/>]), as MIT 6.5840's unreliable network holds some replies for
    /// 200 ms to 2.2 s: an AppendEntries or a vote of an old term arrives long after the cluster moved
    /// on. 0 (the default) turns it off, and then the network draws nothing for it.
    /// </summary>
    public double LongDelayRate { get; init; }

    public long LongDelayMinMicros { get; init; } = 200_000;

    public long LongDelayMaxMicros { get; init; } = 2_200_000;

    public static LinkProfile Reliable { get; } = new();

    public static LinkProfile Unreliable { get; } = new()
    {
        MaxLatencyMicros = 10_000, LossRate = 0.05, DuplicateRate = 0.03, ReorderRate = 0.05,
    };

    public override string ToString() =>
        $"latency {MinLatencyMicros / 1000.0}-{MaxLatencyMicros / 1000.0}ms loss {LossRate:P0} dup {DuplicateRate:P0} reorder {ReorderRate:P0}"
        + (LongDelayRate > 0 ? $" long-delay {LongDelayRate:P0} of {LongDelayMinMicros / 1000.0}-{LongDelayMaxMicros / 1000.0}ms" : "");
}
