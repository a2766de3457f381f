using MessagePack;
using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.StateMachine;
using Raft.Net.Wire;
using Raft.Net.Wire.Frames;

namespace Raft.Net.Fuzz;

/// <summary>
/// Seeded, protocol-aware frames for a live node: every peer message kind, structurally valid (so
/// that it passes the codec and reaches the core) but with field values chosen against the
/// target's state: terms far ahead, behind or at the largest values, indices past the log, previous
/// entries and conflict hints that lie, snapshot chunks out of order, oversized or with a done flag
/// on a snapshot never started, answers to requests never sent, senders that are not members,
/// replays of earlier frames, and a share of byte-level mutations. Same seed, same scenes: same frames.
/// <para>
/// Threat model: a faulty, confused or replaying peer, not a Byzantine forger. Raft without
/// signatures must believe, and cannot check, a message in the voice of the current term's leader
/// that extends the log or commits over it, or a vote or an acknowledgement from a voter for the
/// current term: a node that receives one cannot tell it from the real thing. The generator never
/// sends such a forgery (each case says how it keeps clear); everything else is fair game. A frame
/// whose term is above the target's legitimately makes it adopt that term and step down (§5.1);
/// the raiseTerm argument of <see cref="Next"/> says when the caller allows that.
/// </para>
/// </summary>
public sealed class ProtocolFrameGenerator
{
    /// <summary>How far past the log an index that must not exist is placed: more entries than a burst can add.</summary>
    public const long PastTheLog = 1_000;

    /// <summary>The nearest a "far ahead" term gets to the target's: far terms are 2^20 to 2^20 + 2^32 ahead.</summary>
    public const long FarAhead = 1L << 20;

