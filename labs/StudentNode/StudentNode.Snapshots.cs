using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Messages;

namespace StudentNode;

/// <summary>
/// Lab 4, log compaction (labs/lab4-compaction.md): §7, Figure 12 and Figure 13 (InstallSnapshot).
/// The driver snapshots the state machine and hands the bytes over with a <see cref="Compact"/>
/// input; this server then keeps the snapshot, drops the log prefix it covers, and, as leader,
/// sends it in chunks to a follower that needs entries that are gone.
/// </summary>
public sealed partial class StudentNode
{
    /// <summary>The latest snapshot this server holds (null before the first one).</summary>
    private Snapshot? snapshot;

    /// <summary>A snapshot being received from the leader, chunk by chunk.</summary>
    private SnapshotAssembler? incoming;

    /// <summary>
    /// Leader only: the snapshot transfer under way to each peer that needs entries this leader
    /// has compacted (Figure 13 leaves the sender's side to you; lab4-compaction.md, "The leader's
    /// side"). Empty until you use it: start a transfer when a peer's nextIndex falls at or below
    /// the snapshot, keep it up to date as chunks leave and answers come back, and end it when the
    /// peer answers Done. Clear it when this server becomes leader: it describes one leadership.
    /// </summary>
    private readonly SortedDictionary<NodeId, SnapshotTransfer> snapshotTransfers = [];

    /// <summary>One peer's snapshot transfer, one chunk in flight at a time. Add to it if you need more.</summary>
    private sealed class SnapshotTransfer
    {
        /// <summary>Which snapshot is being sent: its last included index. A newer compaction meanwhile means a new transfer.</summary>
        public long SnapshotIndex { get; init; }

        /// <summary>Where the next chunk starts: the NextOffset the peer last asked for (0 at first).</summary>
        public long Offset { get; set; }

        /// <summary>
        /// The Id of the chunk sent last (<see cref="SendSnapshotChunk"/> returns it). An answer to an
        /// earlier chunk is stale: acting on it would put a second chunk in flight.
        /// </summary>
        public long LastChunkId { get; set; }

        /// <summary>Whether a chunk went out since the last heartbeat; if not and no answer came, the chunk was lost: resend it.</summary>
        public bool SentSinceHeartbeat { get; set; }
    }

    /// <summary>Restart from a stored snapshot: its entries are committed and applied (the driver restores the state machine itself).</summary>
    private void RestoreSnapshotAtStart(Snapshot stored)
    {
        log.InstallSnapshot(stored.Metadata);
        snapshot = stored;
        CommitIndex = stored.LastIncludedIndex;
        LastApplied = stored.LastIncludedIndex;
    }

    /// <summary>
    /// The driver took a snapshot of the state machine as of applied index compact.Index (§7).
    /// Each server compacts on its own, and only entries it has applied.
    /// </summary>
    private void CompactLog(Compact compact)
    {
        // TODO(lab 4) §7, Figure 12: ignore a snapshot not newer than the one you hold; otherwise
        // compact the log (log.CompactTo, with the Configuration), keep the new Snapshot(metadata,
        // compact.Snapshot) and store it (StoreSnapshot).
    }

    /// <summary>
    /// Sends <paramref name="peer"/> the chunk of <see cref="snapshot"/> starting at byte
    /// <paramref name="offset"/> (at most <see cref="RaftOptions.MaxSnapshotChunkBytes"/> bytes;
    /// Done on the last one) and returns it: its <see cref="Message.Id"/> is what the peer's answer
    /// names in InReplyTo (keep it in the peer's <see cref="SnapshotTransfer"/>).
    /// </summary>
    private InstallSnapshot SendSnapshotChunk(NodeId peer, long offset)
    {
        var current = snapshot ?? throw new InvalidOperationException("no snapshot to send");
        var start = (int)Math.Min(offset, current.Data.Length);
        var length = Math.Min(options.MaxSnapshotChunkBytes, current.Data.Length - start);
        var metadata = current.Metadata;
        var chunk = new InstallSnapshot(Id, peer, Term, NextMessageId(), metadata.LastIncludedIndex, metadata.LastIncludedTerm,
            metadata.Digest, metadata.Configuration, start, current.Data.AsSpan(start, length).ToArray(),
            Done: start + length == current.Data.Length);
        Send(chunk);
        return chunk;
    }

