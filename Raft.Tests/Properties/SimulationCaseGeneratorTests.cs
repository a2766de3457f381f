using FsCheck;
using FsCheck.Fluent;
using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Faults;

namespace Raft.Tests.Properties;

/// <summary>The generated cases reach membership changes, and shrinking can take them away again.</summary>
public sealed class SimulationCaseGeneratorTests
{
    private static SimulationCase[] Sample() =>
        Gen.Sample(SimulationCaseGenerators.Generate(TeachingBug.None, withFaults: true), 200, new Rnd(PropertyRunner.FsCheckSeed, 1), 50); // 200 cases of size 50

    [Test]
    public void Generated_cases_include_spares_and_every_kind_of_membership_change()
    {
        var cases = Sample();

        Assert.That(cases.Count(c => c.Spares > 0), Is.GreaterThan(10));
        Assert.That(cases.Count(c => c.Spares == 0), Is.GreaterThan(100), "most cases keep the classic faults");
        var changes = cases.SelectMany(c => c.Schedule.OfType<MembershipFault>()).ToList();
        Assert.That(changes.Select(a => a.Kind).Distinct().Count(), Is.EqualTo(3));
        Assert.That(cases.All(c => c.Schedule.All(a => a is not MembershipFault m || m.Node <= c.Nodes + c.Spares)), Is.True, "only existing servers are named");
    }

    [Test]
    public void Shrinking_offers_the_case_without_each_membership_change_and_without_spares()
    {
        var c = Sample().First(c => c.Spares == 2 && c.Schedule.OfType<MembershipFault>().Any(a => a.Node > c.Nodes));
        var smaller = SimulationCaseGenerators.Shrink(c).ToList();

        foreach (var change in c.Schedule.OfType<MembershipFault>())
            Assert.That(smaller.Any(s => s.Spares == c.Spares && !s.Schedule.Contains(change) && s.Schedule.Count == c.Schedule.Count - 1), Is.True, $"without {change}");
        var noSpares = smaller.Single(s => s.Spares == 0);
        Assert.That(noSpares.Schedule.OfType<MembershipFault>().All(a => a.Node <= c.Nodes), Is.True, "actions naming a spare go with it");
        Assert.That(noSpares.ReplayCommand(), Does.Not.Contain("--spares"));
        Assert.That(c.ReplayCommand(), Does.Contain("--spares 2"));
    }
}
