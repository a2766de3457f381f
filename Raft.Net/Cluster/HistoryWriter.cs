using System.Text.Json;
using Raft.Core.StateMachine;

namespace Raft.Net.Cluster;

/// <summary>
/// Writes the clients' calls and returns to a <see cref="HistoryFile"/> as they happen, from any
/// thread, and counts them; it keeps no operation, so a run of any length holds none in memory.
/// </summary>
public sealed class HistoryWriter : IDisposable
{
    private readonly Lock gate = new();
    private readonly FileStream file;
    private readonly Utf8JsonWriter json;
    private long calls;
    private long returns;
    private bool disposed;

    public HistoryWriter(string path)
    {
        file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        json = new Utf8JsonWriter(file);
    }

    /// <summary>Operations answered so far.</summary>
    public int CompletedCount
    {
        get
        {
            lock (gate) return (int)returns;
        }
    }

    /// <summary>Operations called and not answered (yet).</summary>
    public int PendingCount
    {
        get
        {
            lock (gate) return (int)(calls - returns);
        }
    }

    /// <summary>Records a call and returns its id (calls are numbered 0, 1, 2... in the order recorded).</summary>
    public long Invoke(long clientId, KvCommand command, long timeMicros)
    {
        ArgumentNullException.ThrowIfNull(command);
        lock (gate)
        {
            var id = calls++;
            json.WriteStartObject();
            json.WriteNumber("call", id);
            json.WriteNumber("t", timeMicros);
            json.WriteNumber("client", clientId);
            json.WriteNumber("seq", command.Sequence);
            json.WriteString("op", HistoryFile.OperationName(command.Operation));
            json.WriteString("key", command.Key);
            if (command.Value is not null) json.WriteString("value", command.Value);
            if (command.Expected is not null) json.WriteString("expected", command.Expected);
            EndLine();
            return id;
        }
    }

    /// <summary>Records the return of call <paramref name="id"/> with <paramref name="result"/>.</summary>
    public void Complete(long id, KvResult result, long timeMicros)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (gate)
        {
            json.WriteStartObject();
            json.WriteNumber("return", id);
            json.WriteNumber("t", timeMicros);
            json.WriteBoolean("ok", result.Ok);
            if (result.Value is not null) json.WriteString("value", result.Value);
            EndLine();
            returns++;
        }
    }

    private void EndLine()
    {
        json.WriteEndObject();
        json.Flush();
        json.Reset();
        file.WriteByte((byte)'\n');
    }

    /// <summary>Writes out what is buffered.</summary>
    public void Flush()
    {
        lock (gate) file.Flush();
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            json.Dispose();
            file.Dispose();
        }
    }
}
