namespace Raft.Core;

/// <summary>Tunable limits and timings of a node. Times are in ticks; the driver decides how long a tick is.</summary>
public sealed record RaftOptions
{
    /// <summary>Base election timeout. Each timeout is drawn uniformly from [ElectionTicks, 2*ElectionTicks) (§5.2).</summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>A leader sends heartbeats every this many ticks. Must be well below <see cref="ElectionTicks"/>.</summary>
    public int HeartbeatTicks { get; init; } = 2;

    /// <summary>Most entries carried by one AppendEntries.</summary>
    public int MaxEntriesPerAppend { get; init; } = 64;

    /// <summary>Most payload bytes carried by one AppendEntries (at least one entry is always sent).</summary>
    public int MaxBytesPerAppend { get; init; } = 1 << 20;

    /// <summary>Most AppendEntries with entries in flight to one follower while replicating (pipelining bound).</summary>
    public int MaxInflightAppends { get; init; } = 8;

    /// <summary>Most snapshot bytes carried by one InstallSnapshot chunk (§7).</summary>
    public int MaxSnapshotChunkBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Most bytes of a snapshot a follower accepts from a leader (1 GiB by default). A transfer that
    /// would grow past it is dropped and counted as implausible, so a faulty leader cannot fill the
    /// follower's memory; set it above the largest state machine the cluster will ever hold.
    /// </summary>
    public long MaxSnapshotBytes { get; init; } = 1L << 30;

    /// <summary>
    /// PreVote (thesis §9.6): before a real election a node asks whether it could win, without
    /// changing its term, so a node that was cut off cannot force a stable leader out by raising the term.
    /// </summary>
    public bool PreVote { get; init; }

    /// <summary>
    /// CheckQuorum (thesis §6.2): a leader that has not heard from a majority within an election
    /// timeout steps down; and followers that heard from a leader within the minimum election
    /// timeout refuse to vote (the leader lease of thesis §4.2.3).
    /// </summary>
    public bool CheckQuorum { get; init; }

    /// <summary>
    /// Lease reads (thesis §6.4.1): a leader that a majority acknowledged recently answers reads at
    /// once, without a confirmation round. Requires <see cref="CheckQuorum"/> and clocks whose rates
    /// differ by little (see LinearizableReads.cs); otherwise a deposed leader can serve stale reads.
    /// </summary>
    public bool LeaseReads { get; init; }

    /// <summary>
    /// How long a read lease lasts, counted on the leader's clock from when it sent the message a
    /// majority acknowledged (thesis §6.4.1): an election timeout less a fifth (at least a tick).
    /// </summary>
    public int LeaseTicks => ElectionTicks - Math.Max(1, ElectionTicks / 5);

    /// <summary>
    /// How many ticks the lease ends before any follower that acknowledged may vote again, the room
    /// left for clock drift. That follower refuses votes until ElectionTicks of its ticks have passed
    /// since it heard from the leader (thesis §4.2.3), which is only sure to be more than
    /// ElectionTicks - 1 tick lengths (its first tick may come at once); the lease ends within
    /// <see cref="LeaseTicks"/> tick lengths of sending. With the defaults (10, lease 8) the margin
    /// is a tick: clocks may differ in rate by about 12%. Below 10 ticks it is none.
    /// </summary>
    public int LeaseDriftMarginTicks => ElectionTicks - 1 - LeaseTicks;

    /// <summary>
    /// Thesis §10.2.1: the driver may send a leader's AppendEntries before the leader's own new
    /// entries are durable (its disk write and the followers' then overlap), and reports its
    /// durable log with <see cref="Inputs.LogPersisted"/>; the leader counts itself in the commit
    /// majority only up to that. Every other message still waits for the persists before it.
    /// Off: every effect waits for the persists before it, and no report is needed.
    /// </summary>
    public bool LeaderPersistsInParallel { get; init; }

    /// <summary>A deliberately wrong variant of the algorithm; <see cref="TeachingBug.None"/> in real use.</summary>
    public TeachingBug Bug { get; init; } = TeachingBug.None;

    /// <summary>Throws if the options cannot work together.</summary>
    public RaftOptions Validate()
    {
        if (ElectionTicks < 2) throw new ArgumentException("ElectionTicks must be at least 2.");
        if (HeartbeatTicks < 1 || HeartbeatTicks >= ElectionTicks) throw new ArgumentException("HeartbeatTicks must be in [1, ElectionTicks).");
        if (MaxEntriesPerAppend < 1) throw new ArgumentException("MaxEntriesPerAppend must be at least 1.");
        if (MaxBytesPerAppend < 1) throw new ArgumentException("MaxBytesPerAppend must be at least 1.");
        if (MaxInflightAppends < 1) throw new ArgumentException("MaxInflightAppends must be at least 1.");
        if (LeaseReads && !CheckQuorum) throw new ArgumentException("LeaseReads requires CheckQuorum.");
        if (LeaseReads && LeaseDriftMarginTicks < 1)
            throw new ArgumentException("LeaseReads needs ElectionTicks of at least 10: with fewer the lease leaves no margin for clock drift.");
        if (MaxSnapshotChunkBytes < 1) throw new ArgumentException("MaxSnapshotChunkBytes must be at least 1.");
        if (MaxSnapshotBytes < 1) throw new ArgumentException("MaxSnapshotBytes must be at least 1.");
        return this;
    }
}
