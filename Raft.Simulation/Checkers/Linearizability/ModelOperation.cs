namespace Raft.Simulation.Checkers.Linearizability;

/// <summary>
/// One operation as the checker sees it: a history-unique <see cref="Id"/>, what was asked, what was
/// answered, and the real-time interval [<see cref="CalledAt"/>, <see cref="ReturnedAt"/>] in which it
/// must have taken effect.
/// </summary>
/// <remarks>
/// Three shapes: complete (both a return time and an answer); returned with its answer not recorded
/// (a return time, a null <see cref="Output"/>: it took effect by then, with some answer); and never
/// returned (null <see cref="ReturnedAt"/>, standing for +infinity, and a null output: it may have
/// taken effect at any time after its call, or never).
/// </remarks>
public sealed record ModelOperation<TInput, TOutput>(long Id, TInput Input, TOutput? Output, long CalledAt, long? ReturnedAt)
    where TOutput : class
{
    /// <summary>For a person: id, interval, input and answer, e.g. <c>op3 [40, 50] get x -> ok 1</c>.</summary>
    public override string ToString()
    {
        var answer = Output is not null ? Output.ToString() : ReturnedAt is null ? "no reply" : "answer not recorded";
        return $"op{Id} [{CalledAt}, {(ReturnedAt is { } at ? at.ToString() : "...")}] {Input} -> {answer}";
    }
}
