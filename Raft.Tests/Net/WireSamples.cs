using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Net.Wire;

namespace Raft.Tests.Net;

/// <summary>Messages and frames for the wire codec tests, and a field-by-field comparison of messages.</summary>
public static class WireSamples
{
    public const string ClusterId = "test-cluster";

    public static readonly IReadOnlyCollection<NodeId> Members = NodeId.Range(3).ToArray();

    public static readonly NodeId N1 = new(1), N2 = new(2), N3 = new(3);

    /// <summary>A command whose bytes are every byte value once, so no value is lost or escaped on the way.</summary>
    public static byte[] AllByteValues() => [.. Enumerable.Range(0, 256).Select(i => (byte)i)];

    public static IEnumerable<Message> OneOfEachKind()
    {
        yield return new RequestVote(N1, N2, 7, 100, LastLogIndex: 12, LastLogTerm: 6);
        yield return new RequestVote(N3, N1, 1, 0, LastLogIndex: 0, LastLogTerm: 0);
        yield return new RequestVote(N2, N3, 9, 101, LastLogIndex: 12, LastLogTerm: 6, LeadershipTransfer: true);
        yield return new RequestVoteResponse(N2, N1, 7, 200, InReplyTo: 100, VoteGranted: true);
        yield return new RequestVoteResponse(N2, N1, 8, 201, InReplyTo: 101, VoteGranted: false);
        yield return new AppendEntries(N1, N3, 5, 300, PrevLogIndex: 4, PrevLogTerm: 3, Entries: [], LeaderCommit: 4);
        yield return new AppendEntries(N1, N2, 5, long.MaxValue, PrevLogIndex: 4, PrevLogTerm: 3,
            Entries:
            [
                LogEntry.NoOp(5, 4),
                new LogEntry(6, 5, EntryKind.Command, AllByteValues()),
                new LogEntry(7, 5, EntryKind.Command, new KvCommand(42, 3, KvOperation.CompareAndSet, "k", "new", null).Encode()),
                new LogEntry(8, 5, EntryKind.Command, []),
            ],
            LeaderCommit: 9);
        yield return new AppendEntries(N1, N2, 6, 301, PrevLogIndex: 9, PrevLogTerm: 5, Entries: ConfigurationEntries(10, 6), LeaderCommit: 9);
        yield return new AppendEntriesResponse(N2, N1, 5, 400, InReplyTo: 300, Success: true, Index: 8, HintIndex: 0, HintTerm: 0);
        yield return new AppendEntriesResponse(N3, N1, 5, 401, InReplyTo: 301, Success: false, Index: 4, HintIndex: 2, HintTerm: 2);
        yield return new PreVote(N3, N2, 8, 500, LastLogIndex: 12, LastLogTerm: 6);
        yield return new PreVote(N3, N1, 1, 501, LastLogIndex: 0, LastLogTerm: 0);
        yield return new PreVoteResponse(N2, N3, 8, 600, InReplyTo: 500, VoteGranted: true);
        yield return new PreVoteResponse(N1, N3, 7, 601, InReplyTo: 501, VoteGranted: false);
        yield return new TimeoutNow(N1, N2, 7, 700);
        yield return new InstallSnapshot(N1, N3, 7, 800, LastIncludedIndex: 1000, LastIncludedTerm: 6, Digest: ulong.MaxValue,
            Configuration: new Raft.Core.Membership.Configuration([N1, N2, N3], [new Raft.Core.NodeId(4)]),
            Offset: 4096, Data: AllByteValues(), Done: false);
        yield return new InstallSnapshot(N1, N2, 7, 801, LastIncludedIndex: 1, LastIncludedTerm: 1, Digest: 0, Configuration: new Raft.Core.Membership.Configuration([N1]), Offset: 0, Data: [], Done: true);
        yield return new InstallSnapshotResponse(N3, N1, 7, 900, InReplyTo: 800, LastIncludedIndex: 1000, NextOffset: 4352, Done: false);
        yield return new InstallSnapshotResponse(N2, N1, 7, 901, InReplyTo: 801, LastIncludedIndex: 1, NextOffset: 0, Done: true);
    }

    /// <summary>
    /// Configuration entries from <paramref name="firstIndex"/> on (thesis §4): a learner joins, is
    /// promoted, a voter leaves, and the cluster shrinks to one voter.
    /// </summary>
    public static List<LogEntry> ConfigurationEntries(long firstIndex, long term) =>
    [
        .. new[]
        {
            new Configuration([N1, N2, N3], [new NodeId(4)]),
            new Configuration([N1, N2, N3, new NodeId(4)]),
            new Configuration([N2, N3, new NodeId(4)]),
            new Configuration([new NodeId(Configuration.MaxMembers)], [.. Enumerable.Range(1, Configuration.MaxMembers - 1).Select(i => new NodeId(i))]),
        }.Select((c, i) => new LogEntry(firstIndex + i, term, EntryKind.Configuration, c.Encode())),
    ];

    /// <summary>A random configuration of up to 7 members, voters and learners.</summary>
    public static Configuration RandomConfiguration(Random random)
    {
        var members = NodeId.Range(7).Where(_ => random.Next(2) == 0).ToList();
        var voters = members.Where(_ => random.Next(3) > 0).ToList();
        return new Configuration(voters, members.Except(voters));
    }

