using System.Globalization;
using System.IO.Hashing;
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
    /// <summary>Digest of one step: every effect's text form and the log digest after it.</summary>
    public static string DigestOf(Output output, IRaftNode node)
    {
        var hasher = new XxHash64();
        foreach (var effect in output.Effects) hasher.Append(Encoding.UTF8.GetBytes(effect.ToString()));
        Span<byte> tail = stackalloc byte[16];
        BitConverter.TryWriteBytes(tail, node.Log.DigestAt(node.Log.LastIndex));
        BitConverter.TryWriteBytes(tail[8..], node.CommitIndex);
        hasher.Append(tail);
        return hasher.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
    }

    public static string HeaderLine(InputLogHeader header)
    {
        // The starting log travels as an AppendEntries from the node to a peer: one codec for everything.
        var peer = header.Servers.FirstOrDefault(m => m != header.Node, header.Node);
        // With a snapshot, the entries follow it: PrevLogIndex/PrevLogTerm name the snapshot's last entry.
        var snapshot = header.Snapshot?.Metadata ?? SnapshotMetadata.None;
        var carrier = new AppendEntries(header.Node, peer, header.HardState.Term, 0,
            snapshot.LastIncludedIndex, snapshot.LastIncludedTerm, header.Entries, 0);
        var o = header.Options;
        return JsonSerializer.Serialize(new Dictionary<string, object?>
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
            ["term"] = header.HardState.Term,
            ["vote"] = header.HardState.VotedFor?.Value,
            ["cluster"] = header.ClusterId,
            ["log"] = Convert.ToBase64String(WireCodec.Encode(carrier, header.ClusterId)),
            ["snapshotDigest"] = header.Snapshot?.Metadata.Digest.ToString(CultureInfo.InvariantCulture),
            ["snapshotData"] = header.Snapshot is { } s ? Convert.ToBase64String(s.Data) : null,
            ["snapshotConfiguration"] = header.Snapshot is { } c ? Convert.ToBase64String(c.Metadata.Configuration.Encode()) : null,
        });
    }

    public static string InputLine(long timeMicros, Input input, string clusterId, string digest)
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
            case Compact compact:
                fields["k"] = "compact";
                fields["i"] = compact.Index;
                fields["s"] = Convert.ToBase64String(compact.Snapshot);
                break;
            default: throw new ArgumentException($"cannot record {input}");
        }
        fields["h"] = digest;
        return JsonSerializer.Serialize(fields);
    }

    /// <summary>
    /// Reads a log; a torn last line (the node was killed mid-write) is ignored. Null when the node
    /// was killed before even its header was complete: that incarnation fed its core nothing.
    /// </summary>
    public static (InputLogHeader Header, IReadOnlyList<RecordedInput> Inputs)? Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return null;
        InputLogHeader header;
        try
        {
            header = ParseHeader(lines[0], path);
        }
        catch (JsonException) when (lines.Length == 1)
        {
            return null; // torn header, nothing after it
        }
        var inputs = new List<RecordedInput>();
        for (var i = 1; i < lines.Length; i++)
        {
            try
            {
                inputs.Add(ParseInput(lines[i], header));
            }
            catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidDataException)
            {
                if (i == lines.Length - 1) break; // torn tail
                throw new InvalidDataException($"{path}:{i + 1}: {e.Message}", e);
            }
        }
        return (header, inputs);
    }

    /// <summary>A fresh core in the state the header describes.</summary>
    public static RaftNode CreateCore(InputLogHeader header) =>
        new(header.Node, header.Members, header.Options, new SplitMix64(header.RandomSeed),
            new PersistentState(header.HardState, header.Entries, header.Snapshot), header.FirstMessageId);

    private static InputLogHeader ParseHeader(string line, string path)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        var members = r.GetProperty("members").EnumerateArray().Select(e => new NodeId(e.GetInt32())).ToArray();
        // Logs written before membership changes have no address book: every server was a member.
        var addressBook = r.TryGetProperty("addressBook", out var book) ? book.EnumerateArray().Select(e => new NodeId(e.GetInt32())).ToArray() : members;
        var cluster = r.GetProperty("cluster").GetString()!;
        if (!WireCodec.TryDecode(Convert.FromBase64String(r.GetProperty("log").GetString()!), cluster, addressBook, out var carrier, out var reason) || carrier is not AppendEntries log)
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
            },
            new HardState(r.GetProperty("term").GetInt64(), vote.ValueKind == JsonValueKind.Null ? null : new NodeId(vote.GetInt32())),
            log.Entries, cluster, snapshot, addressBook);
    }

    private static RecordedInput ParseInput(string line, InputLogHeader header)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        var time = r.GetProperty("t").GetInt64();
        Input input = r.GetProperty("k").GetString() switch
        {
            "tick" => Tick.Instance,
            "campaign" => Campaign.Instance,
            "transfer" => new TransferLeadership(new NodeId(r.GetProperty("n").GetInt32())),
            "read" => new ReadIndex(r.GetProperty("r").GetInt64()),
            "propose" => new Propose(Convert.FromBase64String(r.GetProperty("c").GetString()!)),
            "membership" => Enum.TryParse<MembershipChangeKind>(r.GetProperty("o").GetString(), out var kind) && Enum.IsDefined(kind)
                ? new ChangeMembership(kind, new NodeId(r.GetProperty("n").GetInt32()))
                : throw new InvalidDataException($"unknown membership change '{r.GetProperty("o").GetString()}'"),
            "compact" => new Compact(r.GetProperty("i").GetInt64(), Convert.FromBase64String(r.GetProperty("s").GetString()!)),
            "receive" => WireCodec.TryDecode(Convert.FromBase64String(r.GetProperty("m").GetString()!), header.ClusterId, header.Servers, out var m, out var reason)
                ? new Receive(m!)
                : throw new InvalidDataException($"recorded message does not decode ({reason})"),
            var other => throw new InvalidDataException($"unknown input kind '{other}'"),
        };
        return new RecordedInput(time, input, r.GetProperty("h").GetString()!);
    }
}
