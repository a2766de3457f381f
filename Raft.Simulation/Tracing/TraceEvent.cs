using System.Globalization;
using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Simulation.Checkers;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation.Tracing;

/// <summary>
/// One thing that happened in a run, as data: when, what kind, who (a server, a client or the
/// harness), up to three numbers and the object it is about (a message on the wire, a log entry,
/// a write, a fault). Nothing is formatted when an event is recorded: <see cref="Detail"/>,
/// <see cref="ToText"/> and <see cref="ToJson"/> render it when someone reads it, and the run's
/// digest covers its canonical binary form (<see cref="TraceEncoding"/>). A struct, because a run
/// records tens of thousands of events and keeps only a few unless asked.
/// <para>
/// The objects an event refers to are the run's own immutable records (messages, entries, faults),
/// shared, not copied. A copy of a message on the wire (<see cref="InFlightMessage"/>, a struct) is
/// held in the event itself, so that sending and delivering allocate nothing for the trace.
/// </para>
/// </summary>
public readonly struct TraceEvent
{
    private readonly object? subject;
    private readonly InFlightMessage copy; // the copy a send, duplicate, drop or delivery is about; its Message is null for any other event

    private TraceEvent(long timeMicros, TraceKind kind, TraceForm form, int actor, object? subject, long first = 0, long second = 0, long third = 0)
    {
        TimeMicros = timeMicros;
        Kind = kind;
        Form = form;
        Actor = actor;
        this.subject = subject;
        First = first;
        Second = second;
        Third = third;
    }

    private TraceEvent(long timeMicros, TraceKind kind, TraceForm form, int actor, in InFlightMessage copy)
        : this(timeMicros, kind, form, actor, subject: null) => this.copy = copy;

    public long TimeMicros { get; }

    public TraceKind Kind { get; }

    /// <summary>Which of a kind's shapes this is (a drop at send or at delivery, a note about a read...).</summary>
    public TraceForm Form { get; }

    /// <summary>Who: a server (its id, 1 for n1), a client (its id negated, -1 for c1) or the harness itself (0).</summary>
    public int Actor { get; }

    /// <summary>
    /// What the event is about: an <see cref="InFlightMessage"/> (boxed when read: see
    /// <see cref="Copy"/>), a <see cref="Message"/>, a <see cref="LogEntry"/>, a write, a fault, a text...
    /// </summary>
    public object? Subject => Copy is { } onTheWire ? onTheWire : subject;

    /// <summary>The copy on the wire a send, duplicate, drop or delivery is about; null for a message lost at send and for any other event.</summary>
    public InFlightMessage? Copy => copy.Message is null ? null : copy;

    /// <summary>The event's numbers; their meaning depends on <see cref="Kind"/> (see the factories).</summary>
    public long First { get; }

    public long Second { get; }

    public long Third { get; }

    /// <summary>The actor as printed: <c>n1</c>, <c>c2</c> or <c>-</c>.</summary>
    public string Node => ActorName(Actor);

    /// <summary>The event's details as text, rendered now.</summary>
    public string Detail => TraceText.Detail(this);

    /// <summary>The message this event carries, if any.</summary>
    public Message? Message => copy.Message ?? subject as Message;

    // ---- the events a run records --------------------------------------------------------------

    /// <summary>A node's election timer fired and it campaigns for <paramref name="term"/>.</summary>
    public static TraceEvent Timeout(long now, NodeId node, long term) => new(now, TraceKind.Timeout, TraceForm.Plain, node.Value, null, term);

    /// <summary>A copy of a message was put on the wire (a duplicate if the network made an extra copy).</summary>
    public static TraceEvent Sent(long now, in InFlightMessage copy) =>
        new(now, copy.IsDuplicate ? TraceKind.Duplicate : TraceKind.Send, TraceForm.Plain, copy.Message.From.Value, copy);

    /// <summary>The network lost a message as it was sent, or a cut link swallowed it.</summary>
    public static TraceEvent Lost(long now, Message message) => new(now, TraceKind.Drop, TraceForm.LostAtSend, message.From.Value, message);

    /// <summary>A copy reached a receiver that was down or behind a cut link.</summary>
    public static TraceEvent Undeliverable(long now, in InFlightMessage copy, bool receiverDown) =>
        new(now, TraceKind.Drop, receiverDown ? TraceForm.ReceiverDown : TraceForm.LinkCut, copy.Message.To.Value, copy);

    /// <summary>A scenario or a test threw a copy in flight away.</summary>
    public static TraceEvent DroppedByHand(long now, in InFlightMessage copy) => new(now, TraceKind.Drop, TraceForm.DroppedByHand, copy.Message.To.Value, copy);

    /// <summary>A copy was delivered, on time or by hand (a scenario or a test chose it).</summary>
    public static TraceEvent Delivered(long now, in InFlightMessage copy, bool byHand = false) =>
        new(now, TraceKind.Deliver, byHand ? TraceForm.ByHand : TraceForm.Plain, copy.Message.To.Value, copy);

    /// <summary>A message that waited in a node's backlog (while it was paused or syncing) is handed to it.</summary>
    public static TraceEvent DeliveredLate(long now, NodeId node, Message message) => new(now, TraceKind.Deliver, TraceForm.Delayed, node.Value, message);

    public static TraceEvent TermChanged(long now, NodeId node, long from, long to) => new(now, TraceKind.Term, TraceForm.Plain, node.Value, null, from, to);

    public static TraceEvent RoleChanged(long now, NodeId node, Role from, Role to, long term) =>
        new(now, TraceKind.Role, TraceForm.Plain, node.Value, null, (long)from, (long)to, term);

    public static TraceEvent Committed(long now, NodeId node, long from, long to) => new(now, TraceKind.Commit, TraceForm.Plain, node.Value, null, from, to);

    /// <summary>A node applied a committed entry to its state machine.</summary>
    public static TraceEvent Applied(long now, NodeId node, LogEntry entry) => new(now, TraceKind.Apply, TraceForm.Plain, node.Value, entry);

    /// <summary>A node replaced its state machine with a snapshot's state.</summary>
    public static TraceEvent Restored(long now, NodeId node, Snapshot snapshot) => new(now, TraceKind.Apply, TraceForm.Restore, node.Value, snapshot);

    /// <summary>A node handed a write (<see cref="PersistEntries"/> or <see cref="PersistSnapshot"/>) to its disk.</summary>
    public static TraceEvent Wrote(long now, NodeId node, Effect write) => new(now, TraceKind.Append, TraceForm.Plain, node.Value, write);

    /// <summary>
    /// A node started again (after a crash) from what its disk kept: <paramref name="persisted"/> is
    /// its hard state, snapshot and log, <paramref name="commitIndex"/> what it knows to be committed
    /// on starting. Lets a reader (the viewer) know the log after a crash lost unsynced writes.
    /// </summary>
    public static TraceEvent Recovered(long now, NodeId node, Raft.Core.Storage.PersistentState persisted, long commitIndex) =>
        new(now, TraceKind.Recover, TraceForm.Plain, node.Value, persisted, persisted.HardState.Term, commitIndex, persisted.HardState.VotedFor?.Value ?? 0);

    /// <summary>A fault of the schedule took effect.</summary>
    public static TraceEvent Fault(long now, FaultAction action) => new(now, KindOf(action), TraceForm.Plain, 0, action);

    /// <summary>A client invoked an operation at <paramref name="target"/>.</summary>
    public static TraceEvent ClientCalled(long now, int client, KvCommand command, NodeId target) =>
        new(now, TraceKind.ClientCall, TraceForm.Plain, -client, command, target.Value);

    /// <summary>A client's operation completed with <paramref name="result"/>.</summary>
    public static TraceEvent ClientReturned(long now, int client, KvCommand command, KvResult result) =>
        new(now, TraceKind.ClientReturn, TraceForm.Plain, -client, new ClientOutcome(command, result));

    /// <summary>A leader confirmed it still leads and may answer a read once it has applied up to <paramref name="readIndex"/>.</summary>
    public static TraceEvent ReadConfirmed(long now, NodeId node, KvCommand command, long readIndex) =>
        new(now, TraceKind.Note, TraceForm.ReadConfirmed, node.Value, command, readIndex);

    /// <summary>The driver took a snapshot of a node's state machine at its applied index.</summary>
    public static TraceEvent SnapshotTaken(long now, NodeId node, long appliedIndex) =>
        new(now, TraceKind.Note, TraceForm.SnapshotTaken, node.Value, null, appliedIndex);

    public static TraceEvent Violated(long now, Violation violation) =>
        new(now, TraceKind.Violation, TraceForm.Plain, ParseActor(violation.Node), violation);

    /// <summary>Anything else worth a line, as text (rare events only: the text is made when recorded).</summary>
    public static TraceEvent Note(long now, TraceKind kind, string actor, string text) => new(now, kind, TraceForm.Plain, ParseActor(actor), text);

    // ---- reading -------------------------------------------------------------------------------

    /// <summary>The stable text form: <c>   12.345ms n1   send         #7 RequestVote#...</c>.</summary>
    public string ToText() =>
        string.Create(CultureInfo.InvariantCulture, $"{FormatTime(TimeMicros),10} {Node,-4} {TraceText.KindName(Kind),-12} {Detail}");

    /// <summary>One line of NDJSON: the event's fields, structured, and its text.</summary>
    public string ToJson() => TraceJson.Line(this);

    public override string ToString() => ToText();

    public static string FormatTime(long micros) =>
        string.Create(CultureInfo.InvariantCulture, $"{micros / 1000}.{micros % 1000:D3}ms");

    public static string ActorName(int actor) => actor switch
    {
        0 => "-",
        > 0 => "n" + actor.ToString(CultureInfo.InvariantCulture),
        _ => "c" + (-actor).ToString(CultureInfo.InvariantCulture),
    };

    private static int ParseActor(string name) =>
        name.Length > 1 && int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? name[0] switch { 'n' => number, 'c' => -number, _ => 0 }
            : 0;

    private static TraceKind KindOf(FaultAction action) => action switch
    {
        HealFault => TraceKind.Heal,
        CrashFault => TraceKind.Crash,
        RestartFault => TraceKind.Restart,
        PauseFault => TraceKind.Pause,
        ResumeFault => TraceKind.Resume,
        NetworkFault => TraceKind.Network,
        TransferFault or MembershipFault => TraceKind.Note,
        _ => TraceKind.Partition,
    };
}
