namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// Decides whether one partition's operations are linearizable against a model: the depth-first
/// search of Wing and Gong (1993) with Lowe's memoization (Lowe, "Testing for linearizability", 2017),
/// as Porcupine describes it. <see cref="LinearizabilityChecker"/> explains the idea.
/// </summary>
public static class LinearizabilitySearch
{
    /// <summary>
    /// Searches for a linearization of <paramref name="operations"/>, taking at most
    /// <paramref name="stepBudget"/> steps (one step = one look at a list entry); returns the
    /// outcome and the steps taken.
    /// </summary>
    public static (LinearizabilityOutcome Outcome, long Steps) Run<TInput, TOutput, TState>(
        ILinearizabilityModel<TInput, TOutput, TState> model,
        IReadOnlyList<ModelOperation<TInput, TOutput>> operations,
        long stepBudget)
        where TOutput : class
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepBudget);
        var events = EventList.Build(operations);
        var state = model.Init();
        var linearized = OperationSet.Empty(operations.Count);

        // Every (linearized set, state) pair already pushed: reaching one again cannot lead anywhere new.
        var explored = new HashSet<(OperationSet, TState)>();
        // The linearization so far: each call taken, with the state and set from before it.
        var taken = new Stack<(Event Call, TState StateBefore, OperationSet LinearizedBefore)>();

        var steps = 0L;
        var entry = events.First;
        while (entry is not null)
        {
            if (steps == stepBudget) return (LinearizabilityOutcome.Unknown, steps);
            steps++;

            if (entry.IsCall)
            {
                // Try to let this operation take effect now, before everything still in the list.
                var operation = operations[entry.Operation];
                var (ok, next) = model.Step(state, operation.Input, operation.Output);
                if (ok)
                {
                    var nextLinearized = linearized.With(entry.Operation);
                    if (explored.Add((nextLinearized, next)))
                    {
                        taken.Push((entry, state, linearized));
                        (state, linearized) = (next, nextLinearized);
                        EventList.Lift(entry);
                        entry = events.First;
                        continue;
                    }
                }
                // Invariant: a call's return comes after it, so a scan never runs off the end.
                entry = entry.Next ?? throw new InvalidOperationException("call without a later return");
            }
            else
            {
                // A return whose operation has not taken effect: every candidate before it failed,
                // so the last choice was wrong. Undo it and try the next candidate after it.
                if (!taken.TryPop(out var last)) return (LinearizabilityOutcome.Violation, steps);
                (state, linearized) = (last.StateBefore, last.LinearizedBefore);
                EventList.Unlift(last.Call);
                entry = last.Call.Next;
            }
        }
        return (LinearizabilityOutcome.Linearizable, steps);
    }

    /// <summary>A call or return of one operation, as a node of a doubly linked list.</summary>
    private sealed class Event(int operation, bool isCall)
    {
        public int Operation { get; } = operation;
        public bool IsCall { get; } = isCall;
        public Event? Match { get; set; }
        public Event? Previous { get; set; }
        public Event? Next { get; set; }
    }

    /// <summary>
    /// All calls and returns in time order, after a sentinel head. Lifting an operation unlinks its
    /// call and return; unlinked nodes keep their own links, so undoing lifts in reverse order puts
    /// them back exactly where they were ("dancing links").
    /// </summary>
    private sealed class EventList
    {
        private readonly Event head = new(-1, isCall: true);

        public Event? First => head.Next;

        public static EventList Build<TInput, TOutput>(IReadOnlyList<ModelOperation<TInput, TOutput>> operations)
            where TOutput : class
        {
            var timed = new List<(long Time, Event Event)>(2 * operations.Count);
            for (var i = 0; i < operations.Count; i++)
            {
                var call = new Event(i, isCall: true);
                var ret = new Event(i, isCall: false);
                call.Match = ret;
                timed.Add((operations[i].CalledAt, call));
                timed.Add((operations[i].ReturnedAt ?? long.MaxValue, ret));
            }
            // At equal times calls come before returns: operations that merely touch count as
            // concurrent, which can only hide a violation, never invent one.
            timed.Sort((a, b) =>
                a.Time != b.Time ? a.Time.CompareTo(b.Time)
                : a.Event.IsCall != b.Event.IsCall ? (a.Event.IsCall ? -1 : 1)
                : a.Event.Operation.CompareTo(b.Event.Operation));

            var list = new EventList();
            var last = list.head;
            foreach (var (_, e) in timed)
            {
                (last.Next, e.Previous) = (e, last);
                last = e;
            }
            return list;
        }

        public static void Lift(Event call)
        {
            Unlink(call);
            Unlink(call.Match!);
        }

        public static void Unlift(Event call)
        {
            Relink(call.Match!);
            Relink(call);
        }

        private static void Unlink(Event e)
        {
            e.Previous!.Next = e.Next;
            if (e.Next is not null) e.Next.Previous = e.Previous;
        }

        private static void Relink(Event e)
        {
            e.Previous!.Next = e;
            if (e.Next is not null) e.Next.Previous = e;
        }
    }
}
