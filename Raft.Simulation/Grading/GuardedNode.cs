using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;

namespace Raft.Simulation.Grading;

/// <summary>
/// Wraps the node under test. Whatever it throws from <see cref="Step"/> becomes an
/// <see cref="InvalidOperationException"/>, which the simulator reports as
/// <see cref="Checkers.Property.CoreInvariant"/> on that node (a failed run, never a crashed
/// grader); a null output is treated the same way. It also counts what the node sends
/// (<see cref="MessageMeter"/>): the grader measures behaviour, not what the node says of itself.
/// </summary>
internal sealed class GuardedNode(NodeId id, IRaftNode inner, MessageMeter meter) : IRaftNode
{
    public NodeId Id => Read(() => inner.Id);

    public Configuration Configuration => Read(() => inner.Configuration);

    public Role Role => Read(() => inner.Role);

    public long Term => Read(() => inner.Term);

    public NodeId? VotedFor => Read(() => inner.VotedFor);

    public NodeId? Leader => Read(() => inner.Leader);

    public long CommitIndex => Read(() => inner.CommitIndex);

    public long LastApplied => Read(() => inner.LastApplied);

    public IReadOnlyRaftLog Log => Read(() => inner.Log) ?? throw new InvalidOperationException("the node's Log is null");

    public Output Step(Input input)
    {
        Output? output;
        try
        {
            output = inner.Step(input);
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            throw new InvalidOperationException($"the node threw {e.GetType().Name} from Step({input.GetType().Name}): {e.Message}", e);
        }
        if (output?.Effects is null) throw new InvalidOperationException($"the node returned no Output (null) from Step({input.GetType().Name})");
        foreach (var effect in output.Effects)
        {
            if (effect is null) throw new InvalidOperationException($"the node returned a null effect from Step({input.GetType().Name})");
            meter.Observe(id, effect);
        }
        return output;
    }

    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            throw new InvalidOperationException($"the node threw {e.GetType().Name} while being inspected: {e.Message}", e);
        }
    }
}
