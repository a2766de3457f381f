using BenchmarkDotNet.Attributes;
using Raft.Core.StateMachine;

namespace Raft.Benchmarks.Core;

/// <summary>
/// The core's cost per committed command on three voters, disk and network free: a proposal, the
/// leader's append and broadcast, the followers' appends and answers, the commit and the apply.
/// <see cref="Batch"/> proposals are made before the messages flow: 1 is one round trip per
/// command; more lets the leader carry many entries per AppendEntries.
/// </summary>
[MemoryDiagnoser]
public class ProposeToCommitBenchmarks
{
    private const int CompactEvery = 4096;
    private InMemoryCluster cluster = null!;
    private long sequence;
    private long compactedAt;

    [Params(1, 64)]
    public int Batch { get; set; }

    /// <summary>With the simulator's <see cref="Raft.Simulation.Checkers.SafetyChecker"/> watching every step: the difference is its cost.</summary>
    [Params(false, true)]
    public bool Checked { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        cluster = new InMemoryCluster(voters: 3, Checked);
        (sequence, compactedAt) = (0, 0);
    }

    /// <summary>
    /// One invocation commits 64 commands, <see cref="Batch"/> per round; the figures are per
    /// command. Each command is encoded here, as a client would (one client writing one key, so
    /// snapshots stay small however long the run).
    /// </summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public long ProposeToCommit()
    {
        for (var round = 0; round < 64 / Batch; round++)
        {
            var before = cluster.Applied;
            for (var i = 0; i < Batch; i++) cluster.Propose(new KvCommand(1, ++sequence, KvOperation.Put, "k", "value").Encode());
            cluster.DeliverAll();
            if (cluster.Applied != before + Batch) throw new InvalidOperationException("the proposals were not all committed");
        }
        if (cluster.Applied - compactedAt >= CompactEvery)
        {
            cluster.Compact();
            compactedAt = cluster.Applied;
        }
        return cluster.Applied;
    }
}
