namespace Raft.Core.Node;

/// <summary>
/// A leader's view of one follower (Figure 2's nextIndex and matchIndex, plus flow control).
/// Invariants: 0 &lt;= Match &lt; Next, and Match &lt;= HighestSent &lt;= the leader's last index.
/// </summary>
public sealed class Progress
{
    private readonly Queue<long> inflightLastIndices = new();
    private long firstMessageIdSinceBackOff;

    public Progress(long next)
    {
        Next = next;
    }

    /// <summary>Highest index known to be replicated on the follower.</summary>
    public long Match { get; private set; }

    /// <summary>Index of the next entry to send.</summary>
    public long Next { get; private set; }

    public ReplicationState State { get; private set; } = ReplicationState.Probe;

    /// <summary>
    /// Highest index sent to the follower: the last entry of an AppendEntries (its PrevLogIndex for
    /// a heartbeat), or a snapshot's last index. No acknowledgement from a correct follower exceeds
    /// it, so the leader never believes a follower holds entries it was not sent.
    /// </summary>
    public long HighestSent { get; private set; }

    /// <summary>Whether the follower sent anything in the current CheckQuorum period (thesis §6.2).</summary>
    public bool RecentlyActive { get; private set; }

    public void MarkRecentlyActive() => RecentlyActive = true;

    /// <summary>Starts a new CheckQuorum period; returns whether the follower was active in the last one.</summary>
    public bool EndActivityPeriod()
    {
        var wasActive = RecentlyActive;
        RecentlyActive = false;
        return wasActive;
    }

    /// <summary>In Probe, whether a probe is outstanding in this heartbeat period.</summary>
    public bool ProbeSent { get; private set; }

    /// <summary>AppendEntries with entries sent and not yet acknowledged (Replicate only).</summary>
    public int Inflight => inflightLastIndices.Count;

    /// <summary>In Snapshot, the last index of the snapshot being sent.</summary>
    public long SnapshotIndex { get; private set; }

    /// <summary>In Snapshot, the byte offset the follower expects next.</summary>
    public long SnapshotOffset { get; private set; }

    /// <summary>True if no more entries may be sent now.</summary>
    public bool IsPaused(int maxInflight) => State switch
    {
        ReplicationState.Probe => ProbeSent,
        ReplicationState.Replicate => Inflight >= maxInflight,
        _ => true, // no entries while a snapshot is on its way
    };

    /// <summary>Starts sending the snapshot that ends at <paramref name="snapshotIndex"/>, from its first byte.</summary>
    public void StartSnapshot(long snapshotIndex)
    {
        State = ReplicationState.Snapshot;
        SnapshotIndex = snapshotIndex;
        HighestSent = Math.Max(HighestSent, snapshotIndex); // its first chunk goes out at once
        SnapshotOffset = 0;
        inflightLastIndices.Clear();
    }

    /// <summary>
    /// The follower holds <paramref name="nextOffset"/> bytes of the snapshot. Returns true if that
    /// changed where the next chunk starts (a duplicated reply changes nothing).
    /// </summary>
    public bool MaybeMoveSnapshotOffset(long nextOffset)
    {
        if (nextOffset == SnapshotOffset) return false;
        SnapshotOffset = nextOffset;
        return true;
    }

    /// <summary>Records an AppendEntries sent with <paramref name="entryCount"/> entries after <paramref name="prevIndex"/> (none for a heartbeat).</summary>
    public void SentAppend(long prevIndex, int entryCount)
    {
        var lastIndex = prevIndex + entryCount;
        HighestSent = Math.Max(HighestSent, lastIndex);
        if (entryCount == 0) return; // a heartbeat takes no part in flow control
        if (State == ReplicationState.Replicate)
        {
            inflightLastIndices.Enqueue(lastIndex);
            Next = lastIndex + 1;
        }
        else
        {
            ProbeSent = true;
        }
    }

    /// <summary>A new heartbeat period: allow one more probe.</summary>
    public void AllowProbe() => ProbeSent = false;

    /// <summary>
    /// The follower acknowledged a match up to <paramref name="index"/>, at most <see cref="HighestSent"/>.
    /// Returns true if Match advanced. Duplicated or reordered acknowledgements are harmless: Match only grows.
    /// </summary>
    public bool MaybeAcknowledge(long index)
    {
        if (index > HighestSent) throw new ArgumentOutOfRangeException(nameof(index), index, $"acknowledges more than was sent ({this})");
        while (inflightLastIndices.Count > 0 && inflightLastIndices.Peek() <= index) inflightLastIndices.Dequeue();
        ProbeSent = false;
        if (index <= Match) return false;
        Match = index;
        Next = Math.Max(Next, index + 1);
        if (State == ReplicationState.Snapshot && index < SnapshotIndex) return true; // still needs the snapshot
        if (State != ReplicationState.Replicate)
        {
            State = ReplicationState.Replicate; // from Probe, or from Snapshot once it is installed
            inflightLastIndices.Clear();
        }
        return true;
    }

    /// <summary>
    /// Whether a rejection of PrevLogIndex <paramref name="rejected"/>, answering message
    /// <paramref name="inReplyTo"/>, is news; a stale one, duplicated or overtaken by later replies,
    /// must not move Next (etcd's MaybeDecrTo rule, sharpened with message ids). It is stale if it
    /// answers an AppendEntries sent before the last back-off, which already acted on what the
    /// follower's log was then; in Probe, unless it is about the probe at Next - 1; in Replicate,
    /// unless it is above Match (known to match) and below Next (sent).
    /// </summary>
    public bool IsCurrentRejection(long rejected, long inReplyTo) => inReplyTo >= firstMessageIdSinceBackOff && State switch
    {
        ReplicationState.Probe => rejected == Next - 1 && rejected > Match,
        ReplicationState.Replicate => rejected > Match && rejected < Next,
        _ => false, // a snapshot is on its way: it settles what the follower holds
    };

    /// <summary>
    /// The follower rejected; start probing at <paramref name="next"/> (never at or below Match).
    /// Messages from <paramref name="firstMessageIdAfter"/> on are sent after this back-off.
    /// </summary>
    public void BackOffTo(long next, long firstMessageIdAfter)
    {
        if (State == ReplicationState.Snapshot) return; // a (stale) rejection tells nothing a snapshot will not fix
        firstMessageIdSinceBackOff = firstMessageIdAfter;
        Next = Math.Max(Match + 1, next);
        State = ReplicationState.Probe;
        ProbeSent = false;
        inflightLastIndices.Clear();
    }

    public override string ToString() => State == ReplicationState.Snapshot
        ? $"match={Match} next={Next} {State} snapshot={SnapshotIndex} offset={SnapshotOffset}"
        : $"match={Match} next={Next} {State} inflight={Inflight}";
}
