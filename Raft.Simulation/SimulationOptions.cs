using Raft.Core;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation;

/// <summary>Everything that determines a run. Same options (seed included), same run, byte for byte.</summary>
public sealed record SimulationOptions
{
    public ulong Seed { get; init; } = 1;

    /// <summary>The voters the cluster starts with, n1..nNodes.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>
    /// Spare servers n(Nodes+1).. that run from the start with an empty configuration: they sit
    /// idle, never campaigning, until a membership change adds them (thesis §4.2.1).
    /// </summary>
    public int Spares { get; init; }

    /// <summary>Generated schedules also ask the leader to add voters, add learners and remove servers (thesis §4).</summary>
    public bool MembershipChanges { get; init; }

    /// <summary>Every server of the run: the initial voters and the spares.</summary>
    public int Servers => Nodes + Spares;

    public RaftOptions Raft { get; init; } = new();

    /// <summary>Length of one tick of a node's clock.</summary>
    public long TickMicros { get; init; } = 10_000;

    /// <summary>How long faults and new client requests go on.</summary>
    public long DurationMicros { get; init; } = 10_000_000;

    /// <summary>After <see cref="DurationMicros"/> faults stop; within this bound a leader must exist and every request complete.</summary>
    public long LivenessBoundMicros { get; init; } = 10_000_000;

    public LinkProfile Network { get; init; } = LinkProfile.Reliable;

    public FaultProfile Faults { get; init; } = FaultProfile.None;

    /// <summary>An explicit fault schedule; when null, one is generated from the seed and <see cref="Faults"/>.</summary>
    public IReadOnlyList<FaultAction>? Schedule { get; init; }

    public int Clients { get; init; } = 3;

    /// <summary>Number of keys the clients use (k1..kN).</summary>
    public int Keys { get; init; } = 5;

    /// <summary>A client that hears nothing for this long retries at another server.</summary>
    public long ClientTimeoutMicros { get; init; } = 200_000;

    /// <summary>Pause between a client's operations (uniform up to this).</summary>
    public long ClientThinkMicros { get; init; } = 20_000;

    /// <summary>Time for a disk write to become durable; messages that depend on it wait that long.</summary>
    public long DiskSyncMicros { get; init; } = 500;

    /// <summary>Largest relative clock-rate error of a node (0.05 = ticks up to 5% fast or slow). Chaos turns it on.</summary>
    public double MaxClockDrift { get; init; }

    /// <summary>How client reads (gets) are served; <see cref="ReadMode.Lease"/> needs <see cref="RaftOptions.LeaseReads"/>.</summary>
    public ReadMode Reads { get; init; } = ReadMode.ReadIndex;

    /// <summary>Share of client operations that are gets, in percent (the rest are writes).</summary>
    public int ReadPercent { get; init; } = 30;

    /// <summary>
    /// Log compaction (§7): a node snapshots its state machine and compacts its log whenever it has
    /// applied this many entries past its latest snapshot. 0 turns compaction off.
    /// </summary>
    public int SnapshotEveryEntries { get; init; }

    /// <summary>A deliberately broken effect executor (<see cref="Execution.DriverBug"/>), to show the durability check catches it.</summary>
    public Execution.DriverBug DriverBug { get; init; }

    /// <summary>Keep every trace event in memory (for replay output), not only the digest.</summary>
    public bool KeepTrace { get; init; }

    /// <summary>
    /// When the teaching bug was chosen by number (<c>--mystery N</c>, a bug hunt): N, so that the
    /// commands a run prints say <c>--mystery N</c> and not the bug's name. 0 otherwise.
    /// </summary>
    public int Mystery { get; init; }

    /// <summary>
    /// A calm run: no faults, so one election and one leader for good (<see cref="Checkers.Property.LeaderStability"/>).
    /// The command line sets it for <c>--faults none</c> without an explicit schedule or membership changes.
    /// </summary>
    public bool ExpectStableLeader { get; init; }

    /// <summary>
    /// How long a healthy majority (<see cref="Checkers.ProgressChecker"/>) with something to commit
    /// may go without committing, in longest election timeouts (2 x ElectionTicks ticks of the
    /// slowest clock <see cref="MaxClockDrift"/> allows); 0 turns the check off. Once a majority is
    /// on its own, its servers time out within one such timeout; an election and the new leader's
    /// no-op take a few round trips more. An attempt fails now and then (a split vote, a lost or
    /// long-held vote or append), and each retry costs another timeout, so the window allows
    /// several: with 10, a correct core fails only if about nine attempts in a row fail, which the
    /// loss and delay rates a window counts under (at most 10% together) make vanishingly rare. With
    /// 4 a correct core failed about one seed in a thousand (no leader elected in time: chaos with
    /// 5 nodes, long delays); with 10, none in 3,000 seeds of each explore profile. Shorter windows would
    /// catch more (a 3-server cluster with one server crashed for a second), at that price.
    /// </summary>
    public int ProgressWindowTimeouts { get; init; } = 10;

    /// <summary>The progress window in virtual time (<see cref="ProgressWindowTimeouts"/>).</summary>
    public long ProgressWindowMicros => (long)(ProgressWindowTimeouts * 2L * Raft.ElectionTicks * TickMicros * (1 + MaxClockDrift));

    /// <summary>
    /// Most search steps the linearizability check may spend on one key's history. A search that
    /// runs out is inconclusive (<see cref="SimulationResult.Inconclusive"/>), never a pass.
    /// </summary>
    public long LinearizabilityStepBudget { get; init; } = LinearizabilityChecker.DefaultStepBudget;

    public SimulationOptions Validate()
    {
        if (Nodes is < 1 or > 9) throw new ArgumentException("nodes must be between 1 and 9");
        if (Spares is < 0 or > 4) throw new ArgumentException("spares must be between 0 and 4");
        if (Clients < 0) throw new ArgumentException("clients must not be negative");
        if (ReadPercent is < 0 or > 100) throw new ArgumentException("read percent must be between 0 and 100");
        if (SnapshotEveryEntries < 0) throw new ArgumentException("snapshot-every must not be negative");
        if (Keys < 1) throw new ArgumentException("keys must be at least 1");
        if (TickMicros < 1 || DurationMicros < 0 || LivenessBoundMicros < 0) throw new ArgumentException("times must be positive");
        if (ProgressWindowTimeouts < 0) throw new ArgumentException("the progress window must not be negative");
        if (LinearizabilityStepBudget < 1) throw new ArgumentException("the linearizability step budget must be at least 1");
        Raft.Validate();
        if ((Reads == ReadMode.Lease) != Raft.LeaseReads) throw new ArgumentException("lease reads need both Reads = Lease and RaftOptions.LeaseReads");
        return this;
    }
}
