using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Storage;
using Raft.Simulation.Checkers;
using static Raft.Tests.Checkers.CheckedCluster;

namespace Raft.Tests.Checkers;

/// <summary>
/// A safety checker that keeps only a digest of each applied entry (the real run's replay, to bound
/// its memory) still finds two servers applying different entries at one index.
/// </summary>
public sealed class AppliedDigestTests
{
    private static readonly NodeId N1 = new(1), N2 = new(2);

    private static IReadOnlyList<Violation> TwoServersApplyAtIndexOne(SafetyChecker checker, string secondCommand)
    {
        foreach (var (id, command) in new[] { (N1, "a"), (N2, secondCommand) })
        {
            var node = new ScriptedNode(id, [N1, N2]) { Term = 1 };
            checker.OnStart(node, new HardState(1, null), 0);
            var write = node.Write(1, Entry(1, 1, "a"));
            node.CommitIndex = 1;
            node.LastApplied = 1;
            checker.AfterStep(node, [write, new ApplyEntry(Entry(1, 1, command))], 1);
        }
        return checker.Violations;
    }

    [Test]
    public void Different_entries_applied_at_one_index_are_a_violation_whether_the_checker_keeps_entries_or_digests()
    {
        var kept = TwoServersApplyAtIndexOne(new SafetyChecker(keepAppliedEntries: true), "b");
        var digests = TwoServersApplyAtIndexOne(new SafetyChecker(keepAppliedEntries: false), "b");

        Assert.That(kept.Where(v => v.Property == Property.StateMachineSafety).Select(v => v.Message),
            Is.EqualTo(new[] { $"n2 applied {Entry(1, 1, "b")} at index 1, but n1 applied {Entry(1, 1, "a")}" }));
        Assert.That(digests.Where(v => v.Property == Property.StateMachineSafety).Select(v => v.Message),
            Is.EqualTo(new[] { $"n2 applied {Entry(1, 1, "b")} at index 1, but n1 applied another entry there" }));
        Assert.That(digests.Select(v => v.Property), Is.EqualTo(kept.Select(v => v.Property)), "the same violations otherwise");
    }

    [Test]
    public void The_same_entry_applied_by_two_servers_is_no_violation_and_a_digest_checker_keeps_no_entry()
    {
        var checker = new SafetyChecker(keepAppliedEntries: false);

        Assert.That(TwoServersApplyAtIndexOne(checker, "a"), Is.Empty);
        Assert.That(() => checker.AppliedAt(1), Throws.InvalidOperationException);
    }
}