    /// <summary>A random message that satisfies every invariant, for the fuzz corpus.</summary>
    public static Message RandomValidMessage(Random random)
    {
        var from = new NodeId(random.Next(1, 4));
        var to = new NodeId(from.Value % 3 + 1);
        var term = random.NextInt64(1, 1_000);
        var id = random.NextInt64(0, 1_000_000);
        switch (random.Next(8))
        {
            case 0:
                var lastIndex = random.NextInt64(0, 100);
                return new RequestVote(from, to, term, id, lastIndex, lastIndex == 0 ? 0 : random.NextInt64(1, term + 1), random.Next(2) == 0);
            case 4:
                var preLastIndex = random.NextInt64(0, 100);
                return new PreVote(from, to, term + 1, id, preLastIndex, preLastIndex == 0 ? 0 : random.NextInt64(1, term + 1));
            case 5:
                return new PreVoteResponse(from, to, term, id, random.NextInt64(0, 1_000_000), random.Next(2) == 0);
            case 6:
                return new TimeoutNow(from, to, term, id);
            case 7:
                var snapshotIndex = random.NextInt64(1, 1_000);
                var data = RandomBytes(random, random.Next(0, 40));
                return new InstallSnapshot(from, to, term, id, snapshotIndex, random.NextInt64(1, term + 1), (ulong)random.NextInt64(),
                    RandomConfiguration(random), random.NextInt64(0, 10_000), data, random.Next(2) == 0);
            case 1:
                return new RequestVoteResponse(from, to, term, id, random.NextInt64(0, 1_000_000), random.Next(2) == 0);
            case 2:
                var prevIndex = random.NextInt64(0, 100);
                var prevTerm = prevIndex == 0 ? 0 : random.NextInt64(1, term + 1);
                var entryTerm = Math.Max(1, prevTerm);
                var entries = new List<LogEntry>();
                for (var i = 0; i < random.Next(0, 5); i++)
                {
                    entryTerm = random.NextInt64(entryTerm, term + 1);
                    entries.Add(random.Next(4) switch
                    {
                        0 => LogEntry.NoOp(prevIndex + 1 + i, entryTerm),
                        1 => new LogEntry(prevIndex + 1 + i, entryTerm, EntryKind.Configuration, RandomConfiguration(random).Encode()),
                        _ => new LogEntry(prevIndex + 1 + i, entryTerm, EntryKind.Command, RandomBytes(random, random.Next(0, 40))),
                    });
                }
                return new AppendEntries(from, to, term, id, prevIndex, prevTerm, entries, random.NextInt64(0, 200));
            default:
                return new AppendEntriesResponse(from, to, term, id, random.NextInt64(0, 1_000_000), random.Next(2) == 0,
                    random.NextInt64(0, 100), random.NextInt64(0, 100), random.NextInt64(0, term + 1));
        }
    }

    public static ClientRequest RandomClientRequest(Random random)
    {
        var operation = (KvOperation)random.Next(4);
        var value = operation == KvOperation.Get ? null : RandomText(random);
        var expected = operation == KvOperation.CompareAndSet && random.Next(2) == 0 ? RandomText(random) : null;
        return new ClientRequest(random.NextInt64(0, 1_000_000),
            new KvCommand(random.NextInt64(0, 100), random.NextInt64(0, 1_000), operation, RandomText(random), value, expected));
    }

    public static ClientResponse RandomClientResponse(Random random)
    {
        var status = (ClientStatus)random.Next(5);
        var result = status == ClientStatus.Ok ? new KvResult(random.Next(2) == 0, random.Next(3) == 0 ? null : RandomText(random)) : null;
        return new ClientResponse(random.NextInt64(0, 1_000_000), status, result, random.Next(2) == 0 ? null : new NodeId(random.Next(1, 4)));
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    // Whole code points only: half of a surrogate pair is not valid UTF-8 and would not survive.
    private static readonly string[] TextPieces = ["a", "b", "z", "0", "9", " ", "é", "€", "😀", "\0"];

    private static string RandomText(Random random) =>
        string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => TextPieces[random.Next(TextPieces.Length)]));

    /// <summary>
    /// Asserts that <paramref name="actual"/> has the type and every field of <paramref name="expected"/>,
    /// entries compared one by one including their command bytes (records compare lists by reference).
    /// </summary>
    public static void AssertSameMessage(Message expected, Message? actual)
    {
        Assert.That(actual, Is.Not.Null);
        Assert.That(actual!.GetType(), Is.EqualTo(expected.GetType()));
        if (expected is AppendEntries append)
        {
            var decoded = (AppendEntries)actual;
            Assert.That(decoded.Entries, Is.EqualTo(append.Entries).AsCollection, "entries");
            Assert.That(decoded with { Entries = append.Entries }, Is.EqualTo(append), "fields other than entries");
        }
        else if (expected is InstallSnapshot chunk)
        {
            var decoded = (InstallSnapshot)actual;
            Assert.That(decoded.Data, Is.EqualTo(chunk.Data), "data");
            Assert.That(decoded with { Data = chunk.Data }, Is.EqualTo(chunk), "fields other than data");
        }
        else
        {
            Assert.That(actual, Is.EqualTo(expected));
        }
    }
}
