using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;

namespace Raft.Tests.Core;

/// <summary>
/// Seeded generator of peer messages that a wire decoder would accept (every type in
/// Raft.Core.Messages, well-formed records) but whose fields lie: indices past the log or negative,
/// terms far ahead or behind, hints and offsets that make no sense, responses to requests never
/// sent. Most values stay near the target's own state, so that the deep paths of each handler run;
/// the rest are extremes.
/// </summary>
/// <param name="random">The seeded source of everything.</param>
/// <param name="servers">Senders (a stranger is added).</param>
/// <param name="higherTermPercent">How often a message carries a term above the target's; low keeps a leader in office longer.</param>
internal sealed class AdversarialPeerMessages(SplitMix64 random, IReadOnlyList<NodeId> servers, int higherTermPercent)
{
    private static readonly NodeId Stranger = new(99);
    private long nextId = 1;

    /// <summary>A message for <paramref name="target"/>; <paramref name="sentIds"/> are ids the target really sent, for plausible InReplyTo values.</summary>
    public Message Next(RaftNode target, IReadOnlyList<long> sentIds)
    {
        var from = Chance(90) ? servers[random.Next(servers.Count)] : Stranger;
        var to = Chance(97) ? target.Id : servers[random.Next(servers.Count)];
        var term = MessageTerm(target.Term);
        var id = nextId++;
        var log = target.Log;
        return random.Next(10) switch
        {
            0 => new RequestVote(from, to, term, id, Index(log, target), Term(log.LastTerm), LeadershipTransfer: Chance(20)),
            1 => new RequestVoteResponse(from, to, term, id, InReplyTo(sentIds), VoteGranted: Chance(70)),
            2 => new PreVote(from, to, term, id, Index(log, target), Term(log.LastTerm)),
            3 => new PreVoteResponse(from, to, term, id, InReplyTo(sentIds), VoteGranted: Chance(70)),
            4 => Append(from, to, term, id, target),
            5 or 6 => new AppendEntriesResponse(from, to, term, id, InReplyTo(sentIds), Success: Chance(50),
                Index(log, target), Index(log, target), Chance(30) ? 0 : Term(log.LastTerm)),
            7 => new InstallSnapshot(from, to, term, id, Index(log, target), Term(log.LastTerm), random.NextUInt64(),
                AnyConfiguration(), Offset(), Bytes(random.Next(6)), Done: Chance(50)),
            8 => new InstallSnapshotResponse(from, to, term, id, InReplyTo(sentIds), Index(log, target), Offset(), Done: Chance(50)),
            _ => new TimeoutNow(from, to, term, id),
        };
    }

    /// <summary>Mostly entries that follow PrevLogIndex with non-decreasing terms (as a leader sends them), sometimes anything.</summary>
    private AppendEntries Append(NodeId from, NodeId to, long term, long id, RaftNode target)
    {
        var log = target.Log;
        var prevIndex = Index(log, target);
        var prevTerm = Chance(60) && prevIndex >= log.SnapshotIndex && prevIndex <= log.LastIndex ? log.TermAt(prevIndex) : Term(log.LastTerm);
        var entries = new List<LogEntry>();
        var entryTerm = prevTerm;
        var wellFormed = Chance(70);
        var count = random.Next(5);
        for (var i = 0; i < count; i++)
        {
            if (Chance(30)) entryTerm = Math.Min(term, entryTerm + 1);
            entries.Add(wellFormed
                ? new LogEntry(prevIndex + 1 + i, entryTerm, AnyKind(out var payload), payload)
                : new LogEntry(Index(log, target), Term(term), AnyKind(out var junk), junk));
        }
        return new AppendEntries(from, to, term, id, prevIndex, prevTerm, entries, Chance(80) ? Index(log, target) : target.CommitIndex);
    }

    private EntryKind AnyKind(out byte[] payload)
    {
        var kind = (EntryKind)random.Next(3);
        payload = kind switch
        {
            EntryKind.Configuration when Chance(70) => AnyConfiguration().Encode(),
            EntryKind.NoOp => [],
            _ => Bytes(random.Next(8)),
        };
        return kind;
    }

    private Configuration AnyConfiguration()
    {
        var voters = servers.Where(_ => Chance(60)).ToList();
        var learners = servers.Except(voters).Where(_ => Chance(30)).ToList();
        return new Configuration(voters, learners);
    }

    private long MessageTerm(long current) => Chance(higherTermPercent)
        ? random.Next(4) switch { < 2 => current + 1, 2 => current + 2 + random.Next(1000), _ => Extreme() }
        : random.Next(10) switch { < 7 => current, 7 => current - 1, 8 => 0, _ => -1 - random.Next(3) };

    private long Term(long around) => random.Next(10) switch
    {
        < 4 => around,
        4 => around + 1,
        5 => around - 1,
        6 => around + 1 + random.Next(1000),
        7 => -1 - random.Next(3),
        8 => 0,
        _ => Extreme(),
    };

    private long Index(IReadOnlyRaftLog log, RaftNode target) => random.Next(12) switch
    {
        < 4 => log.SnapshotIndex - 1 + random.Next((int)Math.Min(int.MaxValue - 4, log.LastIndex - log.SnapshotIndex + 4)),
        4 => log.LastIndex,
        5 => log.LastIndex + 1,
        6 => target.CommitIndex,
        7 => log.SnapshotIndex,
        8 => log.LastIndex + 2 + random.Next(1_000_000),
        9 => -1 - random.Next(5),
        10 => 0,
        _ => Extreme(),
    };

    private long Offset() => random.Next(6) switch
    {
        < 2 => 0,
        2 => random.Next(40),
        3 => -1 - random.Next(40),
        4 => int.MaxValue + (long)random.Next(1000),
        _ => Extreme(),
    };

    private long InReplyTo(IReadOnlyList<long> sentIds) => random.Next(6) switch
    {
        < 3 when sentIds.Count > 0 => sentIds[sentIds.Count - 1 - random.Next(Math.Min(sentIds.Count, 20))],
        3 => sentIds.Count > 0 ? sentIds[^1] + 1 + random.Next(1000) : 1,
        4 => -1 - random.Next(5),
        _ => Extreme(),
    };

    private long Extreme() => random.Next(4) switch
    {
        0 => long.MaxValue,
        1 => long.MinValue,
        2 => long.MaxValue - 1,
        _ => (long)random.NextUInt64(),
    };

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++) bytes[i] = (byte)random.Next(256);
        return bytes;
    }

    private bool Chance(int percent) => random.Next(100) < percent;
}
