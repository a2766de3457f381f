using Raft.Core.StateMachine;
using Raft.Simulation.History;

namespace Raft.Tests.Linearizability;

/// <summary>
/// Writes client histories by hand: each call gives the client, the interval [from, to] (to = null:
/// no reply ever came) and, for a completed operation, the answer the client saw.
/// </summary>
internal sealed class HistoryBuilder
{
    private readonly List<ClientOperation> operations = [];
    private readonly SortedDictionary<long, long> sequences = [];

    public List<ClientOperation> Operations => operations;

    public ClientOperation Put(long client, string key, string value, long from, long? to) =>
        Add(client, KvOperation.Put, key, value, null, from, to, new KvResult(true, value));

    public ClientOperation Get(long client, string key, long from, long? to, string? seen) =>
        Add(client, KvOperation.Get, key, null, null, from, to, new KvResult(true, seen));

    public ClientOperation Append(long client, string key, string suffix, long from, long? to, string? after) =>
        Add(client, KvOperation.Append, key, suffix, null, from, to, new KvResult(true, after));

    public ClientOperation Cas(long client, string key, string? expected, string value, long from, long? to, bool ok, string? after) =>
        Add(client, KvOperation.CompareAndSet, key, value, expected, from, to, new KvResult(ok, after));

    private ClientOperation Add(long client, KvOperation operation, string key, string? value, string? expected, long from, long? to, KvResult result)
    {
        var sequence = sequences.GetValueOrDefault(client) + 1;
        sequences[client] = sequence;
        var command = new KvCommand(client, sequence, operation, key, value, expected);
        var op = new ClientOperation(operations.Count, client, command, from, to, to is null ? null : result);
        operations.Add(op);
        return op;
    }
}
