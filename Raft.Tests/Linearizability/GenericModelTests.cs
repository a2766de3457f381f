using Raft.Simulation.Checkers.Linearizability;
using Raft.Tests.Linearizability.Models;
using static Raft.Tests.Linearizability.Models.CasRegisterModel;

namespace Raft.Tests.Linearizability;

/// <summary>
/// The checker is not only for the key-value store: any model gets partitioning, the step budget,
/// the culprit and the small illegal history, and the rendering. Three models show it: registers
/// with compare-and-set, a counter and a FIFO queue.
/// </summary>
public sealed class GenericModelTests
{
    private static readonly CasRegisterModel Registers = new();
    private static readonly CounterModel Counter = new();
    private static readonly FifoQueueModel Queue = new();

    // ---- registers with compare-and-set ------------------------------------------------------

    [Test]
    public void Registers_are_checked_one_partition_at_a_time()
    {
        // Read as one register, r2's write would hide r1's: only per-register state explains the reads.
        var history = new List<ModelOperation<Op, Reply>>
        {
            new(0, new Op("r1", Kind.Write, 1), new Reply(true, 1), 0, 10),
            new(1, new Op("r2", Kind.Write, 2), new Reply(true, 2), 20, 30),
            new(2, new Op("r1", Kind.Read), new Reply(true, 1), 40, 50),
            new(3, new Op("r2", Kind.Cas, 5, Expected: 2), new Reply(true, 5), 60, 70),
        };

        Assert.That(LinearizabilityChecker.Check(Registers, history).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
        Assert.That(LinearizabilitySearch.Run(Registers, history, LinearizabilityChecker.DefaultStepBudget).Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    [Test]
    public void A_compare_and_set_that_succeeds_on_a_stale_value_is_the_culprit()
    {
        var history = new List<ModelOperation<Op, Reply>>
        {
            new(0, new Op("r1", Kind.Write, 1), new Reply(true, 1), 0, 10),
            new(1, new Op("r2", Kind.Write, 9), new Reply(true, 9), 0, 10),
            new(2, new Op("r1", Kind.Write, 2), new Reply(true, 2), 20, 30),
            new(3, new Op("r2", Kind.Read), new Reply(true, 9), 20, 30),
            new(4, new Op("r1", Kind.Cas, 3, Expected: 1), new Reply(true, 3), 40, 50),
            new(5, new Op("r1", Kind.Read), new Reply(true, 3), 60, 70),
        };

        var result = LinearizabilityChecker.Check(Registers, history);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), result.Render());
        Assert.That(result.Partition, Is.EqualTo("r1"));
        Assert.That(result.Culprit?.Id, Is.EqualTo(4), result.Render());
        Assert.That(result.CulpritIsMistimed, "expecting 1 would have worked before the write of 2");
        Assert.That(result.IllegalHistory.Select(o => o.Id), Is.EquivalentTo(new long[] { 0, 2, 4 }), result.Render());
        Assert.That(result.Render(), Does.Contain("cas r1 1->3 -> ok 3   <- cannot be placed").And.Contain("write r1=2 -> ok 2"));
    }

    [Test]
    public void The_search_agrees_with_the_definition_for_registers() =>
        AgreesWithTheDefinition(Registers, CasRegisterModel.Apply, random => random.Next(3) switch
        {
            0 => new Op($"r{random.Next(2)}", Kind.Read),
            1 => new Op($"r{random.Next(2)}", Kind.Write, random.Next(1, 4)),
            _ => new Op($"r{random.Next(2)}", Kind.Cas, random.Next(1, 4), random.Next(0, 4)),
        });

    // ---- counter --------------------------------------------------------------------------------

    [Test]
    public void Concurrent_adds_may_take_effect_in_either_order()
    {
        var history = new List<ModelOperation<CounterModel.Op, CounterModel.Reply>>
        {
            new(0, CounterModel.Op.Add(1), new CounterModel.Reply(3), 0, 100),
            new(1, CounterModel.Op.Add(2), new CounterModel.Reply(2), 10, 20),
            new(2, CounterModel.Op.Read, new CounterModel.Reply(3), 110, 120),
        };

        Assert.That(LinearizabilityChecker.Check(Counter, history).IsLinearizable);
    }

    [Test]
    public void Two_adds_that_both_see_the_first_increment_are_a_violation_no_timing_explains()
    {
        var history = new List<ModelOperation<CounterModel.Op, CounterModel.Reply>>
        {
            new(0, CounterModel.Op.Add(1), new CounterModel.Reply(1), 0, 10),
            new(1, CounterModel.Op.Add(1), new CounterModel.Reply(1), 5, 15),
        };

        var result = LinearizabilityChecker.Check(Counter, history);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
        Assert.That(result.Culprit?.Id, Is.EqualTo(1), "the history is linearizable until the second add returns");
        Assert.That(result.CulpritIsMistimed, Is.False);
        Assert.That(result.Render(), Does.Contain("no order of these operations that respects real time gives its answer"));
    }

    [Test]
    public void A_returned_add_whose_answer_was_not_recorded_took_effect_by_its_return()
    {
        var seenZero = new List<ModelOperation<CounterModel.Op, CounterModel.Reply>>
        {
            new(0, CounterModel.Op.Add(5), null, 0, 10),
            new(1, CounterModel.Op.Read, new CounterModel.Reply(0), 20, 30),
        };
        var seenFive = new List<ModelOperation<CounterModel.Op, CounterModel.Reply>>
        {
            seenZero[0],
            seenZero[1] with { Output = new CounterModel.Reply(5) },
        };

        var zero = LinearizabilityChecker.Check(Counter, seenZero);

        Assert.That(zero.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
        Assert.That(zero.Render(), Does.Contain("op0 [0, 10] add 5 -> answer not recorded"));
        Assert.That(LinearizabilityChecker.Check(Counter, seenFive).IsLinearizable);
    }

    [Test]
    public void The_search_agrees_with_the_definition_for_a_counter() =>
        AgreesWithTheDefinition(Counter, CounterModel.Apply, random => random.Next(3) == 0 ? CounterModel.Op.Read : CounterModel.Op.Add(random.Next(1, 3)));

    [Test]
    public void A_contended_counter_runs_out_of_a_small_budget_and_says_so()
    {
        var history = RandomModelHistory.Legal(Counter, CounterModel.Apply, random => CounterModel.Op.Add(1), seed: 5, operationCount: 200, clientCount: 8);

        var starved = LinearizabilityChecker.Check(Counter, history, stepBudget: 50);
        var enough = LinearizabilityChecker.Check(Counter, history);

        Assert.That(starved.Outcome, Is.EqualTo(LinearizabilityOutcome.Unknown));
        Assert.That(starved.IsLinearizable, Is.False, "inconclusive is not a pass");
        Assert.That(starved.Partition, Is.EqualTo("counter"));
        Assert.That(starved.Render(), Does.StartWith("inconclusive: the search gave up on partition \"counter\""));
        Assert.That(enough.Outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable), enough.Render());
    }

    // ---- FIFO queue ------------------------------------------------------------------------------

    [Test]
    public void Concurrent_enqueues_may_be_dequeued_in_either_order()
    {
        var history = new List<ModelOperation<FifoQueueModel.Op, FifoQueueModel.Reply>>
        {
            new(0, FifoQueueModel.Op.Enqueue(1), new FifoQueueModel.Reply(true), 0, 10),
            new(1, FifoQueueModel.Op.Enqueue(2), new FifoQueueModel.Reply(true), 5, 15),
            new(2, FifoQueueModel.Op.Dequeue, new FifoQueueModel.Reply(true, 2), 20, 30),
            new(3, FifoQueueModel.Op.Dequeue, new FifoQueueModel.Reply(true, 1), 40, 50),
        };

        Assert.That(LinearizabilityChecker.Check(Queue, history).IsLinearizable);
    }

    [Test]
    public void A_dequeue_that_overtakes_an_earlier_element_is_the_culprit_with_both_enqueues()
    {
        var history = new List<ModelOperation<FifoQueueModel.Op, FifoQueueModel.Reply>>
        {
            new(0, FifoQueueModel.Op.Enqueue(1), new FifoQueueModel.Reply(true), 0, 10),
            new(1, FifoQueueModel.Op.Enqueue(7), new FifoQueueModel.Reply(true), 12, 18),
            new(2, FifoQueueModel.Op.Enqueue(2), new FifoQueueModel.Reply(true), 20, 30),
            new(3, FifoQueueModel.Op.Dequeue, new FifoQueueModel.Reply(true, 2), 40, 50),
        };

        var result = LinearizabilityChecker.Check(Queue, history);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
        Assert.That(result.Culprit?.Id, Is.EqualTo(3));
        // Either earlier element shows the dequeue overtook it; the other is not needed.
        Assert.That(result.IllegalHistory, Has.Count.EqualTo(3), result.Render());
        Assert.That(result.IllegalHistory.Select(o => o.Id), Does.Contain(2L).And.Contain(3L), result.Render());
    }

    [Test]
    public void A_dequeue_that_finds_the_queue_empty_after_a_completed_enqueue_is_a_stale_answer()
    {
        var history = new List<ModelOperation<FifoQueueModel.Op, FifoQueueModel.Reply>>
        {
            new(0, FifoQueueModel.Op.Enqueue(1), new FifoQueueModel.Reply(true), 0, 10),
            new(1, FifoQueueModel.Op.Dequeue, new FifoQueueModel.Reply(false), 20, 30),
        };

        var result = LinearizabilityChecker.Check(Queue, history);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
        Assert.That(result.CulpritIsMistimed, "empty was the right answer before the enqueue");
        Assert.That(result.Render(), Does.Contain("op1 [20, 30] dequeue -> empty   <- cannot be placed"));
    }

    [Test]
    public void The_search_agrees_with_the_definition_for_a_queue() =>
        AgreesWithTheDefinition(Queue, FifoQueueModel.Apply, random => random.Next(2) == 0 ? FifoQueueModel.Op.Dequeue : FifoQueueModel.Op.Enqueue(random.Next(1, 4)));

    // ---- input the checker refuses ---------------------------------------------------------------

    [Test]
    public void Malformed_histories_are_refused_not_reported_as_violations()
    {
        var write = new ModelOperation<Op, Reply>(0, new Op("r1", Kind.Write, 1), new Reply(true, 1), 0, 10);
        var backwards = write with { CalledAt = 20 };
        var answerWithoutReturn = write with { ReturnedAt = null };
        var twin = write with { Input = new Op("r2", Kind.Read), Output = new Reply(true, 0) };

        foreach (var (history, message) in new[]
        {
            (new List<ModelOperation<Op, Reply>> { backwards }, "operation 0 returned at 10, before it was called at 20"),
            (new List<ModelOperation<Op, Reply>> { answerWithoutReturn }, "operation 0 has an answer but no return time"),
            (new List<ModelOperation<Op, Reply>> { write, twin }, "two operations have the id 0"),
        })
        {
            Assert.That(() => LinearizabilityChecker.Check(Registers, history), Throws.ArgumentException.With.Message.Contains(message));
            Assert.That(() => LinearizabilitySearch.Run(Registers, history, 1000), Throws.ArgumentException.With.Message.Contains(message));
        }
    }

    // ---- shared -----------------------------------------------------------------------------------

    /// <summary>
    /// On small random histories, legal by construction and then half of them corrupted, the search
    /// gives the definition's verdict; on each violation the culprit is in the reported history,
    /// that history is illegal, and forgetting the culprit's answer makes it legal (the blame did not move).
    /// </summary>
    private static void AgreesWithTheDefinition<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        Func<TState, TInput, (TOutput, TState)> apply,
        Func<Random, TInput> nextInput)
        where TOutput : class
    {
        var verdicts = new SortedDictionary<bool, int> { [false] = 0, [true] = 0 };
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var history = RandomModelHistory.Legal(model, apply, nextInput, seed, operationCount: random.Next(2, 7), clientCount: 3, pendingFraction: 0.2, unrecordedFraction: 0.1);
            if (random.Next(2) == 0) RandomModelHistory.Corrupt(history, random);
            var context = $"seed {seed}\n{string.Join('\n', history)}";

            var expected = ModelOracle.IsLinearizable(model, history);
            var result = LinearizabilityChecker.Check(model, history);

            Assert.That(result.IsLinearizable, Is.EqualTo(expected), $"{context}\n{result.Render()}");
            verdicts[expected]++;
            if (expected) continue;
            var culprit = result.Culprit;
            Assert.That(culprit, Is.Not.Null, context);
            Assert.That(result.IllegalHistory, Does.Contain(culprit).And.All.Matches<ModelOperation<TInput, TOutput>>(o => o is not null && history.Contains(o)), context);
            Assert.That(result.IllegalHistory.Select(o => model.Partition(o.Input)), Has.All.EqualTo(result.Partition), context);
            Assert.That(ModelOracle.IsLinearizable(model, result.IllegalHistory), Is.False, $"{context}\n{result.Render()}");
            var partition = history.Where(o => model.Partition(o.Input) == result.Partition).ToList();
            var asOfCulprit = AsWhenReturned(partition, result.IllegalHistory, culprit!);
            Assert.That(ModelOracle.IsLinearizable(model, asOfCulprit), Is.False, $"{context}\n{result.Render()}");
            var forgotten = asOfCulprit.Select(o => o.Id == culprit!.Id ? o with { Output = null, ReturnedAt = null } : o).ToList();
            Assert.That(ModelOracle.IsLinearizable(model, forgotten), $"the blame moved: {context}\n{result.Render()}");
        }
        TestContext.Out.WriteLine($"{verdicts[true]} linearizable, {verdicts[false]} not");
        Assert.That(verdicts.Values, Has.All.GreaterThan(30), "both verdicts are exercised");
    }

    /// <summary>
    /// <paramref name="operations"/> as they stood when <paramref name="culprit"/> returned: those
    /// that returned later (at equal times: later in the partition's order, as the search sorts)
    /// become pending, answer unknown.
    /// </summary>
    internal static List<ModelOperation<TInput, TOutput>> AsWhenReturned<TInput, TOutput>(
        List<ModelOperation<TInput, TOutput>> partition, IEnumerable<ModelOperation<TInput, TOutput>> operations, ModelOperation<TInput, TOutput> culprit)
        where TOutput : class
    {
        var position = partition.Select((o, i) => (o.Id, i)).ToDictionary(p => p.Id, p => p.i);
        bool ReturnedBy(ModelOperation<TInput, TOutput> o) => o.ReturnedAt is { } at
            && (at < culprit.ReturnedAt || (at == culprit.ReturnedAt && position[o.Id] <= position[culprit.Id]));
        return operations.Select(o => ReturnedBy(o) ? o : o with { Output = null, ReturnedAt = null }).ToList();
    }
}
