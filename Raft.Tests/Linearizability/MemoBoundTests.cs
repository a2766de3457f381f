using Raft.Core.StateMachine;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability;

/// <summary>
/// The search's memo has a memory bound (<see cref="PartitionSearch{TInput, TOutput, TState}.DefaultMemoBytes"/>).
/// A full memo stops remembering: it may cost steps, never a verdict.
/// </summary>
public sealed class MemoBoundTests
{
    private static LinearizabilityOutcome Search(IReadOnlyList<ModelOperation<KvCommand, KvResult>> operations, long memoBytes)
    {
        var search = new PartitionSearch<KvCommand, KvResult, string?>(new KvModel(), operations, memoBytes);
        Assert.That(search.Advance(50_000_000), Is.True, "decided within the budget");
        return search.Outcome;
    }

    /// <summary>One key's operations of a random legal history with many clients (long overlaps, a memo that fills up).</summary>
    private static List<ModelOperation<KvCommand, KvResult>> OneKey(int seed) =>
        RandomHistory.Legal(seed, operationCount: 120, keyCount: 1, clientCount: 12)
            .Select(LinearizabilityChecker.ToModel).ToList();

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void A_full_memo_changes_no_verdict_on_a_legal_history(int seed)
    {
        var operations = OneKey(seed);
        Assert.That(Search(operations, PartitionSearch<KvCommand, KvResult, string?>.DefaultMemoBytes), Is.EqualTo(LinearizabilityOutcome.Linearizable));
        Assert.That(Search(operations, memoBytes: 1), Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void A_full_memo_still_finds_a_read_of_a_value_never_written(int seed)
    {
        var operations = OneKey(seed);
        var read = operations.FindIndex(o => o.Input.Operation == KvOperation.Get && o.Output is { Ok: true } && o.ReturnedAt is not null);
        Assume.That(read, Is.GreaterThanOrEqualTo(0), "the history has a completed get");
        operations[read] = operations[read] with { Output = new KvResult(true, "never written") };
        Assert.That(Search(operations, PartitionSearch<KvCommand, KvResult, string?>.DefaultMemoBytes), Is.EqualTo(LinearizabilityOutcome.Violation));
        Assert.That(Search(operations, memoBytes: 1), Is.EqualTo(LinearizabilityOutcome.Violation));
    }
}
