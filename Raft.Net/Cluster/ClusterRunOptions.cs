using Raft.Net.StateMachine;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Net.Cluster;

/// <summary>What <see cref="ClusterRun"/> does: cluster size, workload, faults, durability.</summary>
public sealed record ClusterRunOptions
{
    public int Nodes { get; init; } = 3;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Kill -9 a random node this often (and restart it a second later); null for no kills.</summary>
    public TimeSpan? KillEvery { get; init; }

    /// <summary>Cut a random link this often (restored a second later); null for no cuts.</summary>
    public TimeSpan? CutEvery { get; init; }

    /// <summary>Isolate a random node from all the others this often (healed a second later); null for none.</summary>
    public TimeSpan? PartitionEvery { get; init; }

    /// <summary>
    /// Run each node in its own network namespace and make cuts and partitions with iptables in the
    /// kernel (<see cref="KernelNetwork"/>) instead of asking the nodes to ignore each other.
    /// </summary>
    public bool KernelNetwork { get; init; }

    /// <summary>With <see cref="KernelNetwork"/>: every other link cut drops one direction only.</summary>
    public bool OneWayCuts { get; init; }

    /// <summary>With <see cref="KernelNetwork"/>: each node drops this fraction of the packets it receives, for the whole run.</summary>
    public double Loss { get; init; }

    /// <summary>
    /// With <see cref="KernelNetwork"/>: delay, jitter, duplication and reordering of the packets
    /// between servers, made by a shaper in each namespace (<see cref="Cluster.KernelNetwork.Shape"/>); null for none.
    /// </summary>
    public Shaping.PacketShaping? Shaping { get; init; }

    public int Clients { get; init; } = 3;

    public int Keys { get; init; } = 5;

    /// <summary>
    /// The keys a workload of <paramref name="clients"/> clients uses unless told: at least 5, and one
    /// per client beyond. With many clients on few keys every key's history is one long overlap of
    /// dozens of operations, which no linearizability search decides in reasonable time.
    /// </summary>
    public static int DefaultKeys(int clients) => Math.Max(5, clients);

    /// <summary>
    /// When above zero, every client operation is a put of a value of this many bytes (the DotNext
    /// comparison's 64-byte writes); otherwise the mixed workload (30% gets, 35% puts, 35% appends).
    /// </summary>
    public int WriteOnlyValueBytes { get; init; }

    public ulong Seed { get; init; } = 1;

    public bool Fsync { get; init; } = true;

    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Where the nodes keep their data; a fresh temporary directory when null.</summary>
    public string? DataRoot { get; init; }

    /// <summary>Keep the data directory afterwards (it is printed in the summary).</summary>
    public bool KeepData { get; init; }

    /// <summary>Each node snapshots and compacts its log every this many applied entries; 0 = never.</summary>
    public int SnapshotEvery { get; init; }

    /// <summary>Where the nodes keep their key-value state; with SQLite, the run also checks each node's database against the committed log.</summary>
    public StoreKind Store { get; init; } = StoreKind.Memory;

    /// <summary>Ask the current leader to hand leadership to another node this often; null for never.</summary>
    public TimeSpan? TransferEvery { get; init; }

    /// <summary>Serve gets through the log instead of with ReadIndex.</summary>
    public bool LogReads { get; init; }

    /// <summary>Extra servers, started outside the configuration (<c>--join</c>) but in every address book, for membership changes to add.</summary>
    public int Spares { get; init; }

    /// <summary>Change the membership this often (add a server, or remove a voter, keeping at least 3); null for never.</summary>
    public TimeSpan? ChangeEvery { get; init; }

    /// <summary>Kill only the current leader (for measuring re-election time).</summary>
    public bool KillLeaderOnly { get; init; }

    /// <summary>
    /// Servers discover each other (see <see cref="LocalCluster"/>), with a silence timeout shorter
    /// than a killed server's absence, so that kills also remove and re-add servers through the log.
    /// </summary>
    public bool Discover { get; init; }

    /// <summary>
    /// CurveZMQ between the servers (docs/security.md): keys are generated into <c>keys/</c> of the
    /// data directory and every node is started with <c>--curve</c>. Excludes <see cref="Discover"/>.
    /// </summary>
    public bool Curve { get; init; }

    /// <summary>Most search steps the linearizability check may spend on one key; a search that runs out makes the run inconclusive.</summary>
    public long LinearizabilityStepBudget { get; init; } = LinearizabilityChecker.DefaultStepBudget;
}
