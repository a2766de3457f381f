using System.Collections.Immutable;
using Raft.Simulation.Checkers.Linearizability;

namespace Raft.Tests.Linearizability.Models;

/// <summary>
/// One first-in-first-out queue of integers: <c>enqueue x</c> always succeeds; <c>dequeue</c>
/// returns the oldest element, or fails on an empty queue. The state is the queue's contents.
/// </summary>
public sealed class FifoQueueModel : ILinearizabilityModel<FifoQueueModel.Op, FifoQueueModel.Reply, FifoQueueModel.Contents>
{
    /// <summary>Enqueue <see cref="Value"/>, or dequeue when <see cref="IsDequeue"/>.</summary>
    public sealed record Op(bool IsDequeue, int Value = 0)
    {
        public static Op Dequeue { get; } = new(true);

        public static Op Enqueue(int value) => new(false, value);

        public override string ToString() => IsDequeue ? "dequeue" : $"enqueue {Value}";
    }

    /// <summary>Success, and for a dequeue the element taken.</summary>
    public sealed record Reply(bool Ok, int? Value = null)
    {
        public override string ToString() => Ok ? Value is { } v ? $"ok {v}" : "ok" : "empty";
    }

    /// <summary>The queue's elements, oldest first, with value equality (the search memoizes on states).</summary>
    public sealed class Contents(ImmutableList<int> items) : IEquatable<Contents>
    {
        public static Contents Empty { get; } = new([]);

        public ImmutableList<int> Items { get; } = items;

        public bool Equals(Contents? other) => other is not null && Items.SequenceEqual(other.Items);

        public override bool Equals(object? obj) => Equals(obj as Contents);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var item in Items) hash.Add(item);
            return hash.ToHashCode();
        }
    }

    public Contents Init() => Contents.Empty;

    public string Partition(Op input) => "queue";

    public (bool Ok, Contents State) Step(Contents state, Op input, Reply? output)
    {
        var (reply, next) = Apply(state, input);
        return (output is null || output == reply, next);
    }

    public static (Reply Reply, Contents State) Apply(Contents state, Op op)
    {
        if (!op.IsDequeue) return (new Reply(true), new Contents(state.Items.Add(op.Value)));
        return state.Items.IsEmpty
            ? (new Reply(false), state)
            : (new Reply(true, state.Items[0]), new Contents(state.Items.RemoveAt(0)));
    }
}
