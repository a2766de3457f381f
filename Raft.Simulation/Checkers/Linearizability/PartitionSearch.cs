namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// The search for a linearization of one partition's operations (the model's state is then the
/// whole story): Wing and Gong's depth-first search (1993) with Lowe's memo (2017), as
/// <see cref="LinearizabilityChecker"/> explains it. It can be stopped after any step and resumed
/// (<see cref="Advance"/>), so that <see cref="PartitionRace"/> can run many partitions side by
/// side and stop as soon as one of them is shown illegal.
/// </summary>
/// <remarks>
/// Made for speed, without changing a single step of the walk: the time line is a doubly linked
/// list kept in two int arrays (lifting an operation unlinks its call and return, and undoing lifts
/// in reverse order relinks them exactly: "dancing links"); the set of linearized operations is one
/// bitset changed in place, with a hash kept up to date per change; the memo copies that bitset, in
/// a short form, only when it meets a new (set, state) pair. One step is one look at a list entry, as before, so step
/// budgets mean what they meant.
/// </remarks>
internal sealed class PartitionSearch<TInput, TOutput, TState>
    where TOutput : class
{
    private const int Head = 0;
    private const int End = -1;

    private readonly ILinearizabilityModel<TInput, TOutput, TState> model;
    private readonly TInput[] inputs;
    private readonly TOutput?[] outputs;

    // The time line. Node 0 is the head; operation i has its call at node 2i+1 and its return at 2i+2.
    private readonly int[] next;
    private readonly int[] previous;

    // The linearization so far, as a stack: the call taken at each depth and the state before it.
    private readonly int[] takenCalls;
    private readonly TState[] statesBefore;
    private readonly ulong[] stateHashesBefore;
    private int depth;

    private readonly OperationSet linearized;
    private Memo? memo; // dropped once decided: a finished search keeps no memory
    private TState state;
    private ulong stateHash;
    private int entry;

    /// <summary>
    /// Most bytes one search's memo may hold (a pair costs 28 bytes and its set's short form,
    /// usually a few words: see <see cref="OperationSet.WriteKey"/>; copied whole, a key with 50,000
    /// operations cost 6 KB a pair). Past it the memo stops remembering, which costs only speed:
    /// the memo prunes states already explored, it never decides anything, and the step budget
    /// still bounds the search. Without a bound a hard key of a large real run took 24 GB.
    /// </summary>
    public const long DefaultMemoBytes = 256L << 20;

    public PartitionSearch(ILinearizabilityModel<TInput, TOutput, TState> model, IReadOnlyList<ModelOperation<TInput, TOutput>> operations, long memoBytes = DefaultMemoBytes)
    {
        this.model = model;
        inputs = operations.Select(o => o.Input).ToArray();
        outputs = operations.Select(o => o.Output).ToArray();
        var count = operations.Count;
        (next, previous) = BuildTimeLine(operations);
        takenCalls = new int[count];
        statesBefore = new TState[count];
        stateHashesBefore = new ulong[count];
        linearized = new OperationSet(count);
        memo = new Memo(linearized.MaxKeyLength, memoBytes);
        state = model.Init();
        stateHash = HashOf(state);
        entry = next[Head];
    }

    /// <summary>Steps taken so far (one step = one look at a list entry).</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// <see cref="LinearizabilityOutcome.Linearizable"/> or <see cref="LinearizabilityOutcome.Violation"/>
    /// once decided; <see cref="LinearizabilityOutcome.Unknown"/> while the search is still going.
    /// </summary>
    public LinearizabilityOutcome Outcome { get; private set; } = LinearizabilityOutcome.Unknown;

    public bool IsDecided => Outcome != LinearizabilityOutcome.Unknown;

    /// <summary>About how many bytes this search holds: its memo, and its time line and stack (about 48 bytes an operation).</summary>
    public long Bytes => (memo?.Bytes ?? 0) + 48L * inputs.Length;

    /// <summary>
    /// Searches on until decided or until <see cref="Steps"/> reaches <paramref name="stepLimit"/>;
    /// returns whether it is decided.
    /// </summary>
    public bool Advance(long stepLimit)
    {
        if (IsDecided) return true;
        while (entry != End)
        {
            if (Steps >= stepLimit) return false;
            Steps++;
            if (IsCall(entry))
            {
                if (TryLinearize(entry))
                {
                    entry = next[Head];
                    continue;
                }
                // Invariant: a call's return comes after it, so a scan never runs off the end.
                entry = next[entry] != End ? next[entry] : throw new InvalidOperationException("call without a later return");
            }
            else
            {
                // A return whose operation has not taken effect: every candidate before it failed,
                // so the last choice was wrong. Undo it and try the next candidate after it.
                if (depth == 0) return Decide(LinearizabilityOutcome.Violation);
                entry = next[Backtrack()];
            }
        }
        return Decide(LinearizabilityOutcome.Linearizable);
    }

    private bool Decide(LinearizabilityOutcome outcome)
    {
        Outcome = outcome;
        memo = null;
        return true;
    }

    /// <summary>Lets the operation of <paramref name="call"/> take effect now, unless the model refuses its answer or the result was explored before.</summary>
    private bool TryLinearize(int call)
    {
        var op = OperationOf(call);
        var (ok, after) = model.Step(state, inputs[op], outputs[op]);
        if (!ok) return false;
        // An operation that leaves the state as it was (a read) returns the same object: no need to hash it again.
        var afterHash = !typeof(TState).IsValueType && ReferenceEquals(after, state) ? stateHash : HashOf(after);
        linearized.Add(op);
        if (!memo!.TryAdd(linearized, after, afterHash))
        {
            linearized.Remove(op);
            return false;
        }
        (takenCalls[depth], statesBefore[depth], stateHashesBefore[depth]) = (call, state, stateHash);
        depth++;
        (state, stateHash) = (after, afterHash);
        Lift(call);
        return true;
    }

    /// <summary>Undoes the last choice; returns its call, now back in the list.</summary>
    private int Backtrack()
    {
        depth--;
        var call = takenCalls[depth];
        (state, stateHash) = (statesBefore[depth], stateHashesBefore[depth]);
        statesBefore[depth] = default!;
        linearized.Remove(OperationOf(call));
        Unlift(call);
        return call;
    }

    private static ulong HashOf(TState state) => state is null ? 0UL : (ulong)EqualityComparer<TState>.Default.GetHashCode(state);

    private static bool IsCall(int node) => (node & 1) == 1;

    private static int OperationOf(int node) => (node - 1) >> 1;

    private void Lift(int call)
    {
        Unlink(call);
        Unlink(call + 1);
    }

    private void Unlift(int call)
    {
        Relink(call + 1);
        Relink(call);
    }

    private void Unlink(int node)
    {
        next[previous[node]] = next[node];
        if (next[node] != End) previous[next[node]] = previous[node];
    }

    private void Relink(int node)
    {
        next[previous[node]] = node;
        if (next[node] != End) previous[next[node]] = node;
    }

    /// <summary>
    /// All calls and returns in time order after the head. At equal times calls come before returns
    /// (operations that merely touch count as concurrent, which can only hide a violation, never
    /// invent one), then lower operation indexes first. A missing return is at +infinity.
    /// </summary>
    private static (int[] Next, int[] Previous) BuildTimeLine(IReadOnlyList<ModelOperation<TInput, TOutput>> operations)
    {
        var nodes = new int[2 * operations.Count];
        var times = new long[nodes.Length];
        for (var i = 0; i < operations.Count; i++)
        {
            (nodes[2 * i], times[2 * i]) = (2 * i + 1, operations[i].CalledAt);
            (nodes[2 * i + 1], times[2 * i + 1]) = (2 * i + 2, operations[i].ReturnedAt ?? long.MaxValue);
        }
        Array.Sort(nodes, (a, b) =>
        {
            var (timeA, timeB) = (times[a - 1], times[b - 1]);
            if (timeA != timeB) return timeA.CompareTo(timeB);
            if (IsCall(a) != IsCall(b)) return IsCall(a) ? -1 : 1;
            return a.CompareTo(b);
        });

        var next = new int[nodes.Length + 1];
        var previous = new int[nodes.Length + 1];
        var last = Head;
        foreach (var node in nodes)
        {
            (next[last], previous[node]) = (node, last);
            last = node;
        }
        next[last] = End;
        return (next, previous);
    }

    /// <summary>
    /// Every (linearized set, state) pair the search has reached: reaching one again cannot lead
    /// anywhere new (Lowe 2017). Pairs that collide on the hash are told apart by their contents.
    /// </summary>
    /// <remarks>
    /// A hash table with chaining, kept in flat arrays: each set is copied in its short form
    /// (<see cref="OperationSet.WriteKey"/>, a few words) into one array of words, so a pair costs no
    /// object of its own (a memo holds millions of them), and tens of bytes however many operations
    /// the partition has.
    /// </remarks>
    private sealed class Memo(int maxKeyLength, long maxBytes)
    {
        /// <summary>Bytes a pair costs besides its key: hash, chain, bucket, state, key offset and length.</summary>
        private const int PairBytes = 4 + 4 + 4 + 8 + 4 + 4;

        /// <summary>Pairs kept whatever the bound.</summary>
        private const int MinPairs = 64;

        private readonly ulong[] key = new ulong[maxKeyLength]; // the set being looked up, in its short form
        private int[] buckets = new int[MinPairs]; // per bucket: the first pair's index + 1 (0: empty)
        private int[] chain = new int[MinPairs];   // per pair: the next pair's index + 1 in its bucket
        private int[] hashes = new int[MinPairs];
        private TState[] states = new TState[MinPairs];
        private int[] keyStarts = new int[MinPairs];
        private int[] keyLengths = new int[MinPairs];
        private ulong[] keys = new ulong[4 * MinPairs];
        private int keysUsed;
        private int count;

        /// <summary>Bytes held for the pairs and their sets (the arrays' spare room not counted).</summary>
        public long Bytes => (long)count * PairBytes + 8L * keysUsed;

        /// <summary>Adds the pair (copying the set) if it is new; returns whether it was.</summary>
        public bool TryAdd(OperationSet set, TState state, ulong stateHash)
        {
            var hash = Mix(set.Hash ^ (stateHash * 0x9E3779B97F4A7C15UL));
            var length = set.WriteKey(key);
            var live = key.AsSpan(0, length);
            for (var i = buckets[hash & (buckets.Length - 1)] - 1; i >= 0; i = chain[i] - 1)
            {
                if (hashes[i] == hash
                    && keyLengths[i] == length
                    && keys.AsSpan(keyStarts[i], length).SequenceEqual(live)
                    && EqualityComparer<TState>.Default.Equals(states[i], state))
                {
                    return false;
                }
            }
            if (count >= MinPairs && (long)count * PairBytes + 8L * (keysUsed + length) > maxBytes)
                return true; // full: new, as far as it can tell, and not kept
            if (count == states.Length) Grow();
            if (keysUsed + length > keys.Length) Array.Resize(ref keys, checked(Math.Max(2 * keys.Length, keysUsed + length)));
            live.CopyTo(keys.AsSpan(keysUsed));
            (hashes[count], states[count], keyStarts[count], keyLengths[count]) = (hash, state, keysUsed, length);
            keysUsed += length;
            Link(count);
            count++;
            return true;
        }

        private void Link(int pair)
        {
            var bucket = hashes[pair] & (buckets.Length - 1);
            chain[pair] = buckets[bucket];
            buckets[bucket] = pair + 1;
        }

        /// <summary>Doubles every per-pair array and rehashes (one bucket per pair keeps chains short).</summary>
        private void Grow()
        {
            var capacity = 2 * states.Length;
            Array.Resize(ref chain, capacity);
            Array.Resize(ref hashes, capacity);
            Array.Resize(ref states, capacity);
            Array.Resize(ref keyStarts, capacity);
            Array.Resize(ref keyLengths, capacity);
            buckets = new int[capacity];
            for (var pair = 0; pair < count; pair++) Link(pair);
        }

        private static int Mix(ulong hash)
        {
            hash ^= hash >> 33;
            hash *= 0xFF51AFD7ED558CCDUL;
            hash ^= hash >> 33;
            return (int)hash;
        }
    }
}
