using System.Globalization;
using System.Text;
using System.Text.Json;
using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;
using Raft.Net.Wire;

namespace Raft.Net.Parity;

/// <summary>
/// The inputs one incarnation of a real node fed to its core, one JSON object per line: a header
/// (members, options, seed, the persisted state it started from), then each input with its time
/// and a digest of the effects it produced. Replaying the inputs through a fresh core must give
/// the same digests: that proves the host adds no hidden state (parity), and it lets the
/// simulator's checkers run over a real cluster's history.
/// </summary>
public static class InputLog
{
    public static string HeaderLine(InputLogHeader header)
    {
        // The starting log travels as an AppendEntries from the node to a peer: one codec for everything.
        // A discovering server may start knowing no peer, and a single server has none: then a stand-in
        // id addresses it, which the reader admits (the codec refuses a message to its own sender).
        var peer = header.Servers.FirstOrDefault(m => m != header.Node, StandInPeer(header.Node));
        // With a snapshot, the entries follow it: PrevLogIndex/PrevLogTerm name the snapshot's last entry.
        var snapshot = header.Snapshot?.Metadata ?? SnapshotMetadata.None;
        var carrier = new AppendEntries(header.Node, peer, header.HardState.Term, 0,
            snapshot.LastIncludedIndex, snapshot.LastIncludedTerm, header.Entries, 0);
        var o = header.Options;
        var fields = new Dictionary<string, object?>
        {
            ["node"] = header.Node.Value,
            ["incarnation"] = header.Incarnation,
            ["members"] = header.Members.Select(m => m.Value).ToArray(),
            ["addressBook"] = header.Servers.Select(m => m.Value).ToArray(),
            ["seed"] = header.RandomSeed.ToString(CultureInfo.InvariantCulture),
            ["firstMessageId"] = header.FirstMessageId,
            ["electionTicks"] = o.ElectionTicks,
            ["heartbeatTicks"] = o.HeartbeatTicks,
            ["maxEntries"] = o.MaxEntriesPerAppend,
            ["maxBytes"] = o.MaxBytesPerAppend,
            ["maxInflight"] = o.MaxInflightAppends,
            ["maxSnapshotChunk"] = o.MaxSnapshotChunkBytes,
            ["maxSnapshot"] = o.MaxSnapshotBytes,
            ["parallelPersist"] = o.LeaderPersistsInParallel,
            ["term"] = header.HardState.Term,
            ["vote"] = header.HardState.VotedFor?.Value,
            ["cluster"] = header.ClusterId,
            ["log"] = Convert.ToBase64String(WireCodec.Encode(carrier, header.ClusterId)),
            ["snapshotDigest"] = header.Snapshot?.Metadata.Digest.ToString(CultureInfo.InvariantCulture),
            ["snapshotData"] = header.Snapshot is { } s ? Convert.ToBase64String(s.Data) : null,
            ["snapshotConfiguration"] = header.Snapshot is { } c ? Convert.ToBase64String(c.Metadata.Configuration.Encode()) : null,
        };
        // Written only when set, so that the header of a run without them reads as it always did.
        if (o.PreVote) fields["preVote"] = true;
        if (o.CheckQuorum) fields["checkQuorum"] = true;
        if (header.OpenAddressBook) fields["openAddressBook"] = true;
        if (header.DigestForm == EffectsDigestForm.Binary) fields["effects"] = "binary"; // absent: a log from before, with text digests
        return JsonSerializer.Serialize(fields);
    }

    public static string InputLine(long timeMicros, Input input, string clusterId, ulong digest)
    {
        var fields = new Dictionary<string, object?> { ["t"] = timeMicros };
        switch (input)
        {
            case Tick: fields["k"] = "tick"; break;
            case Campaign: fields["k"] = "campaign"; break;
            case TransferLeadership transfer:
                fields["k"] = "transfer";
                fields["n"] = transfer.Target.Value;
                break;
            case ReadIndex read:
                fields["k"] = "read";
                fields["r"] = read.RequestId;
                break;
            case Propose propose:
                fields["k"] = "propose";
                fields["c"] = Convert.ToBase64String(propose.Command);
                break;
            case Receive receive:
                fields["k"] = "receive";
                fields["m"] = Convert.ToBase64String(WireCodec.Encode(receive.Message, clusterId));
                break;
            case ChangeMembership change:
                fields["k"] = "membership";
                fields["o"] = change.Kind.ToString();
                fields["n"] = change.Node.Value;
                break;
            case LogPersisted persisted:
                fields["k"] = "persisted";
                fields["i"] = persisted.Index;
                fields["e"] = persisted.Term;
                break;
            case Compact compact:
                fields["k"] = "compact";
                fields["i"] = compact.Index;
                fields["s"] = Convert.ToBase64String(compact.Snapshot);
                break;
            default: throw new ArgumentException($"cannot record {input}");
        }
        fields["h"] = digest.ToString("x16", CultureInfo.InvariantCulture);
        return JsonSerializer.Serialize(fields);
    }

