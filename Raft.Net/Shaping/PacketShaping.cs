using System.Globalization;

namespace Raft.Net.Shaping;

/// <summary>
/// What a <see cref="PacketShaper"/> does to the IP packets a node sends to its peers: hold each for
/// <see cref="Delay"/> plus or minus up to <see cref="Jitter"/> (uniform), send a copy of a fraction
/// <see cref="Duplicate"/> of them, and let a fraction <see cref="Reorder"/> go at once, ahead of the
/// packets still held. Jitter wider than the gap between two packets reorders them too.
/// </summary>
public sealed record PacketShaping
{
    /// <summary>The most delay (and delay plus jitter) offered: a limit on how many packets a shaper holds at once.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    public TimeSpan Delay { get; init; }

    /// <summary>Each packet's delay is drawn uniformly from Delay - Jitter to Delay + Jitter; at most <see cref="Delay"/>.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>The probability that a packet is sent twice.</summary>
    public double Duplicate { get; init; }

    /// <summary>The probability that a packet skips its delay and goes ahead of those held.</summary>
    public double Reorder { get; init; }

    /// <summary>Whether this shaping changes anything at all.</summary>
    public bool IsActive => Delay > TimeSpan.Zero || Duplicate > 0 || Reorder > 0;

    /// <summary>Why these values cannot be used, or null if they can.</summary>
    public string? Problem() =>
        Delay < TimeSpan.Zero || Delay > MaxDelay ? $"delay must be between 0 and {MaxDelay.TotalMilliseconds:0} ms"
        : Jitter < TimeSpan.Zero || Jitter > Delay ? "jitter must be between 0 and the delay (a packet's delay is delay ± jitter, never negative)"
        : Duplicate is < 0 or > 0.5 || double.IsNaN(Duplicate) ? "duplicate must be a probability between 0 and 0.5"
        : Reorder is < 0 or > 0.5 || double.IsNaN(Reorder) ? "reorder must be a probability between 0 and 0.5"
        : Reorder > 0 && Delay == TimeSpan.Zero ? "reorder needs a delay: a packet is reordered by going ahead of packets still held"
        : null;

    /// <summary>The <c>raft-net shaper</c> options that ask for this shaping.</summary>
    public IEnumerable<string> Arguments() =>
    [
        "--delay", Millis(Delay), "--jitter", Millis(Jitter),
        "--duplicate", Duplicate.ToString("R", CultureInfo.InvariantCulture), "--reorder", Reorder.ToString("R", CultureInfo.InvariantCulture),
    ];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"delay {Delay.TotalMilliseconds:0.###} ms ± {Jitter.TotalMilliseconds:0.###} ms, duplicate {Duplicate:0.####}, reorder {Reorder:0.####}");

    private static string Millis(TimeSpan span) => span.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture) + "ms";
}
