using Raft.Core;
using Raft.Core.Node;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Grading;

/// <summary>
/// The node a grade runs: a student's class (loaded by <see cref="NodeLoader"/>), or the reference
/// core, with or without a teaching bug. <see cref="Argument"/> is how the grade command names it,
/// for the commands the report prints.
/// </summary>
public sealed record NodeSource(string Description, string Argument, Func<NodeSpec, IRaftNode> Create, TeachingBug Bug = TeachingBug.None)
{
    /// <summary>
    /// Makes the key-value store that lab 5 grades with the node (a student's <see cref="IKeyValueStore"/>
    /// class), or null when the node comes without one. Labs 1 to 4 always use the reference
    /// <see cref="KvStateMachine"/>: they grade the log, not the store.
    /// </summary>
    public Func<IKeyValueStore>? CreateStore { get; init; }

    /// <summary>How the store is named in the grade's first line.</summary>
    public string? StoreDescription { get; init; }

    /// <summary>True for the reference core (with or without a bug): its runs can be repeated with <c>raft-sim replay</c>.</summary>
    public bool IsReference { get; init; }

    /// <summary>Our <see cref="RaftNode"/>; with a bug, the teaching bug switched on (see docs/teaching-bugs.md).</summary>
    public static NodeSource Reference(TeachingBug bug = TeachingBug.None) => new(
        bug == TeachingBug.None ? "the reference RaftNode" : $"the reference RaftNode with teaching bug {Cli.RunOptionSet.Kebab(bug.ToString())}",
        bug == TeachingBug.None ? "--reference" : $"--bug {Cli.RunOptionSet.Kebab(bug.ToString())}",
        spec => new RaftNode(spec.Id, spec.Members, spec.Options, spec.Random, spec.Persisted, spec.FirstMessageId),
        bug)
    {
        IsReference = true,
        CreateStore = () => new KvStateMachine(),
    };
}
