using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Net.Wire.Frames;

namespace Raft.Net.Wire;

/// <summary>Maps the core's messages to their wire bodies and back. No checks beyond shape: see <see cref="MessageInvariants"/>.</summary>
internal static class MessageFrames
{
    public static PeerBody ToBody(Message message) => message switch
    {
        RequestVote m => new RequestVoteBody
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id,
            LastLogIndex = m.LastLogIndex, LastLogTerm = m.LastLogTerm, LeadershipTransfer = m.LeadershipTransfer,
        },
        RequestVoteResponse m => new RequestVoteResponseBody
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id,
            InReplyTo = m.InReplyTo, VoteGranted = m.VoteGranted,
        },
        AppendEntries m => new AppendEntriesBody
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id,
            PrevLogIndex = m.PrevLogIndex, PrevLogTerm = m.PrevLogTerm,
            Entries = [.. m.Entries.Select(e => new LogEntryFrame { Index = e.Index, Term = e.Term, Kind = (int)e.Kind, Command = e.Command })],
            LeaderCommit = m.LeaderCommit,
        },
        AppendEntriesResponse m => new AppendEntriesResponseBody
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id,
            InReplyTo = m.InReplyTo, Success = m.Success, Index = m.Index, HintIndex = m.HintIndex, HintTerm = m.HintTerm,
        },
        PreVote m => new PreVoteBody
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id,
            LastLogIndex = m.LastLogIndex, LastLogTerm = m.LastLogTerm,
        },
        PreVoteResponse m => new PreVoteResponseBody
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id,
            InReplyTo = m.InReplyTo, VoteGranted = m.VoteGranted,
        },
        TimeoutNow m => new TimeoutNowBody { From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id },
        InstallSnapshot m => new InstallSnapshotBody
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id,
            LastIncludedIndex = m.LastIncludedIndex, LastIncludedTerm = m.LastIncludedTerm, Digest = m.Digest,
            Offset = m.Offset, Data = m.Data, Done = m.Done, Configuration = m.Configuration.Encode(),
        },
        InstallSnapshotResponse m => new InstallSnapshotResponseBody
        {
            From = m.From.Value, To = m.To.Value, Term = m.Term, Id = m.Id,
            InReplyTo = m.InReplyTo, LastIncludedIndex = m.LastIncludedIndex, NextOffset = m.NextOffset, Done = m.Done,
        },
        _ => throw new ArgumentException($"no wire form for message kind {message.Kind}", nameof(message)),
    };

    /// <summary>Null when the body has a shape no message has (missing entries, an entry without command bytes or of an unknown kind, a configuration entry that does not decode, a snapshot chunk without data or configuration).</summary>
    public static Message? ToMessage(PeerBody body) => body switch
    {
        RequestVoteBody b => new RequestVote(new NodeId(b.From), new NodeId(b.To), b.Term, b.Id, b.LastLogIndex, b.LastLogTerm, b.LeadershipTransfer),
        RequestVoteResponseBody b => new RequestVoteResponse(new NodeId(b.From), new NodeId(b.To), b.Term, b.Id, b.InReplyTo, b.VoteGranted),
        AppendEntriesBody b => ToAppendEntries(b),
        AppendEntriesResponseBody b => new AppendEntriesResponse(new NodeId(b.From), new NodeId(b.To), b.Term, b.Id,
            b.InReplyTo, b.Success, b.Index, b.HintIndex, b.HintTerm),
        PreVoteBody b => new PreVote(new NodeId(b.From), new NodeId(b.To), b.Term, b.Id, b.LastLogIndex, b.LastLogTerm),
        PreVoteResponseBody b => new PreVoteResponse(new NodeId(b.From), new NodeId(b.To), b.Term, b.Id, b.InReplyTo, b.VoteGranted),
        TimeoutNowBody b => new TimeoutNow(new NodeId(b.From), new NodeId(b.To), b.Term, b.Id),
        InstallSnapshotBody { Data: not null, Configuration: not null } b when Configuration.TryDecode(b.Configuration, out var configuration) =>
            new InstallSnapshot(new NodeId(b.From), new NodeId(b.To), b.Term, b.Id,
                b.LastIncludedIndex, b.LastIncludedTerm, b.Digest, configuration, b.Offset, b.Data, b.Done),
        InstallSnapshotResponseBody b => new InstallSnapshotResponse(new NodeId(b.From), new NodeId(b.To), b.Term, b.Id,
            b.InReplyTo, b.LastIncludedIndex, b.NextOffset, b.Done),
        _ => null,
    };

    private static AppendEntries? ToAppendEntries(AppendEntriesBody body)
    {
        if (body.Entries is null) return null;
        var entries = new LogEntry[body.Entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            if (body.Entries[i] is not { Command: not null } entry || !IsEntryKind(entry.Kind)) return null;
            if (entry.Kind == (int)EntryKind.Configuration && !Configuration.TryDecode(entry.Command, out _)) return null;
            entries[i] = new LogEntry(entry.Index, entry.Term, (EntryKind)entry.Kind, entry.Command);
        }
        return new AppendEntries(new NodeId(body.From), new NodeId(body.To), body.Term, body.Id,
            body.PrevLogIndex, body.PrevLogTerm, entries, body.LeaderCommit);
    }

    // Range check first: a plain cast to the byte-sized enum would wrap 257 into a valid kind.
    private static bool IsEntryKind(int kind) => kind is >= 0 and <= byte.MaxValue && Enum.IsDefined((EntryKind)kind);
}