    private const int ReplayMemory = 64;
    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);
    private static readonly NodeId[] Strangers = [new(7), new(42), new(int.MaxValue)];

    private readonly Random random;
    private readonly string clusterId;
    private readonly byte[]?[] recent = new byte[ReplayMemory][];
    private long generated;
    private long nextId = 1;

    public ProtocolFrameGenerator(int seed, string clusterId)
    {
        random = new Random(seed);
        this.clusterId = clusterId;
    }

    /// <summary>
    /// One frame for <paramref name="scene"/>'s target, and its kind (a message kind, or what was done
    /// to the bytes or the envelope). With <paramref name="raiseTerm"/> false every new message that
    /// could change the target's term has one at most the scene's (pre-votes change none), so the
    /// target mostly keeps its role; replays and byte flips may still carry a higher term.
    /// </summary>
    public (string Kind, byte[] Frame) Next(FuzzScene scene, bool raiseTerm)
    {
        generated++;
        var roll = random.Next(100);
        if (roll < 5 && recent[random.Next(ReplayMemory)] is { } old) return ("replayed", old);
        var message = NextMessage(scene, raiseTerm);
        byte[] frame;
        string kind;
        if (roll < 12)
        {
            (kind, frame) = ("mutated " + message.Kind, Mutate(WireCodec.Encode(message, clusterId), s: scene));
        }
        else if (roll < 18)
        {
            (kind, frame) = EnvelopeLie(message);
        }
        else
        {
            (kind, frame) = (message.Kind, WireCodec.Encode(message, clusterId));
        }
        recent[generated % ReplayMemory] = frame;
        return (kind, frame);
    }

    private Message NextMessage(FuzzScene s, bool raiseTerm)
    {
        var from = Sender(s);
        return random.Next(10) switch
        {
            0 => RequestVote(s, from, raiseTerm),
            1 => PreVote(s, from),
            2 => RequestVoteResponse(s, from, raiseTerm),
            3 => PreVoteResponse(s, from, raiseTerm),
            4 => AppendEntries(s, from, raiseTerm),
            5 => AppendEntries(s, from, raiseTerm),
            6 => AppendEntriesResponse(s, from, raiseTerm),
            7 => InstallSnapshot(s, from, raiseTerm),
            8 => InstallSnapshotResponse(s, from, raiseTerm),
            _ => TimeoutNow(s, from, raiseTerm),
        };
    }

    // ---- terms and indices ---------------------------------------------------------------------

    /// <summary>
    /// A term for a message: mostly the target's or behind it, and when allowed one just ahead or
    /// far ahead; a few that the codec or the core must drop (negative, past
    /// <see cref="RaftNode.MaxTermOrIndex"/>, the largest). Never one within reach of that bound:
    /// a node that adopts it can never campaign again (docs/fuzzing.md, "Terms are finite").
    /// </summary>
    private long Term(FuzzScene s, bool raiseTerm)
    {
        var roll = random.Next(100);
        if (roll < 3) return -1 - random.Next(3);
        if (roll < 6) return random.Next(2) == 0 ? long.MaxValue : RaftNode.MaxTermOrIndex + 1 + random.Next(1000);
        if (raiseTerm && roll < 40) return roll < 20 ? s.Term + 1 + random.Next(3) : FarTerm(s);
        if (roll < 60) return s.Term;
        return Math.Max(0, s.Term - 1 - random.Next(5));
    }

    private long FarTerm(FuzzScene s) => s.Term + FarAhead + random.NextInt64(1L << 32);

    /// <summary>A term strictly below the target's (stale: answers and refusals at it are dropped), or -1 when none exists.</summary>
    private long StaleTerm(FuzzScene s) => s.Term > 1 ? s.Term - 1 - random.NextInt64(s.Term - 1) : -1;

    /// <summary>An index that is not in the target's log, and cannot get there during a burst, or one past any bound.</summary>
    private long PastIndex(FuzzScene s) => random.Next(6) switch
    {
        0 => RaftNode.MaxTermOrIndex - random.Next(3),
        1 => RaftNode.MaxTermOrIndex + 1 + random.Next(3),
        2 => long.MaxValue - random.Next(3),
        _ => s.LastIndex + PastTheLog + random.NextInt64(1L << 40),
    };

    /// <summary>An index at most the target's commit index: a prefix every member shares.</summary>
    private long CommittedIndex(FuzzScene s) => s.CommitIndex <= 0 ? 0 : random.NextInt64(s.CommitIndex + 1);

    /// <summary>
    /// Whether the target may be in <paramref name="term"/> when the frame arrives: its term when the
    /// burst started or the few it may reach by its own elections. An answer at a stale term is
    /// dropped; one at a far term makes the target step down before it reads it.
    /// </summary>
    private static bool MayBeTheTargetsTerm(FuzzScene s, long term) => term >= s.Term && term < s.Term + FarAhead;

    private long InReplyTo() => random.Next(5) switch
    {
        0 => random.Next(1_000), // below any incarnation's first id: never sent
        1 => RaftNode.MaxTermOrIndex + random.Next(1_000), // not used yet
        2 => long.MaxValue,
        3 => -1, // the codec refuses it
        _ => random.NextInt64(1, 10) * 1_000_000_000L + random.Next(100_000), // looks like a real id
    };

    private long Id() => random.Next(50) == 0 ? -1 : nextId++;

    /// <summary>Mostly a member other than the target; sometimes the target itself or a stranger (both refused by the codec).</summary>
    private NodeId Sender(FuzzScene s)
    {
        var roll = random.Next(100);
        if (roll < 3) return s.Target;
        if (roll < 8) return Strangers[random.Next(Strangers.Length)];
        var others = s.Members.Where(m => m != s.Target).ToArray();
        return others.Length == 0 ? Strangers[0] : others[random.Next(others.Length)];
    }

    // ---- requests ------------------------------------------------------------------------------

    /// <summary>A vote request: the target may grant it or adopt its term; both are Raft, not harm.</summary>
    private RequestVote RequestVote(FuzzScene s, NodeId from, bool raiseTerm)
    {
        var term = Term(s, raiseTerm);
        var (index, logTerm) = LogPosition(s, term);
        return new RequestVote(from, s.Target, term, Id(), index, logTerm, LeadershipTransfer: random.Next(4) == 0);
    }

    /// <summary>A pre-vote request: never changes a term (thesis §9.6), so any term is allowed.</summary>
    private PreVote PreVote(FuzzScene s, NodeId from)
    {
        var term = random.Next(3) == 0 ? Term(s, raiseTerm: false) : s.Term + 1 + random.Next(3);
        var (index, logTerm) = LogPosition(s, term - 1);
        return new PreVote(from, s.Target, term, Id(), index, logTerm);
    }

    /// <summary>A last log position to claim: empty, the target's own, far longer, or a lie about terms.</summary>
    private (long Index, long Term) LogPosition(FuzzScene s, long maxTerm) => random.Next(5) switch
    {
        0 => (0, 0),
        1 => (s.LastIndex, Math.Clamp(s.Term, 0, Math.Max(0, maxTerm))),
        2 => (PastIndex(s), Math.Max(0, maxTerm)),
        3 => (random.Next(-2, 3), random.Next(-2, 3)),
        _ => (random.NextInt64(Math.Max(1, s.LastIndex + 1)), Math.Max(0, maxTerm - random.Next(3))),
    };

    /// <summary>
    /// An AppendEntries that cannot forge the leader's voice: with entries, its previous entry lies
    /// past the log (so the consistency check refuses it, §5.3); without, its previous entry is at
    /// most the commit index, so whatever it claims commits nothing new (commit = min(leaderCommit,
    /// prevLogIndex), Figure 2). Some break the message invariants outright.
    /// </summary>
    private AppendEntries AppendEntries(FuzzScene s, NodeId from, bool raiseTerm)
    {
        var term = Term(s, raiseTerm);
        var commit = random.Next(4) switch { 0 => 0, 1 => s.CommitIndex, 2 => PastIndex(s), _ => -1 - random.Next(2) };
        var entryTerm = Math.Max(1, term);
        switch (random.Next(6))
        {
            case 0: // heartbeat at the empty prefix
                return new AppendEntries(from, s.Target, term, Id(), 0, 0, [], commit);
            case 1: // heartbeat at a committed index, with a term that may lie about it
                var committed = CommittedIndex(s);
                return new AppendEntries(from, s.Target, term, Id(), committed, committed == 0 ? 0 : 1 + random.NextInt64(entryTerm), [], commit);
            case 2: // entries after a previous entry the target does not have
            case 3:
                var prev = s.LastIndex + PastTheLog + random.NextInt64(1L << 40);
                var prevTerm = 1 + random.NextInt64(entryTerm);
                return new AppendEntries(from, s.Target, term, Id(), prev, prevTerm, Entries(prev, prevTerm, entryTerm, random.Next(1, 4)), commit);
            case 4: // entries that break the invariants (gap, terms going down or above the message's)
                var at = s.LastIndex + PastTheLog;
                return new AppendEntries(from, s.Target, term, Id(), at, 1,
                    [Command(at + 1 + random.Next(2), entryTerm + random.Next(2)), Command(at + 3, random.Next(-1, 2))], commit);
            default: // near the largest index, or negative
                var huge = random.Next(2) == 0 ? long.MaxValue - 1 : -1 - random.Next(3);
                return new AppendEntries(from, s.Target, term, Id(), huge, entryTerm, [Command(huge + 1, entryTerm)], commit);
        }
    }

    private List<LogEntry> Entries(long prev, long prevTerm, long maxTerm, int count)
    {
        var entries = new List<LogEntry>(count);
        var term = prevTerm;
        for (var i = 1; i <= count; i++)
        {
            term = Math.Min(maxTerm, term + random.Next(2));
            entries.Add(random.Next(4) switch
            {
                0 => LogEntry.NoOp(prev + i, term),
                1 => new LogEntry(prev + i, term, EntryKind.Configuration, AnyConfiguration().Encode()), // membership: strangers as voters
                _ => Command(prev + i, term),
            });
        }
        return entries;
    }

    private LogEntry Command(long index, long term) =>
        new(index, term, EntryKind.Command, new KvCommand(random.Next(1, 1000), random.Next(1, 1000), KvOperation.Put, "fuzz", "lie").Encode());

    /// <summary>
    /// A snapshot chunk that cannot install a forged snapshot: a first chunk (offset 0) only for a
    /// snapshot the target has already committed past (it ignores it and says done, Figure 13);
    /// every other chunk is out of order, far ahead, at the largest offsets, oversized, or has a done
    /// flag on a snapshot never started (the target asks to start over).
    /// </summary>
    private InstallSnapshot InstallSnapshot(FuzzScene s, NodeId from, bool raiseTerm)
    {
        var term = Term(s, raiseTerm);
        var lastTerm = random.Next(8) == 0 ? random.Next(-1, 1) : 1 + random.NextInt64(Math.Max(1, term));
        var data = SnapshotData();
        var done = random.Next(2) == 0;
        if (s.CommitIndex >= 1 && random.Next(3) == 0)
            return new InstallSnapshot(from, s.Target, term, Id(), 1 + random.NextInt64(s.CommitIndex), lastTerm, (ulong)random.NextInt64(), AnyConfiguration(), 0, data, done);
        var index = random.Next(6) == 0 ? random.Next(-1, 1) : random.Next(2) == 0 ? s.LastIndex + 1 + random.Next(10) : PastIndex(s);
        var offset = random.Next(6) switch
        {
            0 => -1 - random.Next(3),
            1 => int.MaxValue - data.Length + random.Next(2),
            2 => (long)int.MaxValue + random.Next(1, 1000),
            _ => 1 + random.Next(1 << 20),
        };
        return new InstallSnapshot(from, s.Target, term, Id(), index, lastTerm, (ulong)random.NextInt64(), AnyConfiguration(), offset, data, done);
    }

    /// <summary>Mostly small; one chunk in 5,000 is oversized (up to 1 MiB), one in 50,000 larger than any frame may be.</summary>
    private byte[] SnapshotData()
    {
        var roll = random.Next(50_000);
        var length = roll == 0 ? WireCodec.MaxFrameBytes + 1 : roll < 10 ? random.Next(64 * 1024, 1024 * 1024) : random.Next(0, 64);
        var data = new byte[length];
        random.NextBytes(data.AsSpan(0, Math.Min(length, 4096)));
        return data;
    }

    /// <summary>A configuration: the members, the members with strangers, strangers alone, or with learners.</summary>
    private Configuration AnyConfiguration() => random.Next(4) switch
    {
        0 => new Configuration(NodeId.Range(3)),
        1 => new Configuration([.. NodeId.Range(3), Strangers[random.Next(Strangers.Length)]]),
        2 => new Configuration([Strangers[random.Next(Strangers.Length)]]),
        _ => new Configuration(NodeId.Range(2), [new NodeId(3), Strangers[0]], [Strangers[0]]),
    };

    /// <summary>TimeoutNow makes a node campaign at once (thesis §3.10): only with a raised term allowed, else a stale one.</summary>
    private TimeoutNow TimeoutNow(FuzzScene s, NodeId from, bool raiseTerm) =>
        new(from, s.Target, raiseTerm ? Term(s, raiseTerm) : random.Next(4) == 0 ? -1 : Math.Max(0, StaleTerm(s)), Id());

    // ---- answers -------------------------------------------------------------------------------

    /// <summary>
    /// A vote answer to an election never held. A grant is sent only at a stale term (dropped) or a
    /// far term (the target adopts it and steps down first, §5.1): a grant at the target's own
    /// term would be a forged vote.
    /// </summary>
    private RequestVoteResponse RequestVoteResponse(FuzzScene s, NodeId from, bool raiseTerm)
    {
        var grant = random.Next(2) == 0;
        var term = !grant ? Term(s, raiseTerm) : raiseTerm && random.Next(2) == 0 ? FarTerm(s) : StaleTerm(s);
        return new RequestVoteResponse(from, s.Target, term, Id(), InReplyTo(), grant && term >= 0);
    }

    /// <summary>A pre-vote answer: harmless to any role but a pre-candidate, which then only holds a real election.</summary>
    private PreVoteResponse PreVoteResponse(FuzzScene s, NodeId from, bool raiseTerm) =>
        new(from, s.Target, Term(s, raiseTerm), Id(), InReplyTo(), random.Next(2) == 0);

    /// <summary>
    /// An append answer: refusals with indices and hints that lie, anywhere; acknowledgements only of
    /// indices past the log (the leader drops them: more than it sent) or at a stale or far term. An
    /// acknowledgement the leader would believe is a forged replica, which the generator never sends.
    /// </summary>
    private AppendEntriesResponse AppendEntriesResponse(FuzzScene s, NodeId from, bool raiseTerm)
    {
        var term = Term(s, raiseTerm);
        if (random.Next(3) == 0)
        {
            var ackTerm = raiseTerm && random.Next(2) == 0 ? FarTerm(s) : random.Next(2) == 0 ? StaleTerm(s) : term;
            var ackIndex = MayBeTheTargetsTerm(s, ackTerm) || random.Next(2) == 0 ? PastIndex(s) : CommittedIndex(s);
            return new AppendEntriesResponse(from, s.Target, ackTerm, Id(), InReplyTo(), true, ackIndex, 0, 0);
        }
        var index = random.Next(3) switch { 0 => CommittedIndex(s), 1 => s.LastIndex, _ => PastIndex(s) };
        var hintIndex = random.Next(4) switch { 0 => 0, 1 => PastIndex(s), 2 => -1, _ => random.NextInt64(Math.Max(1, s.LastIndex + 2)) };
        var hintTerm = random.Next(4) switch { 0 => 0, 1 => Math.Max(0, term), 2 => term + 1, _ => 1 + random.NextInt64(Math.Max(1, s.Term)) };
        return new AppendEntriesResponse(from, s.Target, term, Id(), InReplyTo(), false, index, hintIndex, hintTerm);
    }

    /// <summary>
    /// A snapshot answer for a transfer never started: "installed" only for indices past the log (the
    /// leader drops it) or at a stale or far term; "send from offset N" with any offset.
    /// </summary>
    private InstallSnapshotResponse InstallSnapshotResponse(FuzzScene s, NodeId from, bool raiseTerm)
    {
        var term = Term(s, raiseTerm);
        var done = random.Next(2) == 0;
        var index = done && MayBeTheTargetsTerm(s, term) ? PastIndex(s) : random.Next(3) switch { 0 => 0, 1 => CommittedIndex(s), _ => PastIndex(s) };
        var offset = random.Next(4) switch { 0 => -1, 1 => long.MaxValue, 2 => int.MaxValue, _ => random.Next(1 << 20) };
        return new InstallSnapshotResponse(from, s.Target, term, Id(), InReplyTo(), index, offset, done);
    }

    // ---- bytes and envelopes -------------------------------------------------------------------

    /// <summary>A valid message in an envelope that lies: another cluster, version or sender than the message's, or to another node.</summary>
    private (string Kind, byte[] Frame) EnvelopeLie(Message message)
    {
        var body = MessageFrames.ToBody(message);
        return random.Next(4) switch
        {
            0 => ("envelope: other cluster", Envelope(WireCodec.ProtocolVersion, clusterId + "-other", message.From.Value, body)),
            1 => ("envelope: other version", Envelope(WireCodec.ProtocolVersion + 1 + random.Next(3), clusterId, message.From.Value, body)),
            2 => ("envelope: sender differs from message", Envelope(WireCodec.ProtocolVersion, clusterId, message.From.Value % 3 + 1, body)),
            _ => ("envelope: no body", Envelope(WireCodec.ProtocolVersion, clusterId, message.From.Value, null)),
        };
    }

    private static byte[] Envelope(int version, string cluster, int sender, PeerBody? body) =>
        MessagePackSerializer.Serialize(new Envelope { Version = version, ClusterId = cluster, Sender = sender, Body = body }, Options);

    /// <summary>
    /// Flips, truncates or extends a valid frame. A flip may leave a frame that still decodes, and
    /// so turn a lie into a forgery (an offset flipped to 0 makes a chunk out of order the whole
    /// of a snapshot, found by a 5,000,000-frame run) or a term into one near the bound: such a
    /// frame is mutated again, since it is outside the threat model (<see cref="IsInThreatModel"/>).
    /// </summary>
    private byte[] Mutate(byte[] valid, FuzzScene s)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var mutated = MutateOnce(valid);
            if (!WireCodec.TryDecode(mutated, clusterId, _ => true, null, out var message, out _) || IsInThreatModel(message!, s))
                return mutated;
        }
        return valid[..(valid.Length / 2)];
    }

    /// <summary>
    /// Whether a message is one the generator may send to <paramref name="s"/>'s target: no
    /// forgery in the voice of the current term's leader or of a voter, and no term within reach
    /// of <see cref="RaftNode.MaxTermOrIndex"/> (see the class summary and docs/fuzzing.md). Every
    /// message the generator builds passes; byte flips are held to it too.
    /// </summary>
    public static bool IsInThreatModel(Message message, FuzzScene s)
    {
        if (message.Term > s.Term + FarAhead + (1L << 32) && message.Term <= RaftNode.MaxTermOrIndex) return false;
        var maybeCurrent = MayBeTheTargetsTerm(s, message.Term);
        return message switch
        {
            AppendEntries append => append.Entries.Count == 0
                ? append.PrevLogIndex <= s.CommitIndex || append.PrevLogIndex >= s.LastIndex + PastTheLog
                : append.PrevLogIndex >= s.LastIndex + PastTheLog,
            InstallSnapshot chunk => chunk.Offset != 0 || chunk.LastIncludedIndex <= s.CommitIndex,
            RequestVoteResponse { VoteGranted: true } => !maybeCurrent,
            AppendEntriesResponse { Success: true } response => !maybeCurrent || response.Index >= s.LastIndex + PastTheLog,
            InstallSnapshotResponse { Done: true } response => !maybeCurrent || response.LastIncludedIndex >= s.LastIndex + PastTheLog,
            _ => true,
        };
    }

    private byte[] MutateOnce(byte[] valid) => Mutate(valid, random);

    /// <summary>A copy of <paramref name="valid"/> with a few bits flipped, cut short, or with junk appended.</summary>
    public static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        switch (random.Next(3))
        {
            case 0:
                for (var flips = 1 + random.Next(4); flips > 0; flips--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            default:
                var longer = new byte[bytes.Length + 1 + random.Next(32)];
                bytes.CopyTo(longer, 0);
                random.NextBytes(longer.AsSpan(bytes.Length));
                return longer;
        }
    }
}
