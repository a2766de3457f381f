using System.Globalization;
using System.Text;

namespace Raft.Simulation.Tracing;

/// <summary>One thing that happened in a run, at a virtual time in microseconds.</summary>
public sealed record TraceEvent(long TimeMicros, TraceKind Kind, string Node, string Detail)
{
    /// <summary>The stable text form: <c>   12.345ms n1   send     RequestVote#...</c>.</summary>
    public string ToText() =>
        string.Create(CultureInfo.InvariantCulture, $"{FormatTime(TimeMicros),10} {Node,-4} {Kind.ToString().ToLowerInvariant(),-12} {Detail}");

    /// <summary>One line of NDJSON.</summary>
    public string ToJson()
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{{\"t\":{TimeMicros},\"kind\":\"{Kind.ToString().ToLowerInvariant()}\",\"node\":\"");
        Escape(builder, Node);
        builder.Append("\",\"detail\":\"");
        Escape(builder, Detail);
        builder.Append("\"}");
        return builder.ToString();
    }

    public static string FormatTime(long micros) =>
        string.Create(CultureInfo.InvariantCulture, $"{micros / 1000}.{micros % 1000:D3}ms");

    private static void Escape(StringBuilder builder, string text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                default:
                    if (c < ' ') builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    else builder.Append(c);
                    break;
            }
        }
    }
}
