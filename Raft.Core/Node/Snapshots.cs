using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// Log compaction and InstallSnapshot (§7, Figures 12 and 13). The driver snapshots the state
/// machine and hands it over with a <see cref="Compact"/> input; the node compacts its log and
/// keeps the latest snapshot, which as leader it sends, chunk by chunk, to any follower that needs
/// entries it no longer has. Chunks go one at a time: the follower answers each with the offset it
/// expects next, and the leader resends from there on every heartbeat until the follower has it,
/// so lost, duplicated or reordered chunks cost time, never correctness.
/// Invariant: <c>snapshot</c> is null exactly when the log has no compacted prefix.
/// </summary>
public sealed partial class RaftNode
{
    private Snapshot? snapshot;
    private IncomingSnapshot? incoming;

    /// <summary>The latest snapshot this node holds, or null.</summary>
    public Snapshot? LatestSnapshot => snapshot;

    /// <summary>Restart from a snapshot plus the log after it: the snapshot's entries are committed and applied (the driver restores the state machine from it).</summary>
    private void RestoreFromSnapshot(Snapshot stored)
    {
        log.InstallSnapshot(stored.Metadata);
        snapshot = stored;
        CommitIndex = stored.LastIncludedIndex;
        LastApplied = stored.LastIncludedIndex;
    }

    /// <summary>§7: each server compacts independently, only entries its state machine has applied.</summary>
    private void CompactLog(Compact compact)
    {
        if (compact.Index <= log.SnapshotIndex) return; // not newer than what we have
        if (compact.Index > LastApplied)
            throw new ArgumentException($"snapshot at {compact.Index} is beyond the last applied index {LastApplied}", nameof(compact));
        snapshot = new Snapshot(log.CompactTo(compact.Index, ConfigurationAt(compact.Index)), compact.Snapshot);
        effects.Add(new PersistSnapshot(snapshot));
    }

    // ---- leader ------------------------------------------------------------------------------

    /// <summary>
    /// Sends (or resends) the current chunk of the snapshot to a follower whose Next is at or
    /// below the snapshot. A new snapshot replaces an older one being sent, from its first byte.
    /// Without <paramref name="resend"/> only a new transfer starts: a chunk is outstanding.
    /// </summary>
    private void SendSnapshot(NodeId peer, bool resend)
    {
        var pr = progress[peer];
        var current = snapshot ?? throw new InvalidOperationException($"next index {pr.Next} is compacted but there is no snapshot");
        if (pr.State != ReplicationState.Snapshot || pr.SnapshotIndex != current.LastIncludedIndex)
            pr.StartSnapshot(current.LastIncludedIndex);
        else if (!resend)
            return;
        SendSnapshotChunk(peer, pr, current);
    }

    private void SendSnapshotChunk(NodeId peer, Progress pr, Snapshot current)
    {
        var offset = (int)Math.Min(pr.SnapshotOffset, current.Data.Length);
        var length = Math.Min(options.MaxSnapshotChunkBytes, current.Data.Length - offset);
        var chunk = current.Data.AsSpan(offset, length).ToArray();
        var metadata = current.Metadata;
        Send(new InstallSnapshot(Id, peer, Term, NextMessageId(), metadata.LastIncludedIndex, metadata.LastIncludedTerm,
            metadata.Digest, metadata.Configuration, offset, chunk, Done: offset + length == current.Data.Length));
    }

    private void HandleInstallSnapshotResponse(InstallSnapshotResponse response)
    {
        var pr = progress[response.From];
        if (response.Done)
        {
            // The follower's log now matches ours up to the snapshot (Figure 13); replicate from there.
            if (pr.MaybeAcknowledge(response.LastIncludedIndex)) MaybeAdvanceCommit();
            if (Role == Role.Leader) SendAppend(response.From, heartbeat: false); // unless it committed its own removal
            return;
        }
        if (pr.State != ReplicationState.Snapshot || pr.SnapshotIndex != response.LastIncludedIndex) return; // about another transfer
        if (snapshot is not { } current || current.LastIncludedIndex != pr.SnapshotIndex) return; // replaced: SendSnapshot starts over
        if (response.NextOffset > current.Data.Length)
        {
            IgnoreImplausible(); // holds more than the snapshot has: no correct follower says so
            return;
        }
        if (pr.MaybeMoveSnapshotOffset(response.NextOffset)) SendSnapshotChunk(response.From, pr, current);
    }

