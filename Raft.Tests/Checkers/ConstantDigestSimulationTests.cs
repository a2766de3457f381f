using Raft.Core;
using Raft.Core.Node;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Faults;

namespace Raft.Tests.Checkers;

/// <summary>
/// The simulator's verdict does not depend on the digests a node reports: the same seeds, run with
/// nodes whose logs claim digest 0 for every prefix, find exactly the same violations.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public sealed class ConstantDigestSimulationTests
{
    private static Violation? Verdict(ulong seed, TeachingBug bug, bool constantDigest)
    {
        var options = new SimulationOptions
        {
            Seed = seed,
            Nodes = 5,
            Faults = FaultProfile.Partitions,
            DurationMicros = 5_000_000,
            Raft = new RaftOptions { Bug = bug },
        };
        Func<NodeSpec, IRaftNode>? factory = constantDigest
            ? spec => new LyingNode(new RaftNode(spec.Id, spec.Members, spec.Options, spec.Random, spec.Persisted, spec.FirstMessageId), constantDigest: true)
            : null;
        return new Raft.Simulation.Simulation(options, factory).Run().Violation;
    }

    [TestCase(TeachingBug.SkipPrevLogTermCheck, 4)]
    [TestCase(TeachingBug.VoteWithoutLogCheck, 3)]
    [TestCase(TeachingBug.None, 3)]
    public void Nodes_reporting_a_constant_digest_get_the_same_verdicts(TeachingBug bug, int seeds)
    {
        var honest = Enumerable.Range(1, seeds).Select(s => Verdict((ulong)s, bug, constantDigest: false)).ToList();
        var lying = Enumerable.Range(1, seeds).Select(s => Verdict((ulong)s, bug, constantDigest: true)).ToList();

        Assert.That(lying, Is.EqualTo(honest));
        if (bug != TeachingBug.None) Assert.That(honest, Has.Some.Not.Null, $"{bug} is caught within {seeds} seeds");
        else Assert.That(honest, Has.All.Null);
        foreach (var violation in honest.OfType<Violation>()) TestContext.Out.WriteLine(violation);
    }
}
