using Raft.Core.StateMachine;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability;

/// <summary>What the key-value checker accepts, refuses, and assumes about operations whose answer is missing.</summary>
public sealed class KvHistoryInputTests
{
    [Test]
    public void The_search_entry_point_checks_each_key_on_its_own()
    {
        // As one sequential object, "put b=2" would be the latest write when a is read.
        var h = new HistoryBuilder();
        h.Put(1, "a", "1", 0, 10);
        h.Put(1, "b", "2", 20, 30);
        h.Get(2, "a", 40, 50, "1");
        h.Get(2, "b", 60, 70, "2");
        var operations = h.Operations
            .Select(op => new ModelOperation<KvCommand, KvResult>(op.Id, op.Command, op.Result, op.InvokedAt, op.CompletedAt))
            .ToList();

        var (outcome, _) = LinearizabilitySearch.Run(new KvModel(), operations, LinearizabilityChecker.DefaultStepBudget);

        Assert.That(outcome, Is.EqualTo(LinearizabilityOutcome.Linearizable));
    }

    [Test]
    public void A_write_that_returned_without_a_recorded_answer_took_effect_by_its_return()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        var put = h.Put(1, "x", "2", 20, 30);
        h.Operations[(int)put.Id] = put with { Result = null };
        var read = h.Get(2, "x", 40, 50, "1");

        var result = LinearizabilityChecker.Check(h.Operations);

        Assert.That(result.Outcome, Is.EqualTo(LinearizabilityOutcome.Violation), "the put of 2 finished before the read began");
        Assert.That(result.Culprit, Is.EqualTo(read));
        Assert.That(result.Render(), Does.Contain("[20, 30] c1#2 put x=2 -> answer not recorded"));
        h.Operations[(int)read.Id] = read with { Result = new KvResult(true, "2") };
        Assert.That(LinearizabilityChecker.Check(h.Operations).IsLinearizable);
    }

    [Test]
    public void A_read_that_returned_without_a_recorded_answer_is_left_out()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 0, 10);
        var read = h.Get(2, "x", 20, 30, "whatever");
        h.Operations[(int)read.Id] = read with { Result = null };

        Assert.That(LinearizabilityChecker.Check(h.Operations).IsLinearizable);
    }

    [Test]
    public void An_operation_that_completed_before_it_was_invoked_is_refused()
    {
        var h = new HistoryBuilder();
        h.Put(1, "x", "1", 20, 10);

        Assert.That(() => LinearizabilityChecker.Check(h.Operations),
            Throws.ArgumentException.With.Message.Contains("operation 0 completed at 10, before it was invoked at 20"));
    }

    [Test]
    public void Two_operations_with_one_id_are_refused()
    {
        var h = new HistoryBuilder();
        var put = h.Put(1, "x", "1", 0, 10);
        h.Operations.Add(put with { Command = put.Command with { Key = "y" } });

        Assert.That(() => LinearizabilityChecker.Check(h.Operations), Throws.ArgumentException.With.Message.Contains("two operations have the id 0"));
    }

    [Test]
    public void A_result_without_a_completion_time_is_refused()
    {
        var h = new HistoryBuilder();
        var put = h.Put(1, "x", "1", 0, 10);
        h.Operations[0] = put with { CompletedAt = null };

        Assert.That(() => LinearizabilityChecker.Check(h.Operations), Throws.ArgumentException.With.Message.Contains("operation 0 has a result but no completion time"));
    }
}

