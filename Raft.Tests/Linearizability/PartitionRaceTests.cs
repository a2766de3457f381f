using Raft.Core.StateMachine;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Cli;
using Raft.Simulation.History;

namespace Raft.Tests.Linearizability;

/// <summary>
/// Keys are searched side by side, and one illegal key ends the check: the key reported is the one
/// shown illegal in the fewest steps of its own search, the first in key order on a tie, whichever
/// runner runs the searches and in whatever order they finish.
/// </summary>
public sealed class PartitionRaceTests
{
    /// <summary>Runners that run a round's searches in different orders, or at the same time.</summary>
    private static readonly (string Name, PartitionRunner Run)[] Runners =
    [
        ("in turn", searches => { foreach (var search in searches) search(); }),
        ("in reverse", searches => { foreach (var search in searches.Reverse()) search(); }),
        ("parallel", ParallelPartitionRunner.Run),
        ("parallel, last first", searches => ParallelPartitionRunner.Run(searches.Reverse().ToList())),
    ];

    [Test]
    public void Of_two_keys_illegal_in_the_same_way_the_first_in_key_order_is_reported_by_every_runner()
    {
        var h = new HistoryBuilder();
        StaleRead(h, "b", at: 0);
        StaleRead(h, "a", at: 0);
        StaleRead(h, "c", at: 0);

        foreach (var (name, run) in Runners)
        {
            var result = LinearizabilityChecker.Check(h.Operations, LinearizabilityChecker.DefaultStepBudget, run);
            Assert.That((result.Outcome, result.Key), Is.EqualTo((LinearizabilityOutcome.Violation, "a")), name);
        }
    }

    [Test]
    public void A_key_shown_illegal_in_fewer_steps_is_reported_before_a_slower_illegal_key_earlier_in_key_order()
    {
        var h = new HistoryBuilder();
        ManyOrdersThenAnImpossibleRead(h, "a", appends: 7);
        StaleRead(h, "b", at: 0);
        var aAlone = LinearizabilitySearch.Run(new KvModel(), ModelOperations(h.Operations, "a"), LinearizabilityChecker.DefaultStepBudget);
        var bAlone = LinearizabilitySearch.Run(new KvModel(), ModelOperations(h.Operations, "b"), LinearizabilityChecker.DefaultStepBudget);
        Assert.That(aAlone.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), "key a is illegal too");
        Assert.That(aAlone.Steps, Is.GreaterThan(PartitionRaceFirstRound), "key a's search outlasts a round");

