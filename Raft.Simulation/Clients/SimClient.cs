using Raft.Core;
using Raft.Core.Randomness;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Clients;

/// <summary>
/// A closed-loop key-value client: one operation at a time, sent to the server it believes leads,
/// retried (same sequence number, so applied once) at another server on timeout or redirect.
/// </summary>
public sealed class SimClient(int id, SplitMix64 random, int keys, int nodes, int readPercent = 30)
{
    private long sequence;
    private readonly SortedDictionary<string, string?> lastSeen = new(StringComparer.Ordinal);
    private readonly string?[] keyNames = new string?[Math.Min(keys, 64)]; // "k1", "k2"...: made once each, not at every command

    public int Id => id;

    public NodeId Target { get; set; } = new(1 + random.Next(nodes));

    /// <summary>The operation in progress, if any.</summary>
    public ClientRequest? Current { get; set; }

    /// <summary>Bumped whenever a timeout is set, so that stale timeout events can be recognised.</summary>
    public long TimerGeneration { get; set; }

    /// <summary>Retry at <see cref="Target"/> (a redirect named the leader) rather than the next server.</summary>
    public bool RetryAtTarget { get; set; }

    public long Completed { get; set; }

    public SplitMix64 Random => random;

    /// <summary>
    /// Draws the next command on a small key space: gets with probability readPercent, the rest
    /// split between puts, appends and compare-and-sets in the ratio 30:25:15.
    /// </summary>
    public KvCommand NextCommand()
    {
        sequence++;
        var key = KeyName(1 + random.Next(keys));
        var value = $"{id}.{sequence}";
        var roll = random.Next(100);
        // Rescale the writes onto [30, 100) so that the default (30% gets) keeps its old draws.
        roll = roll < readPercent ? 0 : 30 + (roll - readPercent) * 70 / (100 - readPercent);
        return roll switch
        {
            < 30 => new KvCommand(id, sequence, KvOperation.Get, key),
            < 60 => new KvCommand(id, sequence, KvOperation.Put, key, value),
            < 85 => new KvCommand(id, sequence, KvOperation.Append, key, value),
            _ => new KvCommand(id, sequence, KvOperation.CompareAndSet, key, value, lastSeen.GetValueOrDefault(key)),
        };
    }

    private string KeyName(int key) => key <= keyNames.Length ? keyNames[key - 1] ??= $"k{key}" : $"k{key}";

    public void Observe(KvCommand command, KvResult result) => lastSeen[command.Key] = result.Value;

    /// <summary>Next server to try after a timeout.</summary>
    public void TryNextServer(int nodes) => Target = new NodeId(Target.Value % nodes + 1);
}
