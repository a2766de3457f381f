using System.Globalization;

namespace Raft.Net.Shaping;

/// <summary>
/// What one shaper has done so far. <see cref="Reordered"/> counts packets let through while a packet
/// that arrived before them was still held (by <c>--reorder</c> or by jitter); <see cref="Overflowed"/>
/// those let through at once because <see cref="ShapingSchedule.MaxHeld"/> packets were held already.
/// </summary>
public readonly record struct ShaperCounters(long Packets, long Delayed, long Duplicated, long Reordered, long Overflowed, long DuplicatesFailed)
{
    private const string Tag = "shaper-counters";

    public static ShaperCounters operator +(ShaperCounters a, ShaperCounters b) => new(
        a.Packets + b.Packets, a.Delayed + b.Delayed, a.Duplicated + b.Duplicated, a.Reordered + b.Reordered,
        a.Overflowed + b.Overflowed, a.DuplicatesFailed + b.DuplicatesFailed);

    /// <summary>The line a shaper prints on its standard output.</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Tag} packets={Packets} delayed={Delayed} duplicated={Duplicated} reordered={Reordered} overflowed={Overflowed} duplicates-failed={DuplicatesFailed}");

    /// <summary>Reads a line written by <see cref="ToLine"/>; null for any other line.</summary>
    public static ShaperCounters? Parse(string line)
    {
        var words = line.Split(' ');
        if (words.Length != 7 || words[0] != Tag) return null;
        var values = new long[6];
        for (var i = 0; i < 6; i++)
        {
            var pair = words[i + 1].Split('=');
            if (pair.Length != 2 || !long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out values[i])) return null;
        }
        return new ShaperCounters(values[0], values[1], values[2], values[3], values[4], values[5]);
    }

    public override string ToString() =>
        $"{Packets} packets: {Delayed} delayed, {Duplicated} duplicated, {Reordered} reordered" +
        (Overflowed > 0 ? $", {Overflowed} let through unshaped (too many held)" : "") +
        (DuplicatesFailed > 0 ? $", {DuplicatesFailed} copies the raw socket refused" : "");
}
