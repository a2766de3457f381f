using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Messages;

namespace Raft.Simulation.Grading;

/// <summary>What the nodes of one run emitted, counted by the grader as the effects leave them.</summary>
public sealed class MessageMeter
{
    private readonly SortedDictionary<(string Kind, int To), long> sent = [];
    private readonly SortedDictionary<int, long> snapshotsPersisted = [];
    private readonly SortedDictionary<(int From, int To), long> appendRejections = [];

    /// <summary>Every message handed to the network.</summary>
    public long Messages { get; private set; }

    /// <summary>Bytes of entry commands carried by AppendEntries, over all links.</summary>
    public long EntryBytes { get; private set; }

    /// <summary>Counts one effect that <paramref name="node"/> emitted.</summary>
    public void Observe(NodeId node, Effect effect)
    {
        switch (effect)
        {
            case Send { Message: var message }:
                Messages++;
                var key = (message.Kind, message.To.Value);
                sent[key] = sent.GetValueOrDefault(key) + 1;
                if (message is AppendEntriesResponse { Success: false } rejection)
                    appendRejections[(rejection.From.Value, rejection.To.Value)] = appendRejections.GetValueOrDefault((rejection.From.Value, rejection.To.Value)) + 1;
                if (message is AppendEntries append)
                    foreach (var entry in append.Entries) EntryBytes += entry.Command.Length;
                break;
            case PersistSnapshot:
                snapshotsPersisted[node.Value] = snapshotsPersisted.GetValueOrDefault(node.Value) + 1;
                break;
        }
    }

    /// <summary>Snapshots <paramref name="node"/> asked its disk to store (its own, or one installed from the leader).</summary>
    public long SnapshotsOf(NodeId node) => snapshotsPersisted.GetValueOrDefault(node.Value);

    /// <summary>Messages of <paramref name="kind"/> (e.g. AppendEntries) sent to <paramref name="to"/>.</summary>
    public long SentTo(string kind, NodeId to) => sent.GetValueOrDefault((kind, to.Value));

    /// <summary>AppendEntries that <paramref name="follower"/> rejected in answers to <paramref name="leader"/> (each one a round trip of backing up).</summary>
    public long Rejections(NodeId follower, NodeId leader) => appendRejections.GetValueOrDefault((follower.Value, leader.Value));

    /// <summary>Messages of <paramref name="kind"/> sent to anyone.</summary>
    public long Sent(string kind) => sent.Where(p => p.Key.Kind == kind).Sum(p => p.Value);
}
