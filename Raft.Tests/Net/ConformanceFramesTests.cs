using System.Text.Json;
using System.Text.Json.Nodes;
using Raft.Core;
using Raft.Net.Wire;

namespace Raft.Tests.Net;

/// <summary>
/// The C# codec against the recorded frames of clients/conformance/frames.json (the Python
/// client's tests read the same file): each valid frame decodes to what the file says and encodes
/// back to the same bytes, and each refused frame is refused for the reason it gives.
/// Regenerate the file after an intended change of the format: RAFT_WRITE_CONFORMANCE=1.
/// </summary>
public sealed class ConformanceFramesTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonObject Recorded()
    {
        if (Environment.GetEnvironmentVariable("RAFT_WRITE_CONFORMANCE") == "1")
            File.WriteAllText(ConformanceFrames.FilePath, ConformanceFrames.Build().ToJsonString(Indented) + "\n");
        return JsonNode.Parse(File.ReadAllText(ConformanceFrames.FilePath))!.AsObject();
    }

    private static IEnumerable<JsonObject> Frames(bool valid) =>
        Recorded()["frames"]!.AsArray().Select(f => f!.AsObject()).Where(f => f["valid"]!.GetValue<bool>() == valid);

    [Test]
    public void Every_valid_recorded_frame_decodes_as_recorded_and_encodes_to_the_same_bytes()
    {
        var members = NodeId.Range(3).ToArray();
        var count = 0;
        foreach (var frame in Frames(valid: true))
        {
            var name = frame["name"]!.GetValue<string>();
            var bytes = Convert.FromHexString(frame["hex"]!.GetValue<string>());
            var expected = frame["decoded"]!;
            JsonObject actual;
            byte[] again;
            switch (expected["type"]!.GetValue<string>())
            {
                case "ClientRequest":
                    Assert.That(WireCodec.TryDecodeClientRequest(bytes, ConformanceFrames.ClusterId, out var request, out var r1), name + ": " + r1);
                    actual = ConformanceFrames.Describe(request!);
                    again = WireCodec.EncodeClientRequest(request!, ConformanceFrames.ClusterId);
                    break;
                case "ClientResponse":
                    Assert.That(WireCodec.TryDecodeClientResponse(bytes, ConformanceFrames.ClusterId, out var response, out var r2), name + ": " + r2);
                    actual = ConformanceFrames.Describe(response!);
                    again = WireCodec.EncodeClientResponse(response!, ConformanceFrames.ClusterId);
                    break;
                default:
                    var to = new NodeId(expected["to"]!.GetValue<int>());
                    Assert.That(WireCodec.TryDecode(bytes, ConformanceFrames.ClusterId, members, to, out var message, out var r3), name + ": " + r3);
                    actual = ConformanceFrames.Describe(message!);
                    again = WireCodec.Encode(message!, ConformanceFrames.ClusterId);
                    break;
            }
            Assert.That(JsonNode.DeepEquals(actual, expected), $"{name}: decoded {actual.ToJsonString()}\nrecorded {expected.ToJsonString()}");
            Assert.That(Convert.ToHexStringLower(again), Is.EqualTo(frame["hex"]!.GetValue<string>()), name + ": encodes to other bytes");
            count++;
        }
        Assert.That(count, Is.GreaterThanOrEqualTo(30), "the file holds the recorded frames");
    }

    [Test]
    public void Every_refused_recorded_frame_is_refused_for_its_reason()
    {
        var members = NodeId.Range(3).ToArray();
        var count = 0;
        foreach (var frame in Frames(valid: false))
        {
            var name = frame["name"]!.GetValue<string>();
            var bytes = Convert.FromHexString(frame["hex"]!.GetValue<string>());
            var expected = Enum.Parse<DropReason>(frame["reason"]!.GetValue<string>());
            DropReason reason;
            if (frame["endpoint"]!.GetValue<string>() == "client") WireCodec.TryDecodeClientRequest(bytes, ConformanceFrames.ClusterId, out _, out reason);
            else WireCodec.TryDecode(bytes, ConformanceFrames.ClusterId, members, new NodeId(1), out _, out reason);
            Assert.That(reason, Is.EqualTo(expected), name);
            count++;
        }
        Assert.That(count, Is.GreaterThanOrEqualTo(10));
    }

    [Test]
    public void The_recorded_file_is_what_the_codec_writes_today()
    {
        // Not the check itself (the two tests above read the file); a reminder to regenerate it
        // (RAFT_WRITE_CONFORMANCE=1) after an intended change, so it never silently goes stale.
        Assert.That(JsonNode.DeepEquals(Recorded(), ConformanceFrames.Build()), "clients/conformance/frames.json differs from the codec's frames: regenerate it if the change was intended");
    }
}
