using System.Buffers;
using System.Text;
using System.Text.Json;
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
/// The NDJSON form of a <see cref="TraceEvent"/>, for tools (the viewer, scripts): one object per
/// line with <c>t</c> (virtual microseconds), <c>kind</c>, <c>node</c>, the kind's own fields, and
/// <c>detail</c> (the text form). docs/trace-format.md lists the fields.
/// </summary>
public static class TraceJson
{
    /// <summary>Readable escaping (<c>-></c> stays as it is); a page that embeds the lines must escape <c>&lt;/</c> itself.</summary>
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Line(in TraceEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("t", e.TimeMicros);
            json.WriteString("kind", TraceText.KindName(e.Kind));
            json.WriteString("node", e.Node);
            Fields(e, json);
            json.WriteString("detail", e.Detail);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Fields(in TraceEvent e, Utf8JsonWriter json)
    {
        switch (e.Kind)
        {
            case TraceKind.Timeout:
                json.WriteNumber("term", e.First);
                return;
            case TraceKind.Term or TraceKind.Commit:
                json.WriteNumber("from", e.First);
                json.WriteNumber("to", e.Second);
                return;
            case TraceKind.Recover when e.Subject is Raft.Core.Storage.PersistentState kept:
                json.WriteNumber("term", e.First);
                json.WriteString("vote", e.Third == 0 ? null : TraceEvent.ActorName((int)e.Third));
                json.WriteNumber("commit", e.Second);
                if (kept.Snapshot is { } snapshot) WriteSnapshot(snapshot, json);
                WriteEntries(kept.Entries, json);
                return;
            case TraceKind.Role:
                json.WriteString("from", RoleName((Role)e.First));
                json.WriteString("to", RoleName((Role)e.Second));
                json.WriteNumber("term", e.Third);
                return;
        }
        switch (e.Form)
        {
            case TraceForm.LostAtSend: json.WriteString("reason", "lost"); break;
            case TraceForm.ReceiverDown: json.WriteString("reason", "receiver-down"); break;
            case TraceForm.LinkCut: json.WriteString("reason", "link-cut"); break;
            case TraceForm.DroppedByHand: json.WriteString("reason", "by-hand"); break;
            case TraceForm.ByHand: json.WriteBoolean("byHand", true); break;
            case TraceForm.Delayed: json.WriteBoolean("delayed", true); break;
            case TraceForm.ReadConfirmed: json.WriteNumber("readIndex", e.First); break;
            case TraceForm.SnapshotTaken: json.WriteNumber("index", e.First); break;
        }
        switch (e.Subject)
        {
            case InFlightMessage copy:
                json.WriteNumber("seq", copy.Seq);
                json.WriteNumber("sent", copy.SentAtMicros);
                json.WriteNumber("due", copy.DeliverAtMicros);
                WriteMessage(copy.Message, json);
                break;
            case Message message:
                WriteMessage(message, json);
                break;
            case LogEntry entry:
                json.WriteNumber("index", entry.Index);
                json.WriteNumber("term", entry.Term);
                json.WriteString("entry", entry.Kind.ToString().ToLowerInvariant());
                break;
            case Snapshot snapshot:
                WriteSnapshot(snapshot, json);
                break;
            case PersistEntries write:
                json.WriteNumber("first", write.FirstIndex);
                json.WriteNumber("last", write.LastIndex);
                WriteEntries(write.Entries, json);
                break;
            case PersistSnapshot write:
                WriteSnapshot(write.Snapshot, json);
                break;
            case KvCommand command when e.Kind == TraceKind.ClientCall:
                json.WriteNumber("client", -e.Actor);
                json.WriteNumber("sequence", command.Sequence);
                json.WriteString("op", command.ToString());
                json.WriteString("target", e.First == 0 ? null : TraceEvent.ActorName((int)e.First));
                break;
            case KvCommand command:
                json.WriteString("op", command.ToString());
                break;
            case ClientOutcome outcome:
                json.WriteNumber("client", -e.Actor);
                json.WriteNumber("sequence", outcome.Command.Sequence);
                json.WriteString("op", outcome.Command.ToString());
                json.WriteBoolean("ok", outcome.Result.Ok);
                json.WriteString("value", outcome.Result.Value);
                break;
            case FaultAction action:
                json.WriteString("fault", action.Describe());
                break;
            case Violation violation:
                json.WriteString("property", violation.Property.ToString());
                json.WriteString("message", violation.Message);
                break;
        }
    }

    private static void WriteMessage(Message message, Utf8JsonWriter json)
    {
        json.WriteStartObject("msg");
        json.WriteString("type", message.Kind);
        json.WriteNumber("id", message.Id);
        json.WriteString("from", message.From.ToString());
        json.WriteString("to", message.To.ToString());
        json.WriteNumber("term", message.Term);
        switch (message)
        {
            case AppendEntries append:
                json.WriteNumber("prevIndex", append.PrevLogIndex);
                json.WriteNumber("prevTerm", append.PrevLogTerm);
                json.WriteNumber("commit", append.LeaderCommit);
                WriteEntries(append.Entries, json);
                break;
            case AppendEntriesResponse response:
                json.WriteNumber("re", response.InReplyTo);
                json.WriteBoolean("success", response.Success);
                json.WriteNumber("index", response.Index);
                if (!response.Success)
                {
                    json.WriteNumber("hintIndex", response.HintIndex);
                    json.WriteNumber("hintTerm", response.HintTerm);
                }
                break;
            case RequestVote vote:
                json.WriteNumber("lastIndex", vote.LastLogIndex);
                json.WriteNumber("lastTerm", vote.LastLogTerm);
                if (vote.LeadershipTransfer) json.WriteBoolean("transfer", true);
                break;
            case PreVote vote:
                json.WriteNumber("lastIndex", vote.LastLogIndex);
                json.WriteNumber("lastTerm", vote.LastLogTerm);
                break;
            case RequestVoteResponse vote:
                json.WriteNumber("re", vote.InReplyTo);
                json.WriteBoolean("granted", vote.VoteGranted);
                break;
            case PreVoteResponse vote:
                json.WriteNumber("re", vote.InReplyTo);
                json.WriteBoolean("granted", vote.VoteGranted);
                break;
            case InstallSnapshot install:
                json.WriteNumber("lastIndex", install.LastIncludedIndex);
                json.WriteNumber("lastTerm", install.LastIncludedTerm);
                json.WriteNumber("offset", install.Offset);
                json.WriteNumber("bytes", install.Data.Length);
                json.WriteBoolean("done", install.Done);
                break;
            case InstallSnapshotResponse response:
                json.WriteNumber("re", response.InReplyTo);
                json.WriteNumber("lastIndex", response.LastIncludedIndex);
                json.WriteNumber("nextOffset", response.NextOffset);
                json.WriteBoolean("done", response.Done);
                break;
        }
        json.WriteEndObject();
    }

    /// <summary>Entries as <c>[[index, term, "kind"], ...]</c>: enough to draw a log as the paper does.</summary>
    private static void WriteEntries(IReadOnlyList<LogEntry> entries, Utf8JsonWriter json)
    {
        json.WriteStartArray("entries");
        foreach (var entry in entries)
        {
            json.WriteStartArray();
            json.WriteNumberValue(entry.Index);
            json.WriteNumberValue(entry.Term);
            json.WriteStringValue(entry.Kind.ToString().ToLowerInvariant());
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    private static void WriteSnapshot(Snapshot snapshot, Utf8JsonWriter json)
    {
        json.WriteStartObject("snapshot");
        json.WriteNumber("lastIndex", snapshot.LastIncludedIndex);
        json.WriteNumber("lastTerm", snapshot.LastIncludedTerm);
        json.WriteNumber("bytes", snapshot.Data.Length);
        json.WriteEndObject();
    }

    private static string RoleName(Role role) => role.ToString().ToLowerInvariant();
}
