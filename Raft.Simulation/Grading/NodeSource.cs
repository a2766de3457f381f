using Raft.Core;
using Raft.Core.Node;

namespace Raft.Simulation.Grading;

/// <summary>
/// The node a grade runs: a student's class (loaded by <see cref="NodeLoader"/>), or the reference
/// core, with or without a teaching bug. <see cref="Argument"/> is how the grade command names it,
/// for the commands the report prints.
/// </summary>
public sealed record NodeSource(string Description, string Argument, Func<NodeSpec, IRaftNode> Create, TeachingBug Bug = TeachingBug.None)
{
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
    };
}
