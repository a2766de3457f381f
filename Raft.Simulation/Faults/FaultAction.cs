using Raft.Core.Membership;
using Raft.Simulation.Tracing;

namespace Raft.Simulation.Faults;

/// <summary>
/// One timed fault of a schedule. A schedule is plain data: it can be generated from a seed,
/// shrunk by dropping actions, printed, and run again. Node numbers are 1-based.
/// </summary>
public abstract record FaultAction(long AtMicros)
{
    /// <summary>
    /// The node number that stands for "the leader at that moment" in <see cref="CrashFault"/>,
    /// <see cref="IsolateFault"/> and <see cref="PauseFault"/> (<c>crash leader</c>): the leader a
    /// majority follows (<see cref="Simulation.LeaderNow"/>); with no leader the action does nothing.
    /// </summary>
    public const int TheLeader = 0;

    public sealed override string ToString() => $"at {TraceEvent.FormatTime(AtMicros)} {Describe()}";

    /// <summary>The action without its time, e.g. <c>crash n2</c>.</summary>
    public abstract string Describe();

    /// <summary><c>n2</c>, or <c>leader</c> for <see cref="TheLeader"/>.</summary>
    protected static string Target(int node) => node == TheLeader ? "leader" : $"n{node}";
}

/// <summary>Cuts every link between different groups (nodes in no group are isolated).</summary>
public sealed record PartitionFault(long AtMicros, IReadOnlyList<IReadOnlyList<int>> Groups) : FaultAction(AtMicros)
{
    public override string Describe() => "partition " + string.Join(" | ", Groups.Select(g => string.Join(" ", g.Select(n => $"n{n}"))));
}

/// <summary>
/// Cuts every link between the groups except those of the bridge node, which still talks to
/// everyone: the two sides can only hear of each other through it.
/// </summary>
public sealed record BridgeFault(long AtMicros, int Bridge, IReadOnlyList<IReadOnlyList<int>> Groups) : FaultAction(AtMicros)
{
    public override string Describe() => $"bridge n{Bridge} " + string.Join(" | ", Groups.Select(g => string.Join(" ", g.Select(n => $"n{n}"))));
}

/// <summary>Cuts one direction of one link.</summary>
public sealed record CutLinkFault(long AtMicros, int From, int To) : FaultAction(AtMicros)
{
    public override string Describe() => $"cut n{From}->n{To}";
}

/// <summary>Cuts both directions between a node and all others.</summary>
public sealed record IsolateFault(long AtMicros, int Node) : FaultAction(AtMicros)
{
    public override string Describe() => $"isolate {Target(Node)}";
}

/// <summary>Restores every link to and from one node (the others stay as they are).</summary>
public sealed record ReconnectFault(long AtMicros, int Node) : FaultAction(AtMicros)
{
    public override string Describe() => $"reconnect n{Node}";
}

/// <summary>Restores every link.</summary>
public sealed record HealFault(long AtMicros) : FaultAction(AtMicros)
{
    public override string Describe() => "heal";
}

public sealed record CrashFault(long AtMicros, int Node) : FaultAction(AtMicros)
{
    public override string Describe() => $"crash {Target(Node)}";
}

public sealed record RestartFault(long AtMicros, int Node) : FaultAction(AtMicros)
{
    public override string Describe() => $"restart n{Node}";
}

/// <summary>Asks the current leader, if there is one, to hand leadership to a node (thesis §3.10).</summary>
public sealed record TransferFault(long AtMicros, int Node) : FaultAction(AtMicros)
{
    public override string Describe() => $"transfer n{Node}";
}

public sealed record PauseFault(long AtMicros, int Node) : FaultAction(AtMicros)
{
    public override string Describe() => $"pause {Target(Node)}";
}

public sealed record ResumeFault(long AtMicros, int Node) : FaultAction(AtMicros)
{
    public override string Describe() => $"resume n{Node}";
}

/// <summary>Changes loss, duplication and reordering on every link.</summary>
public sealed record NetworkFault(long AtMicros, double LossRate, double DuplicateRate, double ReorderRate) : FaultAction(AtMicros)
{
    public override string Describe() => $"network loss={LossRate:0.##} dup={DuplicateRate:0.##} reorder={ReorderRate:0.##}";
}

/// <summary>
/// Asks the current leader, if there is one, for a single-server membership change (thesis §4):
/// <c>add n6</c> (as a voter, promoted once caught up), <c>learner n6</c>, <c>remove n2</c>.
/// </summary>
public sealed record MembershipFault(long AtMicros, MembershipChangeKind Kind, int Node) : FaultAction(AtMicros)
{
    public override string Describe() => Kind switch
    {
        MembershipChangeKind.AddVoter => $"add n{Node}",
        MembershipChangeKind.AddLearner => $"learner n{Node}",
        _ => $"remove n{Node}",
    };
}