    // ---- follower ----------------------------------------------------------------------------

    /// <summary>InstallSnapshot receiver (Figure 13), from the leader of the current term.</summary>
    private void HandleInstallSnapshot(InstallSnapshot chunk)
    {
        Leader = chunk.From;
        electionElapsedTicks = 0; // the leader is alive

        // A snapshot covering no more than our commit index brings nothing new: our committed
        // prefix already matches the leader's up to it. Ignore it and say so, so the leader moves on.
        if (chunk.LastIncludedIndex <= CommitIndex)
        {
            incoming = null;
            ReplySnapshot(chunk, nextOffset: 0, done: true);
            return;
        }

        // A delayed chunk of an older snapshot from the same leader must not throw away a newer one
        // half received. A leader of a later term starts over with its own snapshot, even an older
        // one: the half-received one came from a leader that is gone, and waiting for it would shut
        // this follower out for good.
        if (incoming is not null && chunk.Term == incoming.Term && chunk.LastIncludedIndex < incoming.Metadata.LastIncludedIndex)
            return;
        if (incoming is null || !incoming.IsFor(chunk))
        {
            if (chunk.Offset != 0)
            {
                ReplySnapshot(chunk, nextOffset: 0, done: false); // we hold none of it: start over
                return;
            }
            incoming = new IncomingSnapshot(new SnapshotMetadata(chunk.LastIncludedIndex, chunk.LastIncludedTerm, chunk.Digest, chunk.Configuration));
        }
        incoming.Term = Math.Max(incoming.Term, chunk.Term);
        if (chunk.Offset != incoming.Length)
        {
            ReplySnapshot(chunk, incoming.Length, done: false); // duplicated or out of order: say where we are
            return;
        }
        if (incoming.Length + chunk.Data.Length > options.MaxSnapshotBytes)
        {
            incoming = null; // a snapshot this large is not one a correct leader of ours sends: keep memory bounded
            IgnoreImplausible();
            return;
        }
        incoming.Append(chunk.Data);
        if (!chunk.Done)
        {
            ReplySnapshot(chunk, incoming.Length, done: false);
            return;
        }

        var received = new Snapshot(incoming.Metadata, incoming.Data());
        incoming = null;
        if (!log.InstallSnapshot(received.Metadata)) ForgetPersistedFrom(received.LastIncludedIndex + 1); // the log after it is gone
        RefreshConfiguration(); // the snapshot's, unless a newer one follows in the log we kept
        snapshot = received;
        CommitIndex = received.LastIncludedIndex;
        LastApplied = received.LastIncludedIndex;
        effects.Add(new PersistSnapshot(received)); // durable before the acknowledgement below leaves
        effects.Add(new RestoreSnapshot(received));
        ReplySnapshot(chunk, received.Data.Length, done: true);
    }

    private void ReplySnapshot(InstallSnapshot chunk, long nextOffset, bool done) =>
        Send(new InstallSnapshotResponse(Id, chunk.From, Term, NextMessageId(), chunk.Id, chunk.LastIncludedIndex, nextOffset, done));

    /// <summary>A snapshot being received, chunk by chunk.</summary>
    private sealed class IncomingSnapshot(SnapshotMetadata metadata)
    {
        private readonly List<byte> data = [];

        public SnapshotMetadata Metadata => metadata;

        /// <summary>Latest term of a leader that sent chunks of it.</summary>
        public long Term { get; set; }

        public long Length => data.Count;

        public bool IsFor(InstallSnapshot chunk) =>
            chunk.LastIncludedIndex == metadata.LastIncludedIndex && chunk.LastIncludedTerm == metadata.LastIncludedTerm
            && chunk.Configuration.Equals(metadata.Configuration);

        public void Append(byte[] bytes) => data.AddRange(bytes);

        public byte[] Data() => data.ToArray();
    }
}
