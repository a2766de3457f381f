namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// One operation as the search sees it: what was asked, what was answered (null: no answer ever
/// came) and the real-time interval [<see cref="CalledAt"/>, <see cref="ReturnedAt"/>] in which it
/// must have taken effect. A null <see cref="ReturnedAt"/> stands for +infinity.
/// </summary>
public sealed record ModelOperation<TInput, TOutput>(TInput Input, TOutput? Output, long CalledAt, long? ReturnedAt)
    where TOutput : class;