        foreach (var (name, run) in Runners)
        {
            var result = LinearizabilityChecker.Check(h.Operations, LinearizabilityChecker.DefaultStepBudget, run);
            Assert.That((result.Outcome, result.Key), Is.EqualTo((LinearizabilityOutcome.Violation, "b")), name);
            // Each key is counted up to b's steps: a's search was not finished.
            Assert.That(result.Steps, Is.EqualTo(2 * bAlone.Steps), name);
        }
    }

    [Test]
    public void An_illegal_key_ends_the_check_without_waiting_for_a_key_that_would_spend_its_whole_budget()
    {
        var h = new HistoryBuilder();
        ManyOrdersThenAnImpossibleRead(h, "a", appends: 7);
        StaleRead(h, "b", at: 0);
        var budget = LinearizabilitySearch.Run(new KvModel(), ModelOperations(h.Operations, "a"), LinearizabilityChecker.DefaultStepBudget).Steps - 1;
        var aStarved = LinearizabilityChecker.Check(h.Operations.Where(o => o.Command.Key == "a").ToList(), budget);
        Assert.That(aStarved.Outcome, Is.EqualTo(LinearizabilityOutcome.Unknown), "on its own, key a runs out of budget");

        var result = LinearizabilityChecker.Check(h.Operations, budget);

        Assert.That((result.Outcome, result.Key), Is.EqualTo((LinearizabilityOutcome.Violation, "b")));
        Assert.That(result.Steps, Is.LessThan(aStarved.Steps));
    }

    [Test]
    public void On_the_callers_thread_a_slow_illegal_key_is_found_without_first_spending_an_earlier_keys_whole_budget()
    {
        // Key a never decides within the budget; key b is illegal, but only after more steps than
        // the first round gives. Searched in turn, the rounds must still share the work between them:
        // a search that gave a its whole budget before looking at b took a million model steps.
        var h = new HistoryBuilder();
        ManyOrdersThenAnImpossibleRead(h, "a", appends: 10);
        ManyOrdersThenAnImpossibleRead(h, "b", appends: 7);
        var operations = ModelOperations(h.Operations, "a").Concat(ModelOperations(h.Operations, "b")).ToList();
        const long budget = 1_000_000;
        var bAlone = LinearizabilitySearch.Run(new KvModel(), ModelOperations(h.Operations, "b"), budget);
        Assume.That((bAlone.Outcome, bAlone.Steps > PartitionRaceFirstRound), Is.EqualTo((LinearizabilityOutcome.Violation, true)), "b is illegal, after more than a round's steps");
        Assume.That(LinearizabilitySearch.Run(new KvModel(), ModelOperations(h.Operations, "a"), budget).Outcome, Is.EqualTo(LinearizabilityOutcome.Unknown), "a runs out of budget");
        var counting = new CountingKvModel();

        var result = LinearizabilityChecker.Check(counting, operations, budget);

        Assert.That((result.Outcome, result.Partition), Is.EqualTo((LinearizabilityOutcome.Violation, "b")));
        Assert.That(counting.Steps, Is.LessThan(8 * bAlone.Steps), $"the model was asked far more often than the rounds up to b's verdict need (b alone: {bAlone.Steps} steps)");
    }

    [Test]
    public void Searches_let_go_between_rounds_and_searched_again_give_the_same_verdict_and_steps_as_searches_kept()
    {
        var h = new HistoryBuilder();
        ManyOrdersThenAnImpossibleRead(h, "a", appends: 8);
        ManyOrdersThenAnImpossibleRead(h, "b", appends: 7);
        ManyOrdersThenAnImpossibleRead(h, "c", appends: 6);
        List<ModelOperation<KvCommand, KvResult>>[] partitions = [ModelOperations(h.Operations, "a"), ModelOperations(h.Operations, "b"), ModelOperations(h.Operations, "c")];

        foreach (var budget in new long[] { 5_000, 20_000, 200_000, LinearizabilityChecker.DefaultStepBudget })
        {
            var kept = PartitionRace.Run(new KvModel(), partitions.Length, i => partitions[i], budget, PartitionRace.InTurn);
            foreach (var (name, run) in Runners)
            {
                var letGo = PartitionRace.Run(new KvModel(), partitions.Length, i => partitions[i], budget, run, heldBytes: 0);
                Assert.That(letGo, Is.EqualTo(kept), $"budget {budget}, {name}");
            }
        }
    }

    /// <summary>The store's model, counting how often it is asked to take a step.</summary>
    private sealed class CountingKvModel : ILinearizabilityModel<KvCommand, KvResult, string?>
    {
        private readonly KvModel inner = new();
        private long steps;

        public long Steps => Interlocked.Read(ref steps);

        public string? Init() => inner.Init();

        public (bool Ok, string? State) Step(string? state, KvCommand input, KvResult? output)
        {
            Interlocked.Increment(ref steps);
            return inner.Step(state, input, output);
        }

        public string Partition(KvCommand input) => inner.Partition(input);
    }

    [Test]
    public void Every_runner_gives_the_same_result_on_random_histories_with_stale_reads()
    {
        for (var seed = 0; seed < 12; seed++)
        {
            var random = new Random(seed);
            var history = UniqueValueHistory.Legal(seed, operationCount: 600, keyCount: 6, clientCount: 6);
            var staleReads = seed % 3; // none, one or two
            for (var i = 0; i < staleReads; i++) UniqueValueHistory.InjectStaleRead(history, random);

            var expected = LinearizabilityChecker.Check(history);
            Assert.That(expected.Outcome, Is.EqualTo(staleReads == 0 ? LinearizabilityOutcome.Linearizable : LinearizabilityOutcome.Violation), $"seed {seed}");
            foreach (var (name, run) in Runners)
            {
                var result = LinearizabilityChecker.Check(history, LinearizabilityChecker.DefaultStepBudget, run);
                Assert.That(result.Render(), Is.EqualTo(expected.Render()), $"seed {seed}, {name}");
                Assert.That(result.Steps, Is.EqualTo(expected.Steps), $"seed {seed}, {name}");
            }
        }
    }

    [Test]
    public void The_step_budget_is_exact_for_a_search_that_runs_over_several_rounds()
    {
        var h = new HistoryBuilder();
        ManyOrdersThenAnImpossibleRead(h, "a", appends: 7);
        var needed = LinearizabilityChecker.Check(h.Operations).Steps;
        Assert.That(needed, Is.GreaterThan(PartitionRaceFirstRound));

        Assert.That(LinearizabilityChecker.Check(h.Operations, needed).Outcome, Is.EqualTo(LinearizabilityOutcome.Violation));
        var starved = LinearizabilityChecker.Check(h.Operations, needed - 1);
        Assert.That((starved.Outcome, starved.Steps), Is.EqualTo((LinearizabilityOutcome.Unknown, needed - 1)));
    }

    [Test]
    public void A_runner_that_returns_before_running_the_searches_is_refused()
    {
        var h = new HistoryBuilder();
        StaleRead(h, "a", at: 0);

        Assert.That(() => LinearizabilityChecker.Check(h.Operations, 1000, _ => { }),
            Throws.InvalidOperationException.With.Message.Contains("partition runner"));
    }

    [Test]
    public void The_generic_checker_takes_a_runner_too()
    {
        var h = new HistoryBuilder();
        StaleRead(h, "b", at: 0);
        h.Put(1, "a", "1", 0, 10);
        var operations = h.Operations.Select(o => new ModelOperation<KvCommand, KvResult>(o.Id, o.Command, o.Result, o.InvokedAt, o.CompletedAt)).ToList();

        var result = LinearizabilityChecker.Check(new KvModel(), operations, 1000, ParallelPartitionRunner.Run);

        Assert.That((result.Outcome, result.Partition), Is.EqualTo((LinearizabilityOutcome.Violation, "b")));
    }

    /// <summary>The steps each search may take in the first round (PartitionRace.FirstRoundSteps).</summary>
    private const long PartitionRaceFirstRound = 4096;

    /// <summary>A read of a value overwritten before it was called: illegal in a handful of steps.</summary>
    private static void StaleRead(HistoryBuilder h, string key, long at)
    {
        h.Put(1, key, "1", at, at + 10);
        h.Put(2, key, "2", at + 20, at + 30);
        h.Get(3, key, at + 40, at + 50, "1");
    }

    /// <summary>
    /// Concurrent appends whose answers were not recorded, then a read of a value no order gives: the
    /// search must try every order of the appends before it can say so.
    /// </summary>
    private static void ManyOrdersThenAnImpossibleRead(HistoryBuilder h, string key, int appends)
    {
        for (var i = 0; i < appends; i++)
        {
            var append = h.Append(10 + i, key, $"<{i}>", 0, 100, after: null);
            h.Operations[^1] = append with { Result = null };
        }
        h.Get(99, key, 200, 210, "impossible");
    }

    private static List<ModelOperation<KvCommand, KvResult>> ModelOperations(IEnumerable<ClientOperation> history, string key) =>
        history.Where(o => o.Command.Key == key)
            .Select(o => new ModelOperation<KvCommand, KvResult>(o.Id, o.Command, o.Result, o.InvokedAt, o.CompletedAt))
            .ToList();
}
