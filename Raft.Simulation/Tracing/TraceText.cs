using System.Globalization;
using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Simulation.Checkers;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation.Tracing;

/// <summary>The text of a <see cref="TraceEvent"/>, made only when someone reads it (replay, a violation report).</summary>
public static class TraceText
{
    public static string KindName(TraceKind kind) => kind.ToString().ToLowerInvariant();

    public static string Detail(in TraceEvent e) => e.Kind switch
    {
        TraceKind.Timeout => Invariant($"election timeout, campaigning for term {e.First}"),
        TraceKind.Send or TraceKind.Duplicate => e.Subject!.ToString()!,
        TraceKind.Drop => e.Form switch
        {
            TraceForm.LostAtSend => $"{e.Subject} (lost or cut)",
            TraceForm.ReceiverDown => $"{Arrival((InFlightMessage)e.Subject!)} (receiver down)",
            TraceForm.DroppedByHand => $"{Arrival((InFlightMessage)e.Subject!)} (dropped by hand)",
            _ => $"{Arrival((InFlightMessage)e.Subject!)} (link cut)",
        },
        TraceKind.Deliver => e.Form switch
        {
            TraceForm.Delayed => $"{Arrival((Message)e.Subject!)} (delayed)",
            TraceForm.ByHand => $"{Arrival((InFlightMessage)e.Subject!)} (by hand)",
            _ => Arrival((InFlightMessage)e.Subject!),
        },
        TraceKind.Term => Invariant($"term {e.First} -> {e.Second}"),
        TraceKind.Role => Invariant($"{(Role)e.First} -> {(Role)e.Second} in term {e.Third}"),
        TraceKind.Commit => Invariant($"commit {e.First} -> {e.Second}"),
        TraceKind.Apply when e.Subject is Snapshot snapshot => $"restore {snapshot}",
        TraceKind.Apply => Entry((LogEntry)e.Subject!),
        TraceKind.Append => e.Subject switch
        {
            PersistEntries entries => Invariant($"log [{entries.FirstIndex}..{entries.LastIndex}] terms {string.Join(",", entries.Entries.Select(x => x.Term).Distinct())}"),
            PersistSnapshot stored => $"write {stored.Snapshot}",
            var other => other?.ToString() ?? "",
        },
        TraceKind.Recover when e.Subject is Raft.Core.Storage.PersistentState kept =>
            Invariant($"restarted from disk: term {e.First}, vote {(e.Third == 0 ? "none" : TraceEvent.ActorName((int)e.Third))}, {(kept.Snapshot is { } s ? $"snapshot to {s.LastIncludedIndex}@{s.LastIncludedTerm}, " : "")}log {LogRange(kept.Entries)}, commit {e.Second}"),
        TraceKind.ClientCall => $"{e.Subject} -> {TraceEvent.ActorName((int)e.First)}",
        TraceKind.ClientReturn when e.Subject is ClientOutcome outcome => $"{outcome.Command} = {outcome.Result}",
        _ => e.Form switch
        {
            TraceForm.ReadConfirmed => Invariant($"read {e.Subject} confirmed at index {e.First}"),
            TraceForm.SnapshotTaken => Invariant($"snapshot at applied index {e.First}"),
            _ => e.Subject switch
            {
                FaultAction action => action.Describe(),
                Violation violation => violation.ToString(),
                var other => other?.ToString() ?? "",
            },
        },
    };

    /// <summary>An applied entry with what it carries: <c>7@2 put k1=v3</c>, <c>8@2 config n1 n2 n3</c>.</summary>
    public static string Entry(LogEntry entry) => entry.Kind switch
    {
        EntryKind.Command => $"{entry} {Command(entry.Command)}",
        EntryKind.Configuration => Configuration.TryDecode(entry.Command, out var configuration) ? $"{entry} config {configuration}" : $"{entry} config (undecodable)",
        _ => entry.ToString(),
    };

    /// <summary>A key-value command, or what else an entry carries (a scenario's preset logs and <c>propose</c> hold plain text).</summary>
    private static string Command(byte[] bytes)
    {
        try
        {
            return KvCommand.Decode(bytes).ToString();
        }
        catch (FormatException)
        {
            return $"({bytes.Length} bytes, not a key-value command)";
        }
    }

    private static string LogRange(IReadOnlyList<LogEntry> entries) =>
        entries.Count == 0 ? "empty" : Invariant($"[{entries[0].Index}..{entries[^1].Index}]");

    private static string Arrival(InFlightMessage copy) => Invariant($"#{copy.Seq} {Arrival(copy.Message)}");

    private static string Arrival(Message message) => $"{message.Kind}#{message.Id.ToString(CultureInfo.InvariantCulture)} from {message.From}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
