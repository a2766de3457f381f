using System.IO.Hashing;
using System.Text;
using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Net.Parity;
using Raft.Simulation.Tracing;

namespace Raft.Tests.Net;

/// <summary>
/// The digest a node writes beside each input of its input log, which the replay must reproduce
/// (parity). The binary form covers every field of every effect; the text form is kept so that
/// logs written before it still replay.
/// </summary>
public sealed class StepDigestTests
{
    private static readonly NodeId N1 = new(1), N2 = new(2);

    private string directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), $"raft-stepdigest-{Environment.ProcessId}-{TestContext.CurrentContext.Test.ID}");
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public void The_binary_form_sees_the_entries_a_node_sends_which_the_text_form_does_not()
    {
        var core = NewCore(NewHeader(EffectsDigestForm.Binary));
        Output Sending(byte command) => new([new Send(new AppendEntries(N1, N2, 1, 7, 0, 0, [new LogEntry(1, 1, EntryKind.Command, [command])], 0))]);
        var digest = new StepDigest();

        Assert.That(digest.Of(Sending(1), core, EffectsDigestForm.Text), Is.EqualTo(digest.Of(Sending(2), core, EffectsDigestForm.Text)),
            "the text names the entries' indexes and terms only");
        Assert.That(digest.Of(Sending(1), core, EffectsDigestForm.Binary), Is.Not.EqualTo(digest.Of(Sending(2), core, EffectsDigestForm.Binary)));
    }

    [Test]
    public void The_text_form_is_the_digest_that_older_input_logs_hold()
    {
        // Enough effects that the reused buffer fills and feeds the hash several times.
        var effects = Enumerable.Range(1, 300).Select(i => (Effect)new ReadReady(i, i * 1_000)).ToList();
        var output = new Output(effects);
        var core = NewCore(NewHeader(EffectsDigestForm.Text));

        Assert.That(new StepDigest().Of(output, core, EffectsDigestForm.Text), Is.EqualTo(DigestAsOlderBuildsWroteIt(output, core)));
    }

    [Test]
    public void Every_effect_has_a_binary_form_in_which_each_field_counts()
    {
        var snapshot = new Snapshot(new SnapshotMetadata(5, 2, 99, new Configuration(NodeId.Range(3))), [1, 2, 3]);
        var otherData = snapshot with { Data = [1, 2, 4] };
        var entry = new LogEntry(4, 2, EntryKind.Command, [9]);
        (Effect, Effect)[] differingInOneField =
        [
            (new PersistHardState(new HardState(3, N1)), new PersistHardState(new HardState(4, N1))),
            (new PersistHardState(new HardState(3, N1)), new PersistHardState(new HardState(3, N2))),
            (new PersistHardState(new HardState(3, null)), new PersistHardState(new HardState(3, new NodeId(0)))),
            (new PersistEntries(4, [entry]), new PersistEntries(5, [entry])),
            (new PersistEntries(4, [entry]), new PersistEntries(4, [entry with { Command = [8] }])),
            (new PersistSnapshot(snapshot), new PersistSnapshot(otherData)),
            (new Send(new RequestVote(N1, N2, 3, 10, 4, 2)), new Send(new RequestVote(N1, N2, 3, 11, 4, 2))),
            (new Send(new AppendEntriesResponse(N2, N1, 3, 12, 10, true, 4, 0, 0)), new Send(new AppendEntriesResponse(N2, N1, 3, 12, 10, true, 4, 0, 1))),
            (new ApplyEntry(entry), new ApplyEntry(entry with { Term = 3 })),
            (new ReadReady(1, 4), new ReadReady(1, 5)),
            (new ReadReady(1, 4), new ReadReady(2, 4)),
            (new ReadRefused(1, ReadRefusal.NotLeader, null), new ReadRefused(1, ReadRefusal.NotLeader, N2)),
            (new ReadRefused(1, ReadRefusal.NotLeader, N2), new ReadRefused(1, (ReadRefusal)1, N2)),
            (new RestoreSnapshot(snapshot), new RestoreSnapshot(otherData)),
            (new RestoreSnapshot(snapshot), new PersistSnapshot(snapshot)),
        ];

        foreach (var (a, b) in differingInOneField)
            Assert.That(Bytes(a), Is.Not.EqualTo(Bytes(b)), $"{a} and {b}");
        var same = new ReadReady(1, 4);
        Assert.That(Bytes(same), Is.EqualTo(Bytes(new ReadReady(1, 4))), "equal effects, the same bytes");
    }

    [Test]
    public void A_header_says_which_form_its_digests_take_and_a_header_without_it_is_from_an_older_build()
    {
        var binary = Path.Combine(directory, "binary.ndjson");
        var text = Path.Combine(directory, "text.ndjson");
        File.WriteAllLines(binary, [InputLog.HeaderLine(NewHeader(EffectsDigestForm.Binary))]);
        File.WriteAllLines(text, [InputLog.HeaderLine(NewHeader(EffectsDigestForm.Text))]);

        Assert.That(File.ReadAllText(text), Does.Not.Contain("\"effects\""), "written as older builds wrote it");
        Assert.That(InputLog.Read(binary)!.Value.Header.DigestForm, Is.EqualTo(EffectsDigestForm.Binary));
        Assert.That(InputLog.Read(text)!.Value.Header.DigestForm, Is.EqualTo(EffectsDigestForm.Text));

        var unknown = Path.Combine(directory, "unknown.ndjson");
        File.WriteAllText(unknown, File.ReadAllText(binary).Replace("\"effects\":\"binary\"", "\"effects\":\"rot13\""));
        var error = Assert.Throws<InvalidDataException>(() => InputLog.Read(unknown));
        Assert.That(error!.Message, Does.StartWith($"{unknown}:1:"));
    }

    [TestCase(EffectsDigestForm.Text)]
    [TestCase(EffectsDigestForm.Binary)]
    public void A_log_replays_with_parity_in_either_form_and_one_wrong_digest_is_a_mismatch(EffectsDigestForm form)
    {
        var header = NewHeader(form);
        var live = NewCore(header);
        var digest = new StepDigest();
        var inputs = new List<Input>();
        var digests = new List<ulong>();
        void Step(Input input)
        {
            var output = live.Step(input);
            inputs.Add(input);
            digests.Add(form == EffectsDigestForm.Text ? DigestAsOlderBuildsWroteIt(output, live) : digest.Of(output, live, form));
        }
        Step(Campaign.Instance);
        Step(Tick.Instance);
        Step(new Receive(new RequestVoteResponse(N2, N1, live.Term, 5, VoteRequestId(header), true)));
        Assert.That(live.Role, Is.EqualTo(Role.Leader), "the replayed steps do something worth digesting");

        var path = Path.Combine(directory, "inputs-0001.ndjson");
        List<string> Lines() => [InputLog.HeaderLine(header), .. inputs.Select((input, i) => InputLog.InputLine(i + 1, input, header.ClusterId, digests[i]))];
        File.WriteAllLines(path, Lines());
        var report = RealRunChecker.Check([directory]);
        Assert.That(report.InputsReplayed, Is.EqualTo(inputs.Count));
        Assert.That(report.ParityMismatches, Is.Zero, report.FirstMismatch);

        digests[2] ^= 1;
        File.WriteAllLines(path, Lines());
        Assert.That(RealRunChecker.Check([directory]).ParityMismatches, Is.EqualTo(1));
    }

    /// <summary>The id of the vote request the header's core sends n2 when it campaigns.</summary>
    private static long VoteRequestId(InputLogHeader header) =>
        NewCore(header).Step(Campaign.Instance).Effects.OfType<Send>().Select(s => s.Message).OfType<RequestVote>().Single(m => m.To == N2).Id;

    /// <summary>The digest as builds before the binary form computed it: each effect's text, then the log's digest and the commit index.</summary>
    private static ulong DigestAsOlderBuildsWroteIt(Output output, IRaftNode node)
    {
        var hasher = new XxHash64();
        foreach (var effect in output.Effects) hasher.Append(Encoding.UTF8.GetBytes(effect.ToString()));
        var tail = new byte[16];
        BitConverter.TryWriteBytes(tail, node.Log.DigestAt(node.Log.LastIndex));
        BitConverter.TryWriteBytes(tail.AsSpan(8), node.CommitIndex);
        hasher.Append(tail);
        return hasher.GetCurrentHashAsUInt64();
    }

    private static byte[] Bytes(Effect effect)
    {
        var output = new ByteWriter();
        TraceEncoding.WriteEffect(effect, output);
        return output.Written.ToArray();
    }

    private static InputLogHeader NewHeader(EffectsDigestForm form) =>
        new(N1, 1, NodeId.Range(3).ToArray(), 42, 1_000_000_000, new RaftOptions(), new HardState(0, null), [], "test", DigestForm: form);

    private static RaftNode NewCore(InputLogHeader header) => InputLog.CreateCore(header);
}