    /// <summary>
    /// InstallSnapshot receiver (Figure 13), once <see cref="ReceiveMessage"/> has dealt with the
    /// term. Answer every chunk with an <see cref="InstallSnapshotResponse"/>: NextOffset = how many
    /// bytes of this snapshot you hold, Done once you have it (installed now, or already covered
    /// by your commit index).
    /// </summary>
    private void HandleInstallSnapshot(InstallSnapshot chunk)
    {
        // TODO(lab 4) Figure 13: like AppendEntries, this comes from the current leader (lab 1 rules).
        //  - a snapshot that covers no more than your commit index brings nothing new: answer Done
        //  - collect the chunks in order (SnapshotAssembler: start one for a snapshot you are not
        //    yet assembling, then TryAdd every chunk, the first included); answer each with where you are
        //  - on the last one: install it in the log (log.InstallSnapshot keeps the entries after it
        //    only if they match, steps 6-7), move commitIndex and lastApplied to it, store it
        //    (StoreSnapshot) and reset the state machine (ReplaceStateMachine), then answer Done
    }

    /// <summary>
    /// A follower's answer to a chunk, at the leader: send the next chunk from NextOffset, or,
    /// once Done, treat the follower as matching up to the snapshot and go on with AppendEntries.
    /// </summary>
    private void HandleInstallSnapshotResponse(InstallSnapshotResponse response)
    {
        // TODO(lab 4) Figure 13 is silent on the leader's side; see the handout. Stale answers
        // (another snapshot, an older chunk, an older offset) must do no harm.
        // TODO(lab 5) thesis §6.4: like an AppendEntries answer, an answer in this term to a chunk
        // sent after a pending read arrived is one vote of confidence for that read (Reads.cs).
    }

    /// <summary>Asks the driver to store <paramref name="stored"/>, replacing the stored snapshot and the entries it covers.</summary>
    private void StoreSnapshot(Snapshot stored) => effects.Add(new PersistSnapshot(stored));

    /// <summary>Asks the driver to replace the state machine's state with <paramref name="received"/> (a snapshot from the leader).</summary>
    private void ReplaceStateMachine(Snapshot received) => effects.Add(new RestoreSnapshot(received));

    /// <summary>
    /// Collects the chunks of one snapshot, in order. <c>new SnapshotAssembler(chunk)</c> takes only
    /// the snapshot's metadata (last included index and term, digest, configuration) from
    /// <paramref name="first"/>, whichever chunk of it that is, and holds no data yet: add
    /// <paramref name="first"/> itself with <see cref="TryAdd"/>, like every later chunk. (So a
    /// new assembler made from a chunk whose Offset is not 0 refuses it, and Length stays 0: the
    /// offset to ask the leader for.)
    /// </summary>
    private sealed class SnapshotAssembler(InstallSnapshot first)
    {
        private readonly List<byte> data = [];

        /// <summary>Where the snapshot ends: its last index and term, digest and configuration.</summary>
        public SnapshotMetadata Metadata { get; } =
            new(first.LastIncludedIndex, first.LastIncludedTerm, first.Digest, first.Configuration);

        /// <summary>How many bytes are held: the offset the next chunk must start at.</summary>
        public long Length => data.Count;

        /// <summary>Whether <paramref name="chunk"/> belongs to the snapshot being assembled.</summary>
        public bool IsFor(InstallSnapshot chunk) =>
            chunk.LastIncludedIndex == Metadata.LastIncludedIndex && chunk.LastIncludedTerm == Metadata.LastIncludedTerm;

        /// <summary>
        /// Adds the chunk if it belongs to this snapshot (<see cref="IsFor"/>) and starts exactly where
        /// the data so far ends; returns whether it did. A duplicate, a gap or another snapshot's chunk
        /// changes nothing.
        /// </summary>
        public bool TryAdd(InstallSnapshot chunk)
        {
            if (!IsFor(chunk) || chunk.Offset != Length) return false;
            data.AddRange(chunk.Data);
            return true;
        }

        /// <summary>The whole snapshot, once the chunk marked Done has been added (it does not check that it was).</summary>
        public Snapshot ToSnapshot() => new(Metadata, data.ToArray());
    }
}
