using System.Text;
using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;
using Raft.Simulation.Checkers;

namespace Raft.Tests.Checkers;

/// <summary>
/// A hand-driven cluster of nodes under test, each a reference <see cref="RaftNode"/> wrapped as the
/// test says (<see cref="LyingNode"/>), whose every start and step goes through one
/// <see cref="SafetyChecker"/>, as in the simulator. Messages wait in one queue until the test
/// delivers or drops them; the checker's clock is the step count.
/// </summary>
public sealed class CheckedCluster
{
    private readonly SortedDictionary<NodeId, IRaftNode> nodes = [];
    private readonly SortedDictionary<NodeId, MemoryStorage> storages = [];
    private readonly List<Message> inFlight = [];
    private readonly RaftOptions options;
    private readonly Func<RaftNode, IRaftNode> wrap;
    private readonly IReadOnlyList<NodeId> members;
    private long incarnation;
    private long steps;

    public CheckedCluster(int size, RaftOptions options, Func<RaftNode, IRaftNode> wrap)
    {
        this.options = options;
        this.wrap = wrap;
        members = NodeId.Range(size);
        foreach (var id in members)
        {
            storages[id] = new MemoryStorage();
            Start(id);
        }
    }

    public SafetyChecker Checker { get; } = new();

    public IRaftNode this[int id] => nodes[new NodeId(id)];

    /// <summary>An entry whose command is <paramref name="text"/>.</summary>
    public static LogEntry Entry(long index, long term, string text) => new(index, term, EntryKind.Command, Encoding.UTF8.GetBytes(text));

    /// <summary>Restarts node <paramref name="id"/> from a disk holding <paramref name="term"/>, no vote, and <paramref name="entries"/>.</summary>
    public void PresetLog(int id, long term, params LogEntry[] entries)
    {
        var storage = new MemoryStorage();
        storage.Persist(new PersistHardState(new HardState(term, null)));
        if (entries.Length > 0) storage.Persist(new PersistEntries(1, entries));
        storages[new NodeId(id)] = storage;
        Start(new NodeId(id));
    }

    public Output Step(int id, Input input)
    {
        var node = this[id];
        var output = node.Step(input);
        foreach (var effect in output.Effects)
        {
            if (effect is PersistHardState or PersistEntries or PersistSnapshot) storages[node.Id].Persist(effect);
            if (effect is Send send) inFlight.Add(send.Message);
        }
        Checker.AfterStep(node, output.Effects, ++steps);
        return output;
    }

    public Output Campaign(int id) => Step(id, Raft.Core.Inputs.Campaign.Instance);

    public Output Propose(int id, string text) => Step(id, new Propose(Encoding.UTF8.GetBytes(text)));

    /// <summary>Delivers, oldest first, every message in flight that matches, and every matching one those cause; the others stay in flight.</summary>
    public void Deliver(Func<Message, bool> match)
    {
        for (var i = 0; i < inFlight.Count;)
        {
            var message = inFlight[i];
            if (!match(message))
            {
                i++;
                continue;
            }
            inFlight.RemoveAt(i);
            Step(message.To.Value, new Receive(message));
        }
    }

    /// <summary>Loses every message in flight that matches.</summary>
    public void Drop(Func<Message, bool> match) => inFlight.RemoveAll(m => match(m));

    private void Start(NodeId id)
    {
        incarnation++;
        var persisted = storages[id].Load();
        nodes[id] = wrap(new RaftNode(id, members, options, new FixedSequence(id.Value - 1), persisted, firstMessageId: incarnation * 1_000_000L));
        Checker.OnStart(nodes[id], persisted.HardState, steps);
    }
}
