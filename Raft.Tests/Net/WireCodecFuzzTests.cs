using System.Diagnostics;
using Raft.Core.Messages;
using Raft.Net.Wire;
using static Raft.Tests.Net.WireSamples;

namespace Raft.Tests.Net;

/// <summary>
/// Throws random and mutated frames at every decoder. Size: RAFT_FUZZ_FRAMES (default 100,000);
/// seed: RAFT_FUZZ_SEED (default fixed, printed on failure so that a run can be replayed).
/// </summary>
public sealed class WireCodecFuzzTests
{
    private static int Frames =>
        int.TryParse(Environment.GetEnvironmentVariable("RAFT_FUZZ_FRAMES"), out var frames) && frames > 0 ? frames : 100_000;

    private static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("RAFT_FUZZ_SEED"), out var seed) ? seed : 20261126;

    // Bytes that change a MessagePack value's type or size: nil, false/true, bin/str/array/map headers, ints.
    private static readonly byte[] InterestingBytes =
        [0x00, 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xc0, 0xc2, 0xc3, 0xc4, 0xc6, 0xcc, 0xcf, 0xd3, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];

    [Test]
    public void Decoders_never_throw_on_random_and_mutated_frames_and_every_accepted_frame_reencodes_to_the_same_valid_value()
    {
        var random = new Random(Seed);
        var corpus = ValidFrames(random, 300);
        var outcomes = new Dictionary<string, int>();
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < Frames; i++)
        {
            var frame = Mutate(random, corpus);
            try
            {
                Count(outcomes, "server " + DecodeServerFrame(frame));
                Count(outcomes, "request " + DecodeClientRequest(frame));
                Count(outcomes, "response " + DecodeClientResponse(frame));
            }
            catch (Exception e) when (e is not AssertionException)
            {
                Assert.Fail($"seed {Seed}, frame {i}: {Convert.ToHexString(frame)}\n{e}");
            }
        }

        stopwatch.Stop();
        TestContext.Out.WriteLine($"seed {Seed}: {Frames} frames x 3 decoders in {stopwatch.ElapsedMilliseconds} ms, " +
            $"{Frames / stopwatch.Elapsed.TotalSeconds:N0} frames/s");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key)) TestContext.Out.WriteLine($"  {outcome}: {count}");
        Assert.That(outcomes.Keys, Has.Some.EqualTo("server None"), "some mutated server frames should still be valid");
        Assert.That(outcomes.Keys, Has.Some.EqualTo("server Invalid"), "mutations should reach the invariant checks");
    }

    private static DropReason DecodeServerFrame(byte[] frame)
    {
        if (!WireCodec.TryDecode(frame, ClusterId, Members, out var message, out var reason))
        {
            Assert.That(message, Is.Null);
            return reason;
        }
        Assert.That(MessageInvariants.Hold(message!), Is.True);
        Assert.That(WireCodec.TryDecode(WireCodec.Encode(message!, ClusterId), ClusterId, Members, out var again, out _), Is.True);
        AssertSameMessage(message!, again);
        return reason;
    }

    private static DropReason DecodeClientRequest(byte[] frame)
    {
        if (!WireCodec.TryDecodeClientRequest(frame, ClusterId, out var request, out var reason)) return reason;
        Assert.That(WireCodec.TryDecodeClientRequest(WireCodec.EncodeClientRequest(request!, ClusterId), ClusterId, out var again, out _), Is.True);
        Assert.That(again, Is.EqualTo(request));
        return reason;
    }

    private static DropReason DecodeClientResponse(byte[] frame)
    {
        if (!WireCodec.TryDecodeClientResponse(frame, ClusterId, out var response, out var reason)) return reason;
        Assert.That(WireCodec.TryDecodeClientResponse(WireCodec.EncodeClientResponse(response!, ClusterId), ClusterId, out var again, out _), Is.True);
        Assert.That(again, Is.EqualTo(response));
        return reason;
    }

    private static byte[][] ValidFrames(Random random, int count) =>
    [
        .. OneOfEachKind().Select(m => WireCodec.Encode(m, ClusterId)),
        .. Enumerable.Range(0, count).Select(_ => random.Next(4) switch
        {
            0 => WireCodec.EncodeClientRequest(RandomClientRequest(random), ClusterId),
            1 => WireCodec.EncodeClientResponse(RandomClientResponse(random), ClusterId),
            _ => WireCodec.Encode(RandomValidMessage(random), ClusterId),
        }),
    ];

    /// <summary>A valid frame changed by one to three mutations, or plain random bytes.</summary>
    private static byte[] Mutate(Random random, byte[][] corpus)
    {
        if (random.Next(10) == 0) return RandomBytes(random, random.Next(0, 64));
        var frame = corpus[random.Next(corpus.Length)];
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            frame = random.Next(5) switch
            {
                0 => FlipBits(random, frame),
                1 => frame[..random.Next(frame.Length + 1)],
                2 => [.. frame, .. RandomBytes(random, random.Next(1, 17))],
                3 => [.. frame[..random.Next(frame.Length + 1)], .. Suffix(random, corpus[random.Next(corpus.Length)])],
                _ => SetInterestingByte(random, frame),
            };
        }
        return frame;
    }

    private static byte[] FlipBits(Random random, byte[] frame)
    {
        if (frame.Length == 0) return frame;
        var copy = (byte[])frame.Clone();
        for (var n = random.Next(1, 9); n > 0; n--) copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private static byte[] SetInterestingByte(Random random, byte[] frame)
    {
        if (frame.Length == 0) return frame;
        var copy = (byte[])frame.Clone();
        copy[random.Next(copy.Length)] = InterestingBytes[random.Next(InterestingBytes.Length)];
        return copy;
    }

    private static byte[] Suffix(Random random, byte[] frame) => frame[random.Next(frame.Length + 1)..];

    private static void Count(Dictionary<string, int> outcomes, string outcome) =>
        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
}