    /// <summary>
    /// Reads a log; a torn last line (the node was killed mid-write) is ignored. Null when the node
    /// was killed before even its header was complete: that incarnation fed its core nothing.
    /// </summary>
    public static (InputLogHeader Header, IReadOnlyList<RecordedInput> Inputs)? Read(string path)
    {
        if (Open(path) is not { } log) return null;
        using (log.Inputs) return (log.Header, log.Inputs.ToList());
    }

    /// <summary>
    /// Like <see cref="Read"/>, but the inputs are parsed one by one as they are enumerated, so that
    /// a long log never sits in memory whole; enumerate once, and dispose to close the file early.
    /// </summary>
    public static (InputLogHeader Header, InputStream Inputs)? Open(string path)
    {
        var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        try
        {
            if (reader.ReadLine() is not { } first)
            {
                reader.Dispose();
                return null;
            }
            InputLogHeader header;
            try
            {
                header = ParseHeader(first, path);
            }
            catch (JsonException) when (reader.Peek() < 0)
            {
                reader.Dispose();
                return null; // torn header, nothing after it
            }
            return (header, new InputStream(reader, header, path));
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The inputs of one log, parsed as they are read; a torn last line ends them quietly.</summary>
    public sealed class InputStream : IEnumerable<RecordedInput>, IDisposable
    {
        private readonly StreamReader reader;
        private readonly InputLogHeader header;
        private readonly string path;

        internal InputStream(StreamReader reader, InputLogHeader header, string path) => (this.reader, this.header, this.path) = (reader, header, path);

        public IEnumerator<RecordedInput> GetEnumerator()
        {
            var number = 1;
            for (var line = reader.ReadLine(); line is not null; number++)
            {
                var next = reader.ReadLine();
                RecordedInput input;
                try
                {
                    input = ParseInput(line, header);
                }
                catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidDataException or InvalidOperationException)
                {
                    if (next is null) break; // torn tail
                    throw new InvalidDataException($"{path}:{number + 1}: {e.Message}", e);
                }
                yield return input;
                line = next;
            }
            reader.Dispose();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public void Dispose() => reader.Dispose();
    }

    /// <summary>A fresh core in the state the header describes.</summary>
    public static RaftNode CreateCore(InputLogHeader header) =>
        new(header.Node, header.Members, header.Options, new SplitMix64(header.RandomSeed),
            new PersistentState(header.HardState, header.Entries, header.Snapshot), header.FirstMessageId);

    /// <summary>The recipient of the starting log's carrier when the node knows no other server.</summary>
    private static NodeId StandInPeer(NodeId node) => new(node.Value % int.MaxValue + 1);

    private static InputLogHeader ParseHeader(string line, string path)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        var members = r.GetProperty("members").EnumerateArray().Select(e => new NodeId(e.GetInt32())).ToArray();
        // Logs written before membership changes have no address book: every server was a member.
        var addressBook = r.TryGetProperty("addressBook", out var book) ? book.EnumerateArray().Select(e => new NodeId(e.GetInt32())).ToArray() : members;
        var cluster = r.GetProperty("cluster").GetString()!;
        var open = r.TryGetProperty("openAddressBook", out var openBook) && openBook.ValueKind == JsonValueKind.True;
        var digestForm = !r.TryGetProperty("effects", out var effects) ? EffectsDigestForm.Text
            : effects.ValueKind == JsonValueKind.String && effects.GetString() == "binary" ? EffectsDigestForm.Binary
            : throw new InvalidDataException($"{path}:1: unknown effects digest form {effects}");
        var standIn = StandInPeer(new NodeId(r.GetProperty("node").GetInt32()));
        if (!WireCodec.TryDecode(Convert.FromBase64String(r.GetProperty("log").GetString()!), cluster, id => open || addressBook.Contains(id) || id == standIn, null, out var carrier, out var reason) || carrier is not AppendEntries log)
            throw new InvalidDataException($"{path}:1: starting log does not decode ({reason})");
        var vote = r.GetProperty("vote");
        Snapshot? snapshot = null;
        if (log.PrevLogIndex > 0)
        {
            var digest = ulong.Parse(r.GetProperty("snapshotDigest").GetString()!, CultureInfo.InvariantCulture);
            if (!Configuration.TryDecode(Convert.FromBase64String(r.GetProperty("snapshotConfiguration").GetString()!), out var configuration))
                throw new InvalidDataException($"{path}:1: snapshot configuration does not decode");
            snapshot = new Snapshot(new SnapshotMetadata(log.PrevLogIndex, log.PrevLogTerm, digest, configuration),
                Convert.FromBase64String(r.GetProperty("snapshotData").GetString()!));
        }
        return new InputLogHeader(
            new NodeId(r.GetProperty("node").GetInt32()), r.GetProperty("incarnation").GetInt32(), members,
            ulong.Parse(r.GetProperty("seed").GetString()!, CultureInfo.InvariantCulture), r.GetProperty("firstMessageId").GetInt64(),
            new RaftOptions
            {
                ElectionTicks = r.GetProperty("electionTicks").GetInt32(),
                HeartbeatTicks = r.GetProperty("heartbeatTicks").GetInt32(),
                MaxEntriesPerAppend = r.GetProperty("maxEntries").GetInt32(),
                MaxBytesPerAppend = r.GetProperty("maxBytes").GetInt32(),
                MaxInflightAppends = r.GetProperty("maxInflight").GetInt32(),
                MaxSnapshotChunkBytes = r.TryGetProperty("maxSnapshotChunk", out var chunk) ? chunk.GetInt32() : new RaftOptions().MaxSnapshotChunkBytes,
                MaxSnapshotBytes = r.TryGetProperty("maxSnapshot", out var maxSnapshot) ? maxSnapshot.GetInt64() : new RaftOptions().MaxSnapshotBytes,
                LeaderPersistsInParallel = r.TryGetProperty("parallelPersist", out var parallel) && parallel.GetBoolean(),
                PreVote = r.TryGetProperty("preVote", out var preVote) && preVote.ValueKind == JsonValueKind.True,
                CheckQuorum = r.TryGetProperty("checkQuorum", out var checkQuorum) && checkQuorum.ValueKind == JsonValueKind.True,
            },
            new HardState(r.GetProperty("term").GetInt64(), vote.ValueKind == JsonValueKind.Null ? null : new NodeId(vote.GetInt32())),
            log.Entries, cluster, snapshot, addressBook, open, digestForm);
    }

    /// <summary>
    /// One input line: a flat object of numbers and strings, read with a forward-only reader (no
    /// document is built: this runs once per input of a run, hundreds of thousands of times).
    /// </summary>
    private static RecordedInput ParseInput(string line, InputLogHeader header)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(line.Length);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var length = Encoding.UTF8.GetBytes(line, rented);
            return ParseInput(new ReadOnlySpan<byte>(rented, 0, length), header);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static RecordedInput ParseInput(ReadOnlySpan<byte> utf8, InputLogHeader header)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException("an input line is not a JSON object");
        long? time = null, number = null, index = null, request = null, term = null;
        string? kind = null, digest = null, bytes = null, operation = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName) throw new InvalidDataException("an input line is not a flat JSON object");
            var name = reader.ValueSpan.Length == 1 && !reader.ValueIsEscaped ? (char)reader.ValueSpan[0] : '?';
            if (!reader.Read()) throw new InvalidDataException("an input line ends early");
            switch (name)
            {
                case 't': time = reader.GetInt64(); break;
                case 'n': number = reader.GetInt32(); break;
                case 'i': index = reader.GetInt64(); break;
                case 'r': request = reader.GetInt64(); break;
                case 'e': term = reader.GetInt64(); break;
                case 'k': kind = reader.GetString(); break;
                case 'h': digest = reader.GetString(); break;
                case 'o': operation = reader.GetString(); break;
                case 'c' or 'm' or 's': bytes = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new InvalidDataException("an input line ends early");
        T Required<T>(T? value, string field) where T : class => value ?? throw new KeyNotFoundException($"input without '{field}'");
        long RequiredNumber(long? value, string field) => value ?? throw new KeyNotFoundException($"input without '{field}'");
        Input input = Required(kind, "k") switch
        {
            "tick" => Tick.Instance,
            "campaign" => Campaign.Instance,
            "transfer" => new TransferLeadership(new NodeId((int)RequiredNumber(number, "n"))),
            "read" => new ReadIndex(RequiredNumber(request, "r")),
            "propose" => new Propose(Convert.FromBase64String(Required(bytes, "c"))),
            "membership" => Enum.TryParse<MembershipChangeKind>(Required(operation, "o"), out var change) && Enum.IsDefined(change)
                ? new ChangeMembership(change, new NodeId((int)RequiredNumber(number, "n")))
                : throw new InvalidDataException($"unknown membership change '{operation}'"),
            "compact" => new Compact(RequiredNumber(index, "i"), Convert.FromBase64String(Required(bytes, "s"))),
            "persisted" => new LogPersisted(RequiredNumber(index, "i"), RequiredNumber(term, "e")),
            "receive" => WireCodec.TryDecode(Convert.FromBase64String(Required(bytes, "m")), header.ClusterId, header.IsServer, null, out var m, out var reason)
                ? new Receive(m!)
                : throw new InvalidDataException($"recorded message does not decode ({reason})"),
            var other => throw new InvalidDataException($"unknown input kind '{other}'"),
        };
        return new RecordedInput(RequiredNumber(time, "t"), input, ulong.Parse(Required(digest, "h"), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
    }
}
