using System.Buffers;
using System.Text.Json.Nodes;
using MessagePack;
using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Net.Wire;

namespace Raft.Tests.Net;

/// <summary>
/// The recorded frames of clients/conformance/frames.json: client and peer frames with what they
/// decode to (or why they are dropped), in terms of docs/wire-format.md, so that the C# codec and
/// any other implementation (clients/python) are checked against the same bytes and cannot drift.
/// <see cref="Build"/> makes the file's content from the codec; the tests check the file, not this.
/// </summary>
public static class ConformanceFrames
{
    public const string ClusterId = "test-cluster";

    /// <summary>The file, found from the test binaries up to the repository.</summary>
    public static string FilePath => Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "clients", "conformance", "frames.json"));

    /// <summary>The whole file as the codec of today writes and reads it.</summary>
    public static JsonObject Build()
    {
        var frames = new JsonArray();
        foreach (var (name, request) in Requests())
            frames.Add(Valid(name, "client", WireCodec.EncodeClientRequest(request, ClusterId), Describe(request)));
        foreach (var (name, response) in Responses())
            frames.Add(Valid(name, "client", WireCodec.EncodeClientResponse(response, ClusterId), Describe(response)));
        foreach (var message in WireSamples.OneOfEachKind())
            frames.Add(Valid($"{message.Kind} {message.From}->{message.To} id {message.Id}", "peer", WireCodec.Encode(message, ClusterId), Describe(message)));
        foreach (var (name, endpoint, bytes, reason) in Refused())
            frames.Add(new JsonObject { ["name"] = name, ["endpoint"] = endpoint, ["hex"] = Convert.ToHexStringLower(bytes), ["valid"] = false, ["reason"] = reason.ToString() });
        return new JsonObject
        {
            ["about"] = "Frames of protocol version 1 with their decoding (docs/wire-format.md). Peer frames are addressed among members [1, 2, 3]; a peer frame is received by its 'to'. Bin fields and commands are hex.",
            ["clusterId"] = ClusterId,
            ["members"] = new JsonArray(1, 2, 3),
            ["frames"] = frames,
        };
    }

    private static JsonObject Valid(string name, string endpoint, byte[] bytes, JsonObject decoded) =>
        new() { ["name"] = name, ["endpoint"] = endpoint, ["hex"] = Convert.ToHexStringLower(bytes), ["valid"] = true, ["decoded"] = decoded };

    private static IEnumerable<(string, ClientRequest)> Requests()
    {
        yield return ("put k=v (the example of the doc)", new ClientRequest(1, new KvCommand(7, 1, KvOperation.Put, "k", "v")));
        yield return ("get, sequence ignored (0)", new ClientRequest(2, new KvCommand(7, 0, KvOperation.Get, "k", null)));
        yield return ("append, large ids", new ClientRequest(long.MaxValue, new KvCommand(4_611_686_018_427_387_904, 70_000, KvOperation.Append, "list", "x,")));
        yield return ("compare-and-set from absent", new ClientRequest(3, new KvCommand(7, 2, KvOperation.CompareAndSet, "k", "1", null)));
        yield return ("compare-and-set, unicode", new ClientRequest(4, new KvCommand(7, 3, KvOperation.CompareAndSet, "ключ", "värde", "旧")));
    }

    private static IEnumerable<(string, ClientResponse)> Responses()
    {
        yield return ("Ok with a value", new ClientResponse(1, ClientStatus.Ok, new KvResult(true, "v"), new NodeId(1)));
        yield return ("Ok, get of an absent key", new ClientResponse(2, ClientStatus.Ok, new KvResult(true, null), new NodeId(2)));
        yield return ("Ok, a failed compare-and-set with the current value", new ClientResponse(3, ClientStatus.Ok, new KvResult(false, "other"), new NodeId(1)));
        yield return ("NotLeader with a hint", new ClientResponse(4, ClientStatus.NotLeader, null, new NodeId(3)));
        yield return ("NotLeader, leader unknown", new ClientResponse(5, ClientStatus.NotLeader, null, null));
        yield return ("Timeout: outcome unknown", new ClientResponse(6, ClientStatus.Timeout, null, new NodeId(1)));
        yield return ("Busy", new ClientResponse(7, ClientStatus.Busy, null, null));
        yield return ("Rejected", new ClientResponse(8, ClientStatus.Rejected, null, new NodeId(1)));
    }

    private static IEnumerable<(string, string, byte[], DropReason)> Refused()
    {
        var put = WireCodec.EncodeClientRequest(new ClientRequest(1, new KvCommand(7, 1, KvOperation.Put, "k", "v")), ClusterId);
        yield return ("client: a put without a value", "client", Raw((ref MessagePackWriter w) => Request(ref w, 1, 7, 1, 1, "k", null)), DropReason.Invalid);
        yield return ("client: an unknown operation", "client", Raw((ref MessagePackWriter w) => Request(ref w, 1, 7, 1, 9, "k", "v")), DropReason.Invalid);
        yield return ("client: a nil key", "client", Raw((ref MessagePackWriter w) => Request(ref w, 1, 7, 1, 0, null, null)), DropReason.Invalid);
        yield return ("client: a negative client id", "client", Raw((ref MessagePackWriter w) => Request(ref w, 1, -7, 1, 1, "k", "v")), DropReason.Invalid);
        yield return ("client: another cluster", "client", WireCodec.EncodeClientRequest(new ClientRequest(1, new KvCommand(7, 1, KvOperation.Put, "k", "v")), "other-cluster"), DropReason.WrongCluster);
        yield return ("client: version 2", "client", [.. put.Take(1), 0x02, .. put.Skip(2)], DropReason.WrongVersion);
        yield return ("client: a trailing byte", "client", [.. put, 0xc0], DropReason.Malformed);
        yield return ("client: a union of three elements", "client", Raw((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3); w.Write(1); w.Write(ClusterId);
            w.WriteArrayHeader(3); w.Write(16); RequestRecord(ref w, 1, 7, 1, 1, "k", "v"); w.WriteNil();
        }), DropReason.Malformed);
        yield return ("client: an unknown union tag", "client", Raw((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3); w.Write(1); w.Write(ClusterId);
            w.WriteArrayHeader(2); w.Write(18); RequestRecord(ref w, 1, 7, 1, 1, "k", "v");
        }), DropReason.Malformed);
        yield return ("client: a map instead of an array", "client", Raw((ref MessagePackWriter w) => { w.WriteMapHeader(1); w.Write(0); w.Write(1); }), DropReason.Malformed);
        yield return ("client: a peer frame at the client endpoint", "client", WireCodec.Encode(new TimeoutNow(WireSamples.N1, WireSamples.N2, 7, 700), ClusterId), DropReason.Malformed);
        yield return ("peer: another cluster", "peer", WireCodec.Encode(new TimeoutNow(WireSamples.N1, WireSamples.N2, 7, 700), "other-cluster"), DropReason.WrongCluster);
        yield return ("peer: RequestVote with lastLogTerm above its term", "peer", Raw((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4); w.Write(1); w.Write(ClusterId); w.Write(2);
            w.WriteArrayHeader(2); w.Write(0);
            w.WriteArrayHeader(7); w.Write(2); w.Write(1); w.Write(3); w.Write(9); w.Write(5); w.Write(4); w.Write(false);
        }), DropReason.Invalid);
        yield return ("peer: envelope sender differs from 'from'", "peer", Raw((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4); w.Write(1); w.Write(ClusterId); w.Write(3);
            w.WriteArrayHeader(2); w.Write(6);
            w.WriteArrayHeader(4); w.Write(2); w.Write(1); w.Write(3); w.Write(9);
        }), DropReason.SenderMismatch);
        yield return ("peer: a client frame at the peer endpoint", "peer", put, DropReason.Malformed);
    }

    private delegate void Writing(ref MessagePackWriter writer);

    private static byte[] Raw(Writing write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Request(ref MessagePackWriter w, long requestId, long clientId, long sequence, int operation, string? key, string? value)
    {
        w.WriteArrayHeader(3); w.Write(1); w.Write(ClusterId);
        w.WriteArrayHeader(2); w.Write(16);
        RequestRecord(ref w, requestId, clientId, sequence, operation, key, value);
    }

    private static void RequestRecord(ref MessagePackWriter w, long requestId, long clientId, long sequence, int operation, string? key, string? value)
    {
        w.WriteArrayHeader(7); w.Write(requestId); w.Write(clientId); w.Write(sequence); w.Write(operation);
        if (key is null) w.WriteNil(); else w.Write(key);
        if (value is null) w.WriteNil(); else w.Write(value);
        w.WriteNil();
    }

    private static readonly string[] Operations = ["get", "put", "append", "cas"];

    public static JsonObject Describe(ClientRequest request) => new()
    {
        ["type"] = "ClientRequest",
        ["requestId"] = request.RequestId,
        ["clientId"] = request.Command.ClientId,
        ["sequence"] = request.Command.Sequence,
        ["operation"] = Operations[(int)request.Command.Operation],
        ["key"] = request.Command.Key,
        ["value"] = request.Command.Value,
        ["expected"] = request.Command.Expected,
    };

    public static JsonObject Describe(ClientResponse response) => new()
    {
        ["type"] = "ClientResponse",
        ["requestId"] = response.RequestId,
        ["status"] = response.Status.ToString(),
        ["resultOk"] = response.Result?.Ok ?? false,
        ["resultValue"] = response.Result?.Value,
        ["leaderHint"] = response.LeaderHint?.Value ?? 0,
    };

    /// <summary>A peer message as the doc names its fields, with the envelope's version, cluster and sender.</summary>
    public static JsonObject Describe(Message message)
    {
        var json = new JsonObject
        {
            ["type"] = message.Kind,
            ["version"] = 1,
            ["clusterId"] = ClusterId,
            ["sender"] = message.From.Value,
            ["from"] = message.From.Value,
            ["to"] = message.To.Value,
            ["term"] = message.Term,
            ["id"] = message.Id,
        };
        switch (message)
        {
            case RequestVote m:
                json["lastLogIndex"] = m.LastLogIndex; json["lastLogTerm"] = m.LastLogTerm; json["leadershipTransfer"] = m.LeadershipTransfer;
                break;
            case RequestVoteResponse m:
                json["inReplyTo"] = m.InReplyTo; json["voteGranted"] = m.VoteGranted;
                break;
            case AppendEntries m:
                json["prevLogIndex"] = m.PrevLogIndex; json["prevLogTerm"] = m.PrevLogTerm;
                json["entries"] = new JsonArray(m.Entries.Select(e => (JsonNode)new JsonArray(e.Index, e.Term, (int)e.Kind, Convert.ToHexStringLower(e.Command))).ToArray());
                json["leaderCommit"] = m.LeaderCommit;
                break;
            case AppendEntriesResponse m:
                json["inReplyTo"] = m.InReplyTo; json["success"] = m.Success; json["index"] = m.Index; json["hintIndex"] = m.HintIndex; json["hintTerm"] = m.HintTerm;
                break;
            case PreVote m:
                json["lastLogIndex"] = m.LastLogIndex; json["lastLogTerm"] = m.LastLogTerm;
                break;
            case PreVoteResponse m:
                json["inReplyTo"] = m.InReplyTo; json["voteGranted"] = m.VoteGranted;
                break;
            case InstallSnapshot m:
                json["lastIncludedIndex"] = m.LastIncludedIndex; json["lastIncludedTerm"] = m.LastIncludedTerm; json["digest"] = m.Digest;
                json["offset"] = m.Offset; json["data"] = Convert.ToHexStringLower(m.Data); json["done"] = m.Done;
                json["configuration"] = Convert.ToHexStringLower(m.Configuration.Encode());
                break;
            case InstallSnapshotResponse m:
                json["inReplyTo"] = m.InReplyTo; json["lastIncludedIndex"] = m.LastIncludedIndex; json["nextOffset"] = m.NextOffset; json["done"] = m.Done;
                break;
        }
        return json;
    }
}
