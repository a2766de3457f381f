using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Simulation.Tracing;

/// <summary>
/// The canonical binary form of a <see cref="TraceEvent"/>, which the run's digest covers. Fixed
/// widths, little-endian, no culture and no text for anything frequent, so the same run gives the
/// same bytes in any process on any machine:
/// <code>
/// event   = time:i64 kind:u8 form:u8 actor:i32 first:i64 second:i64 third:i64 subject
/// subject = tag:u8 fields...   (see <see cref="WriteSubject"/>; tag 0: none)
/// message = type:u8 from:i32 to:i32 term:i64 id:i64 then the type's own fields
/// entry   = index:i64 term:i64 kind:u8 length:i32 command bytes
/// command = client:i64 sequence:i64 operation:u8 key:text value:text? expected:text? (text? = -1 for none)
/// recover = has-snapshot:u8 snapshot? entries   (first: term, second: commit index, third: vote)
/// text    = length:i32 UTF-8 bytes (faults, violations and notes: rare events)
/// </code>
/// </summary>
public static class TraceEncoding
{
    private enum Tag : byte { None, Copy, Message, Entry, Entries, Snapshot, Fault, NetworkFault, Command, Outcome, Text, Recovered }

    /// <summary>Writes the event's bytes to <paramref name="output"/> (cleared first).</summary>
    public static void Write(in TraceEvent e, ByteWriter output)
    {
        output.Clear();
        Append(e, output);
    }

    /// <summary>Appends the event's bytes to what <paramref name="output"/> holds.</summary>
    public static void Append(in TraceEvent e, ByteWriter output)
    {
        output.Int64(e.TimeMicros);
        output.Byte((byte)e.Kind);
        output.Byte((byte)e.Form);
        output.Int32(e.Actor);
        output.Int64(e.First);
        output.Int64(e.Second);
        output.Int64(e.Third);
        if (e.Copy is { } copy) WriteCopy(copy, output); // held in the event, not boxed as its subject
        else WriteSubject(e.Subject, output);
    }

    /// <summary>
    /// Appends the canonical form of one of the core's effects, for a digest of what a step did
    /// (the real cluster's input logs, Raft.Net's parity replay). Every field counts, entries and
    /// snapshot data included:
    /// <code>
    /// effect = type:u8 fields   1 state: term:i64 has-vote:u8 vote:i32   2 entries: first:i64 entries
    ///          3 persisted snapshot: snapshot   4 send: message   5 apply: entry
    ///          6 read ready: request:i64 index:i64   7 read refused: request:i64 reason:u8 has-hint:u8 hint:i32
    ///          8 restore: snapshot
    /// </code>
    /// </summary>
    public static void WriteEffect(Effect effect, ByteWriter output)
    {
        switch (effect)
        {
            case PersistHardState state:
                output.Byte(1);
                output.Int64(state.State.Term);
                WriteOptionalNode(state.State.VotedFor, output);
                break;
            case PersistEntries write:
                output.Byte(2);
                output.Int64(write.FirstIndex);
                WriteEntries(write.Entries, output);
                break;
            case PersistSnapshot write:
                output.Byte(3);
                WriteSnapshot(write.Snapshot, output);
                break;
            case Send send:
                output.Byte(4);
                WriteMessage(send.Message, output);
                break;
            case ApplyEntry apply:
                output.Byte(5);
                WriteEntry(apply.Entry, output);
                break;
            case ReadReady ready:
                output.Byte(6);
                output.Int64(ready.RequestId);
                output.Int64(ready.ReadIndex);
                break;
            case ReadRefused refused:
                output.Byte(7);
                output.Int64(refused.RequestId);
                output.Byte((byte)refused.Reason);
                WriteOptionalNode(refused.LeaderHint, output);
                break;
            case RestoreSnapshot restore:
                output.Byte(8);
                WriteSnapshot(restore.Snapshot, output);
                break;
            default:
                throw new ArgumentException($"no canonical form for the effect {effect.GetType().Name}", nameof(effect));
        }
    }

    private static void WriteOptionalNode(Raft.Core.NodeId? node, ByteWriter output)
    {
        output.Byte(node is null ? (byte)0 : (byte)1);
        output.Int32(node?.Value ?? 0);
    }

    private static void WriteCopy(in InFlightMessage copy, ByteWriter output)
    {
        output.Byte((byte)Tag.Copy);
        output.Int64(copy.Seq);
        output.Int64(copy.SentAtMicros);
        output.Int64(copy.DeliverAtMicros);
        output.Byte(copy.IsDuplicate ? (byte)1 : (byte)0);
        WriteMessage(copy.Message, output);
    }

