using System.Text.RegularExpressions;
using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Benchmarks.Histories;

/// <summary>
/// Reads the key-value histories Porcupine publishes (test_data/kv/*.txt, recorded from the MIT
/// 6.824 kvraft lab): one Jepsen-style event per line, e.g.
/// <c>{:process 3, :type :invoke, :f :append, :key "4", :value "x 3 1 y"}</c> and the matching
/// <c>{:process 3, :type :ok, ...}</c>. A line's number is its time.
/// </summary>
/// <remarks>
/// Two translations into our terms. Porcupine's store starts every key at "" where ours starts at
/// absent (null), so each key gets a put of "" that completes before the first event. And a put's
/// or append's "ok" carries the written argument, not the new value, so those operations are given
/// a completion time but no recorded result. A call without an "ok" never got a reply.
/// </remarks>
public static partial class PorcupineKvLog
{
    /// <summary>Parses one history file into client operations, ids in call order.</summary>
    public static List<ClientOperation> Read(string path) => Parse(File.ReadLines(path));

    public static List<ClientOperation> Parse(IEnumerable<string> lines)
    {
        var calls = new List<(long Client, KvCommand Command, long InvokedAt)>();
        var returns = new Dictionary<int, (long At, KvResult? Result)>();
        var running = new Dictionary<long, int>(); // client -> index of its call in progress
        var sequences = new Dictionary<long, long>();
        var time = 0L;
        foreach (var line in lines)
        {
            time++;
            var match = EventLine().Match(line);
            if (!match.Success) continue;
            var client = long.Parse(match.Groups["process"].Value);
            var key = match.Groups["key"].Value;
            var value = match.Groups["value"].Value == "nil" ? null : match.Groups["value"].Value.Trim('"');
            var operation = match.Groups["f"].Value switch
            {
                "get" => KvOperation.Get,
                "put" => KvOperation.Put,
                "append" => KvOperation.Append,
                var other => throw new FormatException($"line {time}: unknown operation {other}"),
            };
            switch (match.Groups["type"].Value)
            {
                case "invoke":
                    var sequence = sequences[client] = sequences.GetValueOrDefault(client) + 1;
                    running[client] = calls.Count;
                    calls.Add((client, new KvCommand(client, sequence, operation, key, operation == KvOperation.Get ? null : value), time));
                    break;
                case "ok":
                    if (!running.Remove(client, out var call)) throw new FormatException($"line {time}: process {client} returns without a call");
                    returns[call] = (time, operation == KvOperation.Get ? new KvResult(true, value) : null);
                    break;
                default:
                    break; // :fail and :info: the outcome is unknown, as if no reply came
            }
        }

        var operations = new List<ClientOperation>();
        foreach (var key in calls.Select(c => c.Command.Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            // The key's initial "" (see remarks), set before anything happens.
            operations.Add(new ClientOperation(operations.Count, -1, new KvCommand(-1, operations.Count + 1, KvOperation.Put, key, ""), -2, -1, new KvResult(true, "")));
        }
        for (var i = 0; i < calls.Count; i++)
        {
            var (client, command, invokedAt) = calls[i];
            var (completedAt, result) = returns.TryGetValue(i, out var r) ? ((long?)r.At, r.Result) : (null, null);
            operations.Add(new ClientOperation(operations.Count, client, command, invokedAt, completedAt, result));
        }
        return operations;
    }

    [GeneratedRegex("""^\{:process (?<process>\d+), :type :(?<type>\w+), :f :(?<f>\w+), :key "(?<key>[^"]*)", :value (?<value>nil|"[^"]*")\}$""")]
    private static partial Regex EventLine();
}
