using System.Diagnostics;
using Raft.Core.StateMachine;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.History;

namespace Raft.Tests.Linearizability;

public sealed class LinearizabilityCheckerTests
{
    [Test]
    public void A_sequential_legal_history_is_linearizable()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Get(2, "x", 20, 30, "1");
        h.Append(1, "x", "2", 40, 50, "12");
        h.Cas(2, "x", "12", "3", 60, 70, ok: true, "3");
        h.Get(1, "x", 80, 90, "3");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    [Test]
    public void Concurrent_operations_that_can_be_ordered_are_linearizable()
    {
        // put 1 is called first but must take effect after put 2: only that order explains the reads.
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 100);
        h.Put(2, "x", "2", 10, 30);
        h.Get(3, "x", 40, 50, "2");
        h.Get(3, "x", 60, 70, "1");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    [Test]
    public void A_read_that_misses_a_completed_write_is_a_violation()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Put(1, "x", "2", 20, 30);
        h.Get(2, "x", 40, 50, "1");

        var result = Check(h);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), result.Render());
        Assert.That(result.Key, Is.EqualTo("x"));
    }

    [Test]
    public void A_read_of_a_value_never_written_is_a_violation()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Get(2, "x", 0, 20, "7");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
    }

    [Test]
    public void Reads_that_see_a_new_value_and_then_the_old_one_are_a_violation()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Put(1, "x", "2", 20, 100);
        h.Get(2, "x", 30, 40, "2");
        var second = h.Get(3, "x", 50, 60, "1");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));

        // Control: had the second read also seen the new value, all is well.
        h.Operations[(int)second.Id] = second with { Result = new KvResult(true, "2") };
        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    [Test]
    public void A_write_without_a_reply_may_have_taken_effect()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Put(1, "x", "2", 20, null);
        h.Get(2, "x", 30, 40, "2");
        h.Get(2, "x", 1000, 1010, "2");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    [Test]
    public void A_write_without_a_reply_may_never_take_effect()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Put(1, "x", "2", 20, null);
        h.Get(2, "x", 30, 40, "1");
        h.Get(2, "x", 1000, 1010, "1");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    [Test]
    public void A_write_without_a_reply_cannot_take_effect_before_it_was_called()
    {
        var h = new HistoryBuilder();
        h.Get(2, "x", 0, 10, "2");
        h.Put(1, "x", "2", 20, null);

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
    }

    [Test]
    public void A_write_without_a_reply_cannot_be_undone_once_seen()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Put(1, "x", "2", 20, null);
        h.Get(2, "x", 30, 40, "2");
        h.Get(2, "x", 50, 60, "1");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
    }

    [Test]
    public void Concurrent_appends_may_land_in_either_order_but_results_must_agree_on_it()
    {
        var agree = new HistoryBuilder();
        agree.Append(1, "x", "a", 0, 100, "ba");
        agree.Append(2, "x", "b", 10, 20, "b");
        Assert.That(Check(agree).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));

        var disagree = new HistoryBuilder();
        disagree.Append(1, "x", "a", 0, 100, "ab");
        disagree.Append(2, "x", "b", 10, 20, "b");
        Assert.That(Check(disagree).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
    }

    [Test]
    public void Sequential_appends_must_be_reflected_in_call_order()
    {
        var h = new HistoryBuilder();
        h.Append(1, "x", "a", 0, 10, "a");
        h.Append(1, "x", "b", 20, 30, "ba");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
    }

    [Test]
    public void Compare_and_set_succeeds_exactly_when_the_expected_value_is_current()
    {
        var legal = new HistoryBuilder();
        legal.Cas(1, "x", null, "1", 0, 10, ok: true, "1");
        legal.Cas(1, "x", "1", "2", 20, 30, ok: true, "2");
        legal.Cas(2, "x", "1", "3", 40, 50, ok: false, "2");
        Assert.That(Check(legal).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));

        var failedThoughCurrent = new HistoryBuilder();
        failedThoughCurrent.Put(1, "x", "1", 0, 10);
        failedThoughCurrent.Cas(2, "x", "1", "3", 20, 30, ok: false, "1");
        Assert.That(Check(failedThoughCurrent).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));

        var succeededThoughStale = new HistoryBuilder();
        succeededThoughStale.Put(1, "x", "2", 0, 10);
        succeededThoughStale.Cas(2, "x", "1", "3", 20, 30, ok: true, "3");
        Assert.That(Check(succeededThoughStale).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
    }

    [Test]
    public void A_failed_compare_and_set_must_report_the_current_value()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "2", 0, 10);
        h.Cas(2, "x", "1", "3", 20, 30, ok: false, "1");

        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
    }

    [Test]
    public void Operations_that_only_touch_in_time_count_as_concurrent()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Get(2, "x", 10, 20, null);
        Assert.That(Check(h).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));

        var apart = new HistoryBuilder();
        apart.Put(1, "x", "1", 0, 10);
        apart.Get(2, "x", 11, 20, null);
        Assert.That(Check(apart).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
    }

    [Test]
    public void A_violation_on_one_key_is_reported_with_that_key_only()
    {
        var h = new HistoryBuilder();
        h.Put(1, "a", "1", 0, 10);
        h.Put(1, "b", "1", 0, 10);
        h.Put(1, "c", "1", 0, 10);
        h.Get(2, "a", 20, 30, "1");
        h.Get(2, "b", 20, 30, null);
        h.Get(2, "c", 20, 30, "1");

        var result = Check(h);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
        Assert.That(result.Key, Is.EqualTo("b"));
        Assert.That(result.IllegalHistory.Select(o => o.Command.Key), Has.All.EqualTo("b"));
    }

    [Test]
    public void The_reported_illegal_history_is_small_and_minimal_by_removal()
    {
        var h = new HistoryBuilder();
        var time = 0L;
        for (var i = 0; i < 16; i++)
        {
            // Noise: legal traffic on other keys, interleaved with writes to x.
            h.Put(1 + i % 3, "y", $"y{i}", time, time + 15);
            h.Get(2 + i % 3, "y", time + 20, time + 30, $"y{i}");
            h.Put(3, "x", $"x{i}", time + 5, time + 25);
            time += 40;
        }
        h.Append(4, "z", "!", time, time + 10, "!");
        var badRead = h.Get(5, "x", time + 20, time + 30, null);
        Assert.That(h.Operations, Has.Count.EqualTo(50));

        var result = Check(h);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), result.Render());
        Assert.That(result.IllegalHistory, Has.Count.InRange(2, 3), result.Render());
        Assert.That(result.IllegalHistory, Does.Contain(badRead));
        Assert.That(Check(result.IllegalHistory).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
        foreach (var op in result.IllegalHistory)
        {
            var rest = result.IllegalHistory.Where(o => o != op).ToList();
            Assert.That(Check(rest).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable), $"still illegal without {op}");
        }
    }

    [Test]
    public void The_rendering_shows_one_operation_per_line_with_its_interval_and_result()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        h.Put(1, "x", "2", 20, null);
        h.Get(2, "x", 40, 50, null);

        var lines = Check(h).Render().Split('\n');

        Assert.That(lines, Has.Length.EqualTo(4), string.Join('\n', lines));
        Assert.That(lines[0], Does.Contain("not linearizable").And.Contain("\"x\""));
        Assert.That(lines[1], Does.Contain("[0, 10]").And.Contain("put x=1").And.Contain("ok 1").And.Not.Contain("cannot be placed"));
        Assert.That(lines[2], Does.Contain("[40, 50]").And.Contain("get x").And.Contain("ok <none>").And.EndWith("<- cannot be placed"));
        Assert.That(lines[3], Does.StartWith("op2 is the first operation that cannot be placed")
            .And.Contain("linearizable up to its return at 50").And.Contain("a stale, early or overtaking answer"));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void A_large_random_legal_history_is_linearizable(int seed)
    {
        var history = RandomHistory.Legal(seed, operationCount: 2000, keyCount: 10, clientCount: 5);

        var stopwatch = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(history);
        stopwatch.Stop();
        TestContext.Out.WriteLine($"seed {seed}: {history.Count} ops checked in {stopwatch.ElapsedMilliseconds} ms, {result.Steps} steps");

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable), $"seed {seed}\n{result.Render()}");
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), $"seed {seed}");
    }

    [TestCase(1)]
    [TestCase(2)]
    public void A_large_random_history_with_one_corrupted_read_is_a_violation(int seed)
    {
        var history = RandomHistory.Legal(seed, operationCount: 2000, keyCount: 10, clientCount: 5);
        var index = history.FindIndex(o => o.IsComplete && o.Command.Operation == KvOperation.Get);
        history[index] = history[index] with { Result = new KvResult(true, "never written") };

        var result = LinearizabilityChecker.Check(history);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), $"seed {seed}");
        Assert.That(result.Key, Is.EqualTo(history[index].Command.Key), $"seed {seed}");
        Assert.That(LinearizabilityChecker.Check(history.Where((_, i) => i != index).ToList()).IsLinearizable, $"seed {seed}");
        // The corrupted read is the culprit, and a value never written needs no other operation to show it.
        Assert.That(result.Culprit, Is.EqualTo(history[index]), $"seed {seed}\n{result.Render()}");
        Assert.That(result.IllegalHistory, Is.EqualTo(new[] { history[index] }), $"seed {seed}\n{result.Render()}");
        Assert.That(Check(result.IllegalHistory).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), $"seed {seed}");
    }

    [TestCase(1, 1, 0.0)]
    [TestCase(2, 1, 0.1)]
    [TestCase(3, 2, 0.2)]
    public void A_contended_random_legal_history_is_linearizable(int seed, int keyCount, double pendingFraction)
    {
        var history = RandomHistory.Legal(seed, operationCount: 2000, keyCount, clientCount: 5, pendingFraction);

        var stopwatch = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(history);
        stopwatch.Stop();
        TestContext.Out.WriteLine($"seed {seed}: {history.Count} ops on {keyCount} keys, {pendingFraction:P0} without reply, checked in {stopwatch.ElapsedMilliseconds} ms, {result.Steps} steps");

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable), $"seed {seed}\n{result.Render()}");
    }

    [Test]
    public void The_search_agrees_with_brute_force_on_small_random_histories()
    {
        var verdicts = new SortedDictionary<bool, int> { [false] = 0, [true] = 0 };
        for (var seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            var history = RandomHistory.Legal(seed, operationCount: random.Next(2, 7), keyCount: 1, clientCount: 3, pendingFraction: 0.2);
            if (random.Next(2) == 0) Corrupt(history, random);

            var expected = BruteForceLinearizability.IsLinearizable(history);
            var result = LinearizabilityChecker.Check(history);

            Assert.That(result.IsLinearizable, Is.EqualTo(expected), $"seed {seed}\n{string.Join('\n', history)}\n{result.Render()}");
            verdicts[expected]++;
        }
        TestContext.Out.WriteLine($"{verdicts[true]} linearizable, {verdicts[false]} not");
        Assert.That(verdicts.Values, Has.All.GreaterThan(50), "both verdicts are exercised");
    }

    /// <summary>Replaces one completed answer by another value seen in the history (or none).</summary>
    private static void Corrupt(List<ClientOperation> history, Random random)
    {
        var completed = Enumerable.Range(0, history.Count).Where(i => history[i].IsComplete).ToList();
        if (completed.Count == 0) return;
        var index = completed[random.Next(completed.Count)];
        var values = history.Select(o => o.Result?.Value).Append(null).Distinct().ToList();
        var original = history[index].Result!;
        history[index] = history[index] with { Result = original with { Value = values[random.Next(values.Count)] } };
    }

    [Test]
    public void An_exhausted_step_budget_gives_an_unknown_outcome()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 100);
        h.Put(2, "x", "2", 10, 30);
        h.Get(3, "x", 40, 50, "2");
        h.Get(3, "x", 60, 70, "1");

        var starved = LinearizabilityChecker.Check(h.Operations, stepBudget: 3);
        var enough = LinearizabilityChecker.Check(h.Operations, stepBudget: 1000);

        Assert.That(starved.Outcome, Is.EqualTo(LinearizabilityOutcome.Unknown));
        Assert.That(starved.Key, Is.EqualTo("x"));
        Assert.That(starved.IsInconclusive && !starved.IsLinearizable);
        Assert.That(starved.Render(), Does.StartWith("inconclusive"));
        Assert.That(enough.Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    private static LinearizabilityResult Check(HistoryBuilder h) => LinearizabilityChecker.Check(h.Operations);

    private static LinearizabilityResult Check(IReadOnlyList<ClientOperation> history) => LinearizabilityChecker.Check(history);
}
