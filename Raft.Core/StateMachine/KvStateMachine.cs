using System.Text;
using Raft.Core.Log;

namespace Raft.Core.StateMachine;

/// <summary>
/// A small key-value store with at-most-once client commands: for each client it remembers the
/// last sequence number applied and its result, and answers a retry from that memory (thesis §6.3).
/// Gets change nothing, so they are never deduplicated: a get ignores its sequence number, runs
/// every time it is applied, and leaves the client's session as it was.
/// </summary>
public sealed class KvStateMachine : IKeyValueStore
{
    private readonly SortedDictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, (long Sequence, KvResult Result)> sessions = [];
    private readonly KvCommandCache? commands;

    public KvStateMachine()
    {
    }

    /// <param name="commands">Decodes the commands of entries, shared with the other stores of a simulated cluster (each entry decoded once, not once per server).</param>
    public KvStateMachine(KvCommandCache commands) => this.commands = commands;

    public IReadOnlyDictionary<string, string> Values => values;

    /// <summary>How many commands actually changed or read state (retries answered from the session table are not counted).</summary>
    public long CommandsExecuted { get; private set; }

    public byte[] Apply(LogEntry entry) => ApplyEntry(entry)?.Encode() ?? [];

    /// <summary>
    /// <see cref="Apply"/> without encoding the result, for a driver that answers clients itself:
    /// the command's result, or null for an entry that is not a command (it changes nothing).
    /// </summary>
    public KvResult? ApplyEntry(LogEntry entry)
    {
        if (entry.Kind != EntryKind.Command) return null;
        return Execute(commands is null ? KvCommand.Decode(entry.Command) : commands.Decode(entry.Command));
    }

    public KvResult Execute(KvCommand command)
    {
        if (command.Operation == KvOperation.Get)
        {
            CommandsExecuted++;
            return Run(command);
        }
        if (sessions.TryGetValue(command.ClientId, out var session) && command.Sequence <= session.Sequence)
        {
            // A retry of the last command gets the same answer; an older one cannot be answered.
            return command.Sequence == session.Sequence ? session.Result : new KvResult(false, null);
        }
        var result = Run(command);
        CommandsExecuted++;
        sessions[command.ClientId] = (command.Sequence, result);
        return result;
    }

    /// <summary>
    /// Whether <paramref name="command"/> is older than the last write this client had applied: its
    /// result is no longer known (only the latest is kept), so a node refuses it rather than answer.
    /// </summary>
    public bool IsStale(KvCommand command) =>
        command.Operation != KvOperation.Get && sessions.TryGetValue(command.ClientId, out var session) && command.Sequence < session.Sequence;

    private KvResult Run(KvCommand command)
    {
        values.TryGetValue(command.Key, out var current);
        switch (command.Operation)
        {
            case KvOperation.Get:
                return new KvResult(true, current);
            case KvOperation.Put:
                values[command.Key] = command.Value ?? "";
                return new KvResult(true, command.Value ?? "");
            case KvOperation.Append:
                var appended = (current ?? "") + command.Value;
                values[command.Key] = appended;
                return new KvResult(true, appended);
            case KvOperation.CompareAndSet:
                if (current != command.Expected) return new KvResult(false, current);
                values[command.Key] = command.Value ?? "";
                return new KvResult(true, command.Value ?? "");
            default:
                throw new InvalidOperationException($"unknown operation {command.Operation}");
        }
    }

    public byte[] Snapshot()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(values.Count);
        foreach (var (key, value) in values)
        {
            writer.Write(key);
            writer.Write(value);
        }
        writer.Write(sessions.Count);
        foreach (var (client, (sequence, result)) in sessions)
        {
            writer.Write(client);
            writer.Write(sequence);
            var encoded = result.Encode();
            writer.Write(encoded.Length);
            writer.Write(encoded);
        }
        writer.Flush();
        return stream.ToArray();
    }

    public void Restore(byte[] snapshot)
    {
        values.Clear();
        sessions.Clear();
        using var reader = new BinaryReader(new MemoryStream(snapshot), Encoding.UTF8);
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++) values[reader.ReadString()] = reader.ReadString();
        var clients = reader.ReadInt32();
        for (var i = 0; i < clients; i++)
        {
            var client = reader.ReadInt64();
            var sequence = reader.ReadInt64();
            var result = KvResult.Decode(reader.ReadBytes(reader.ReadInt32()));
            sessions[client] = (sequence, result);
        }
    }
}
