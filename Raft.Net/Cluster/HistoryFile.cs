using System.Buffers;
using System.Text;
using System.Text.Json;
using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Net.Cluster;

/// <summary>
/// The clients' history of a cluster run, <c>history.ndjson</c> in the run's directory: one JSON
/// object per line, written as things happen (<see cref="HistoryWriter"/>), so that the run need not
/// hold it and <c>raft-net check DIR</c> can check the run again. A call:
/// <c>{"call":7,"t":1520,"client":3,"seq":2,"op":"put","key":"k5","value":"3.41"}</c> (<c>"expected"</c>
/// too for a compare-and-set); its return: <c>{"return":7,"t":2210,"ok":true,"value":"3.41"}</c>. Times
/// are microseconds since the workload started; a call without a return never got an answer.
/// </summary>
public static class HistoryFile
{
    public const string FileName = "history.ndjson";

    /// <summary>
    /// Reads a history, as compactly as the operations allow: a key is one string however many
    /// operations use it, and a write's answer shares the written value. A torn last line (the run was
    /// stopped mid-write) is ignored.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not a call or a return, or a return answers no call or a call twice.</exception>
    public static List<ClientOperation> Read(string path)
    {
        var operations = new List<ClientOperation>();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var number = 0;
        for (var line = reader.ReadLine(); line is not null;)
        {
            number++;
            var next = reader.ReadLine();
            try
            {
                Apply(line, operations, keys);
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or InvalidDataException)
            {
                if (next is null && e is JsonException) break; // torn tail
                throw new InvalidDataException($"{path}:{number}: {e.Message}", e);
            }
            line = next;
        }
        return operations;
    }

    private static void Apply(string line, List<ClientOperation> operations, Dictionary<string, string> keys)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(line, rented);
            Apply(new ReadOnlySpan<byte>(rented, 0, length), operations, keys);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Apply(ReadOnlySpan<byte> utf8, List<ClientOperation> operations, Dictionary<string, string> keys)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException("a line is not a JSON object");
        long? call = null, answered = null, time = null, client = null, sequence = null;
        bool? ok = null;
        string? op = null, key = null, value = null, expected = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            if (!reader.Read()) throw new JsonException("a line ends early");
            switch (name)
            {
                case "call": call = reader.GetInt64(); break;
                case "return": answered = reader.GetInt64(); break;
                case "t": time = reader.GetInt64(); break;
                case "client": client = reader.GetInt64(); break;
                case "seq": sequence = reader.GetInt64(); break;
                case "ok": ok = reader.GetBoolean(); break;
                case "op": op = reader.GetString(); break;
                case "key": key = reader.GetString(); break;
                case "value": value = reader.GetString(); break;
                case "expected": expected = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("a line ends early");
        long Required(long? field, string fieldName) => field ?? throw new KeyNotFoundException($"no '{fieldName}'");
        if (call is { } id)
        {
            if (id != operations.Count) throw new InvalidDataException($"call {id} where call {operations.Count} was expected");
            var operation = op switch
            {
                "get" => KvOperation.Get,
                "put" => KvOperation.Put,
                "append" => KvOperation.Append,
                "cas" => KvOperation.CompareAndSet,
                _ => throw new InvalidDataException($"unknown operation '{op}'"),
            };
            if (key is null) throw new KeyNotFoundException("no 'key'");
            if (!keys.TryGetValue(key, out var shared)) keys[key] = shared = key;
            var command = new KvCommand(Required(client, "client"), Required(sequence, "seq"), operation, shared, value, expected);
            operations.Add(new ClientOperation(id, command.ClientId, command, Required(time, "t"), null, null));
        }
        else if (answered is { } returned)
        {
            if (returned < 0 || returned >= operations.Count) throw new InvalidDataException($"return {returned} answers no call before it");
            var called = operations[(int)returned];
            if (called.IsComplete) throw new InvalidDataException($"call {returned} returns twice");
            // A write answers with the value it wrote: one string for both.
            var result = new KvResult(ok ?? throw new KeyNotFoundException("no 'ok'"), value == called.Command.Value ? called.Command.Value : value);
            operations[(int)returned] = called with { CompletedAt = Required(time, "t"), Result = result };
        }
        else throw new InvalidDataException("a line is neither a call nor a return");
    }

    /// <summary>The name of an operation in the file.</summary>
    internal static string OperationName(KvOperation operation) => operation switch
    {
        KvOperation.Get => "get",
        KvOperation.Put => "put",
        KvOperation.Append => "append",
        KvOperation.CompareAndSet => "cas",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };
}
