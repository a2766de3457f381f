using Raft.Core.StateMachine;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.History;

namespace Raft.Tests.Linearizability;

/// <summary>
/// A shrunk non-linearizable history must point at the culprit. The trap: shrinking by dropping
/// operations while the rest stays illegal drops the write another read saw, and that read then
/// looks illegal on its own, so the report blames an innocent read.
/// </summary>
public sealed class StaleReadShrinkingTests
{
    [Test]
    public void The_shrunk_history_of_an_injected_stale_read_blames_that_read_and_no_other()
    {
        var sizes = new List<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            var history = UniqueValueHistory.Legal(seed, operationCount: 60, keyCount: 2, clientCount: 4);
            Assert.That(LinearizabilityChecker.Check(history).IsLinearizable, $"seed {seed}: the generated history is legal");
            var injected = UniqueValueHistory.InjectStaleRead(history, new Random(seed));
            var context = $"seed {seed}, injected {injected}";

            var result = LinearizabilityChecker.Check(history);

            Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), context);
            Assert.That(result.Key, Is.EqualTo(injected.Command.Key), context);
            Assert.That(result.Culprit, Is.EqualTo(injected), $"{context}\n{result.Render()}");
            Assert.That(result.CulpritIsMistimed, $"{context}: a stale value was right earlier\n{result.Render()}");
            Assert.That(result.IllegalHistory, Does.Contain(injected), $"{context}\n{result.Render()}");
            // No other operation is blamed: as the history stood when the injected read returned, the
            // shrunk history without that read's answer is linearizable (every other read keeps its write).
            var key = history.Where(o => o.Command.Key == injected.Command.Key).Select(ToModel).ToList();
            var asThen = GenericModelTests.AsWhenReturned(key, result.IllegalHistory.Select(ToModel), ToModel(injected));
            var withoutItsAnswer = asThen.Select(o => o.Id == injected.Id ? o with { Output = null, ReturnedAt = null } : o).ToList();
            Assert.That(LinearizabilityChecker.Check(new KvModel(), withoutItsAnswer).IsLinearizable, $"{context}: the blame moved\n{result.Render()}");
            Assert.That(LinearizabilityChecker.Check(result.IllegalHistory).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), $"{context}\n{result.Render()}");
            Assert.That(result.IllegalHistory, Has.Count.InRange(3, 6), $"{context}: the write of the stale value, one that overwrote it, the read (and what the writes' answers need)\n{result.Render()}");
            sizes.Add(result.IllegalHistory.Count);
        }
        TestContext.Out.WriteLine($"shrunk sizes: {string.Join(' ', sizes)}");
    }

    private static ModelOperation<KvCommand, KvResult> ToModel(ClientOperation op) => new(op.Id, op.Command, op.Result, op.InvokedAt, op.CompletedAt);

    [Test]
    public void The_rendering_marks_the_culprit_and_says_its_answer_is_stale()
    {
        var history = UniqueValueHistory.Legal(seed: 7, operationCount: 60, keyCount: 2, clientCount: 4);
        var injected = UniqueValueHistory.InjectStaleRead(history, new Random(7));

        var lines = LinearizabilityChecker.Check(history).Render().Split('\n');

        Assert.That(lines, Has.One.Contains($"op{injected.Id} [").And.EndsWith("<- cannot be placed"));
        Assert.That(lines[^1], Does.StartWith($"op{injected.Id} is the first operation that cannot be placed")
            .And.Contain($"up to its return at {injected.CompletedAt}").And.Contain("a stale, early or overtaking answer"));
    }
}
