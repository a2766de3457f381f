using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Storage;

namespace StudentNode;

/// <summary>
/// Lab 3, persistence (labs/lab3-persistence.md): Figure 2 "Persistent state on all servers"
/// (currentTerm, votedFor, log[]), and thesis §3.8: persistent state is on stable storage before
/// the server answers, or sends anything that depends on it. The driver stores what the persist
/// effects say, in order, and a message added after a persist effect leaves only once that write
/// is durable. So the rule is simple to state: change persistent state only through these
/// helpers, and call them before <see cref="Send"/>, never after.
/// </summary>
public sealed partial class StudentNode
{
    /// <summary>
    /// Changes currentTerm and votedFor and asks the driver to store them. The term never goes back.
    /// Messages sent after this call leave only once the new state is durable.
    /// </summary>
    private void SetHardState(long term, NodeId? votedFor)
    {
        if (term < Term) throw new InvalidOperationException($"term going back from {Term} to {term}");
        Term = term;
        VotedFor = votedFor;
        effects.Add(new PersistHardState(new HardState(term, votedFor)));
    }

    /// <summary>
    /// Asks the driver to store the log from <paramref name="firstIndex"/> to its end, discarding
    /// whatever it had stored at or after <paramref name="firstIndex"/> (so a truncation followed
    /// by appends is persisted by one call from the first index that changed).
    /// </summary>
    private void PersistLogFrom(long firstIndex) =>
        effects.Add(new PersistEntries(firstIndex, log.Slice(firstIndex, log.LastIndex)));

    /// <summary>
    /// Called once, by the constructor: reloads what the server stored before it crashed. Only
    /// persistent state survives a crash; everything volatile (role, leader, commitIndex,
    /// lastApplied, nextIndex, matchIndex, votes received) starts afresh (Figure 2).
    /// </summary>
    private void RestoreFromStorage(PersistentState persisted)
    {
        Term = persisted.HardState.Term;
        VotedFor = persisted.HardState.VotedFor;
        if (persisted.Snapshot is { } stored) RestoreSnapshotAtStart(stored); // lab 4, Snapshots.cs
        foreach (var entry in persisted.Entries) log.Append(entry);
        // TODO(lab 3) nothing to write here, but convince yourself of three things (the handout asks):
        //  - why commitIndex starts at 0 (or at the snapshot) and not where it was before the crash;
        //  - which of your handlers change Term, VotedFor or the log without a persist effect before
        //    the next Send (grep for "Term =", "VotedFor =", "log.Append", "log.TruncateFrom");
        //  - what a reply promises: a vote granted, or "I hold entries up to Index".
    }
}