    private static void WriteSubject(object? subject, ByteWriter output)
    {
        switch (subject)
        {
            case null:
                output.Byte((byte)Tag.None);
                break;
            case InFlightMessage copy:
                WriteCopy(copy, output);
                break;
            case Message message:
                output.Byte((byte)Tag.Message);
                WriteMessage(message, output);
                break;
            case LogEntry entry:
                output.Byte((byte)Tag.Entry);
                WriteEntry(entry, output);
                break;
            case PersistEntries write:
                output.Byte((byte)Tag.Entries);
                output.Int64(write.FirstIndex);
                WriteEntries(write.Entries, output);
                break;
            case PersistSnapshot write:
                output.Byte((byte)Tag.Snapshot);
                WriteSnapshot(write.Snapshot, output);
                break;
            case Snapshot snapshot:
                output.Byte((byte)Tag.Snapshot);
                WriteSnapshot(snapshot, output);
                break;
            case Raft.Core.Storage.PersistentState recovered: // term, commit and vote are the event's numbers
                output.Byte((byte)Tag.Recovered);
                output.Byte(recovered.Snapshot is null ? (byte)0 : (byte)1);
                if (recovered.Snapshot is { } kept) WriteSnapshot(kept, output);
                WriteEntries(recovered.Entries, output);
                break;
            case NetworkFault network: // its rates are doubles: their bits, not their culture's text
                output.Byte((byte)Tag.NetworkFault);
                output.Int64(network.AtMicros);
                output.Int64(BitConverter.DoubleToInt64Bits(network.LossRate));
                output.Int64(BitConverter.DoubleToInt64Bits(network.DuplicateRate));
                output.Int64(BitConverter.DoubleToInt64Bits(network.ReorderRate));
                break;
            case KvCommand command:
                output.Byte((byte)Tag.Command);
                WriteCommand(command, output);
                break;
            case ClientOutcome outcome:
                output.Byte((byte)Tag.Outcome);
                WriteCommand(outcome.Command, output);
                output.Byte((byte)((outcome.Result.Ok ? 1 : 0) | (outcome.Result.Value is null ? 0 : 2)));
                output.Text(outcome.Result.Value ?? "");
                break;
            case FaultAction action:
                output.Byte((byte)Tag.Fault);
                output.Int64(action.AtMicros);
                output.Text(action.Describe());
                break;
            default:
                output.Byte((byte)Tag.Text);
                output.Text(subject.ToString() ?? "");
                break;
        }
    }

    private static void WriteMessage(Message message, ByteWriter output)
    {
        output.Byte(TypeOf(message));
        output.Int32(message.From.Value);
        output.Int32(message.To.Value);
        output.Int64(message.Term);
        output.Int64(message.Id);
        switch (message)
        {
            case AppendEntries append:
                output.Int64(append.PrevLogIndex);
                output.Int64(append.PrevLogTerm);
                output.Int64(append.LeaderCommit);
                WriteEntries(append.Entries, output);
                break;
            case AppendEntriesResponse response:
                output.Int64(response.InReplyTo);
                output.Byte(response.Success ? (byte)1 : (byte)0);
                output.Int64(response.Index);
                output.Int64(response.HintIndex);
                output.Int64(response.HintTerm);
                break;
            case RequestVote vote:
                output.Int64(vote.LastLogIndex);
                output.Int64(vote.LastLogTerm);
                output.Byte(vote.LeadershipTransfer ? (byte)1 : (byte)0);
                break;
            case RequestVoteResponse vote:
                output.Int64(vote.InReplyTo);
                output.Byte(vote.VoteGranted ? (byte)1 : (byte)0);
                break;
            case PreVote vote:
                output.Int64(vote.LastLogIndex);
                output.Int64(vote.LastLogTerm);
                break;
            case PreVoteResponse vote:
                output.Int64(vote.InReplyTo);
                output.Byte(vote.VoteGranted ? (byte)1 : (byte)0);
                break;
            case InstallSnapshot install:
                output.Int64(install.LastIncludedIndex);
                output.Int64(install.LastIncludedTerm);
                output.Int64((long)install.Digest);
                output.Bytes(install.Configuration.Encode());
                output.Int64(install.Offset);
                output.Bytes(install.Data);
                output.Byte(install.Done ? (byte)1 : (byte)0);
                break;
            case InstallSnapshotResponse response:
                output.Int64(response.InReplyTo);
                output.Int64(response.LastIncludedIndex);
                output.Int64(response.NextOffset);
                output.Byte(response.Done ? (byte)1 : (byte)0);
                break;
        }
    }

    /// <summary>A message type's number in this encoding: fixed here, never the order of a switch or a type's hash.</summary>
    private static byte TypeOf(Message message) => message switch
    {
        AppendEntries => 1,
        AppendEntriesResponse => 2,
        RequestVote => 3,
        RequestVoteResponse => 4,
        PreVote => 5,
        PreVoteResponse => 6,
        InstallSnapshot => 7,
        InstallSnapshotResponse => 8,
        TimeoutNow => 9,
        _ => 0,
    };

    private static void WriteEntries(IReadOnlyList<LogEntry> entries, ByteWriter output)
    {
        output.Int32(entries.Count);
        for (var i = 0; i < entries.Count; i++) WriteEntry(entries[i], output);
    }

    private static void WriteEntry(LogEntry entry, ByteWriter output)
    {
        output.Int64(entry.Index);
        output.Int64(entry.Term);
        output.Byte((byte)entry.Kind);
        output.Bytes(entry.Command);
    }

    private static void WriteCommand(KvCommand command, ByteWriter output)
    {
        output.Int64(command.ClientId);
        output.Int64(command.Sequence);
        output.Byte((byte)command.Operation);
        output.Text(command.Key);
        output.OptionalText(command.Value);
        output.OptionalText(command.Expected);
    }

    private static void WriteSnapshot(Snapshot snapshot, ByteWriter output)
    {
        output.Int64(snapshot.LastIncludedIndex);
        output.Int64(snapshot.LastIncludedTerm);
        output.Int64((long)snapshot.Metadata.Digest);
        output.Bytes(snapshot.Metadata.Configuration.Encode());
        output.Bytes(snapshot.Data);
    }
}
