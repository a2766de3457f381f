using System.Globalization;
using Raft.Core.Membership;

namespace Raft.Simulation.Faults;

/// <summary>
/// Reads a fault schedule back from the text its actions print, e.g.
/// <c>at 500ms isolate n2; at 1200.5ms crash n1; at 2s heal</c>, so that any schedule (generated,
/// shrunk or hand-written) can be passed to <c>raft-sim replay --schedule</c>.
/// </summary>
public static class FaultScheduleText
{
    public static string Format(IEnumerable<FaultAction> schedule) => string.Join("; ", schedule);

    /// <summary>Parses a schedule; throws <see cref="FormatException"/> naming the bad action.</summary>
    public static IReadOnlyList<FaultAction> Parse(string text)
    {
        var actions = new List<FaultAction>();
        var parts = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            try
            {
                actions.Add(ParseAction(parts[i]));
            }
            catch (FormatException e)
            {
                throw new FormatException($"schedule action {i + 1} '{parts[i]}': {e.Message}", e);
            }
        }
        return actions;
    }

    private static FaultAction ParseAction(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3 || words[0] != "at") throw new FormatException("expected 'at <time> <action>'");
        var at = ParseTime(words[1]);
        var args = words[3..];
        return words[2] switch
        {
            "heal" => new HealFault(at),
            "crash" => new CrashFault(at, NodeOrLeader(args, 0)),
            "restart" => new RestartFault(at, Node(args, 0)),
            "pause" => new PauseFault(at, NodeOrLeader(args, 0)),
            "resume" => new ResumeFault(at, Node(args, 0)),
            "isolate" => new IsolateFault(at, NodeOrLeader(args, 0)),
            "reconnect" => new ReconnectFault(at, Node(args, 0)),
            "transfer" => new TransferFault(at, Node(args, 0)),
            "add" => new MembershipFault(at, MembershipChangeKind.AddVoter, Node(args, 0)),
            "learner" => new MembershipFault(at, MembershipChangeKind.AddLearner, Node(args, 0)),
            "remove" => new MembershipFault(at, MembershipChangeKind.Remove, Node(args, 0)),
            "cut" => ParseCut(at, args),
            "partition" => ParsePartition(at, args),
            "bridge" => new BridgeFault(at, Node(args, 0), ParsePartition(at, args[1..]).Groups),
            "network" => ParseNetwork(at, args),
            var other => throw new FormatException($"unknown action '{other}'"),
        };
    }

    /// <summary>Parses 500ms, 1.5s, 720.070ms, 100us into microseconds.</summary>
    public static long ParseTime(string text)
    {
        (string Suffix, decimal Scale)[] units = [("us", 1m), ("ms", 1000m), ("s", 1_000_000m), ("m", 60_000_000m)];
        foreach (var (suffix, scale) in units)
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var number = text[..^suffix.Length];
            if (decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= 0 && value < 1_000_000_000m)
                return (long)decimal.Round(value * scale);
        }
        throw new FormatException($"'{text}' is not a time such as 500ms or 1.5s");
    }

    /// <summary>A node such as n2, or <c>leader</c>: whoever leads when the action comes (<see cref="FaultAction.TheLeader"/>).</summary>
    private static int NodeOrLeader(string[] args, int position) =>
        position < args.Length && args[position] == "leader" ? FaultAction.TheLeader : Node(args, position);

    private static int Node(string[] args, int position)
    {
        if (position >= args.Length) throw new FormatException("missing node");
        var word = args[position];
        if (word.Length > 1 && word[0] == 'n' && int.TryParse(word[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) return n;
        throw new FormatException($"'{word}' is not a node such as n2");
    }

    private static CutLinkFault ParseCut(long at, string[] args)
    {
        var ends = args.Length == 1 ? args[0].Split("->") : [];
        if (ends.Length != 2) throw new FormatException("expected 'cut n1->n2'");
        return new CutLinkFault(at, Node(ends, 0), Node(ends, 1));
    }

    private static PartitionFault ParsePartition(long at, string[] args)
    {
        var groups = new List<IReadOnlyList<int>> { new List<int>() };
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "|") groups.Add(new List<int>());
            else ((List<int>)groups[^1]).Add(Node(args, i));
        }
        if (groups.Any(g => g.Count == 0)) throw new FormatException("empty group in partition");
        return new PartitionFault(at, groups);
    }

    private static NetworkFault ParseNetwork(long at, string[] args)
    {
        double loss = 0, dup = 0, reorder = 0;
        foreach (var arg in args)
        {
            var kv = arg.Split('=');
            if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1)
                throw new FormatException($"'{arg}' is not name=probability");
            switch (kv[0])
            {
                case "loss": loss = value; break;
                case "dup": dup = value; break;
                case "reorder": reorder = value; break;
                default: throw new FormatException($"unknown network setting '{kv[0]}'");
            }
        }
        return new NetworkFault(at, loss, dup, reorder);
    }
}
