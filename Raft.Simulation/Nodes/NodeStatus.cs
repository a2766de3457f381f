namespace Raft.Simulation.Nodes;

/// <summary>Whether a simulated server is running.</summary>
public enum NodeStatus
{
    Up,

    /// <summary>Frozen (think of a long GC pause): no ticks; messages wait until it resumes.</summary>
    Paused,

    /// <summary>Crashed: volatile state is gone, messages to it are lost.</summary>
    Down,
}
