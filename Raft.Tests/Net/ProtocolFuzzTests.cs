using Raft.Core;
using Raft.Net.Fuzz;
using Raft.Net.Wire;

namespace Raft.Tests.Net;

/// <summary>
/// The short mode of the protocol fuzzer (docs/fuzzing.md): adversarial but decodable frames at the
/// leader, a follower and a candidate of a live cluster, then the run's checks. The long mode is
/// <c>raft-net fuzz --frames 1000000</c>; RAFT_PROTOCOL_FUZZ_FRAMES sets this test's frame count.
/// </summary>
[NonParallelizable]
public sealed class ProtocolFuzzTests
{
    private static long Frames =>
        long.TryParse(Environment.GetEnvironmentVariable("RAFT_PROTOCOL_FUZZ_FRAMES"), out var n) && n > 0 ? n : 30_000;

    [Test]
    public void A_live_cluster_fuzzed_at_its_leader_a_follower_and_a_candidate_keeps_serving_and_passes_the_checks()
    {
        var summary = FuzzRun.Execute(new FuzzRunOptions { Frames = Frames, Seed = 16, BurstFrames = 2_500 }, line => TestContext.Out.WriteLine(line));
        TestContext.Out.WriteLine(summary.Render());

        Assert.That(summary.Ok, Is.True, "the fuzz run failed (seed 16):\n" + summary.Render());
        Assert.That(summary.FramesSent, Is.EqualTo(Frames));
        Assert.That(summary.FramesByTargetRole.Keys, Is.SupersetOf(new[] { Role.Leader, Role.Candidate, Role.Follower }), "every role was a target");
        Assert.That(summary.DropsByReason.Keys, Is.SupersetOf(new[] { nameof(DropReason.Malformed), nameof(DropReason.Invalid), nameof(DropReason.UnknownSender) }));
    }

    [Test]
    public void The_generator_gives_the_same_frames_for_the_same_seed_and_most_pass_the_codec_and_none_is_a_forgery()
    {
        var members = NodeId.Range(3);
        var scene = new FuzzScene(new NodeId(2), Role.Follower, members, Term: 7, LastIndex: 40, CommitIndex: 38);
        var a = new ProtocolFrameGenerator(5, "c");
        var b = new ProtocolFrameGenerator(5, "c");
        var decoded = 0;
        var kinds = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20_000; i++)
        {
            var (kind, frame) = a.Next(scene, raiseTerm: i % 10 == 0);
            Assert.That(b.Next(scene, raiseTerm: i % 10 == 0).Frame, Is.EqualTo(frame), $"frame {i}");
            if (WireCodec.TryDecode(frame, "c", members, scene.Target, out var message, out _))
            {
                decoded++;
                kinds.Add(message!.Kind);
                Assert.That(ProtocolFrameGenerator.IsInThreatModel(message, scene), Is.True, $"frame {i} ({kind}) is a forgery: {message}");
            }
        }
        Assert.That(kinds, Has.Count.EqualTo(9), $"every peer message kind reaches the core, not only {string.Join(", ", kinds)}");
        Assert.That(decoded, Is.GreaterThan(20_000 / 3), "most frames are structurally valid");
    }
}
