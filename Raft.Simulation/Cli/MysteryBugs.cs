using Raft.Core;

namespace Raft.Simulation.Cli;

/// <summary>
/// Teaching bugs by number, for bug hunts whose command lines do not give the answer away:
/// <c>--mystery 3</c> runs a broken core without naming it, the commands a run prints say
/// <c>--mystery 3</c> again, and <c>raft-sim hunt reveal 3</c> names it (for teachers). The
/// numbers are a fixed shuffle, not the order of <see cref="TeachingBug"/>, so that they do not
/// follow the list in docs/teaching-bugs.md. Never renumber: handouts cite these numbers.
/// </summary>
public static class MysteryBugs
{
    private static readonly TeachingBug[] ByNumber =
    [
        TeachingBug.SkipPrevLogTermCheck,          // 1
        TeachingBug.ForgetVoteOnRestart,           // 2
        TeachingBug.LeaderIgnoresHigherTerm,       // 3
        TeachingBug.ApplyBeforeCommit,             // 4
        TeachingBug.VoteWithoutLogCheck,           // 5
        TeachingBug.ReplyBeforePersist,            // 6
        TeachingBug.CommitOldTermByCounting,       // 7
        TeachingBug.SnapshotForgetsConfiguration,  // 8
        TeachingBug.ReadWithoutQuorumCheck,        // 9
        TeachingBug.OverlappingMembershipChanges,  // 10
        TeachingBug.PreVoteAdoptsTerm,             // 11
    ];

    /// <summary>How many mystery bugs there are: numbers 1 to Count.</summary>
    public static int Count => ByNumber.Length;

    /// <summary>The bug behind number <paramref name="number"/>, or null when there is none.</summary>
    public static TeachingBug? Bug(int number) => number >= 1 && number <= ByNumber.Length ? ByNumber[number - 1] : null;

    /// <summary>The number of <paramref name="bug"/> (0 for <see cref="TeachingBug.None"/>).</summary>
    public static int NumberOf(TeachingBug bug) => Array.IndexOf(ByNumber, bug) + 1;
}
