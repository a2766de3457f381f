using MessagePack;
using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Net.Wire;
using Raft.Net.Wire.Frames;
using static Raft.Tests.Net.WireSamples;

namespace Raft.Tests.Net;

/// <summary>Configurations on the wire (thesis §4): in log entries of kind 2 and in InstallSnapshot's key 10.</summary>
public sealed class WireMembershipTests
{
    /// <summary>Configuration bytes that <see cref="Configuration.TryDecode"/> must refuse, each with what is wrong.</summary>
    private static IEnumerable<TestCaseData> MalformedConfigurations()
    {
        TestCaseData Case(string name, byte[] bytes) => new TestCaseData(bytes).SetArgDisplayNames(name);
        byte[] Ids(byte voters, byte learners, params int[] ids) =>
            [voters, learners, .. ids.SelectMany(BitConverter.GetBytes)];
        yield return Case("empty", []);
        yield return Case("one byte", [1]);
        yield return Case("count says 2, one id", Ids(2, 0, 1));
        yield return Case("a trailing byte", [.. Ids(1, 0, 1), 0]);
        yield return Case("node id 0", Ids(1, 0, 0));
        yield return Case("negative node id", Ids(1, 0, -3));
        yield return Case("same voter twice", Ids(2, 0, 1, 1));
        yield return Case("voter also learner", Ids(1, 1, 2, 2));
        yield return Case("65 members", Ids(65, 0, [.. Enumerable.Range(1, 65)]));
        yield return Case("count 255 with no ids", [255, 255]);
    }

    private static Envelope Frame(PeerBody body) =>
        new() { Version = WireCodec.ProtocolVersion, ClusterId = ClusterId, Sender = 1, Body = body };

    private static byte[] Serialize(Envelope envelope) => MessagePackSerializer.Serialize(envelope, MessagePackSerializerOptions.Standard);

    private static AppendEntriesBody AppendWithConfiguration(byte[] configuration) => new()
    {
        From = 1, To = 2, Term = 2, Id = 1, PrevLogIndex = 0, PrevLogTerm = 0, LeaderCommit = 0,
        Entries = [new LogEntryFrame { Index = 1, Term = 2, Kind = (int)EntryKind.Configuration, Command = configuration }],
    };

    private static InstallSnapshotBody SnapshotWithConfiguration(byte[]? configuration) => new()
    {
        From = 1, To = 2, Term = 2, Id = 1, LastIncludedIndex = 5, LastIncludedTerm = 2, Digest = 7,
        Offset = 0, Data = [1, 2, 3], Done = true, Configuration = configuration,
    };

    private static (Message? Message, DropReason Reason) Decode(byte[] frame)
    {
        WireCodec.TryDecode(frame, ClusterId, Members, out var message, out var reason);
        return (message, reason);
    }

    [Test]
    public void The_configuration_examples_in_the_wire_format_document_are_what_the_encoder_writes()
    {
        // docs/wire-format.md, "Configuration": keep it in step with the code.
        Assert.That(Convert.ToHexString(new Configuration([N1, N2, N3], [new NodeId(4)]).Encode()),
            Is.EqualTo("0301" + "01000000" + "02000000" + "03000000" + "04000000"));
        Assert.That(Convert.ToHexString(Configuration.Empty.Encode()), Is.EqualTo("0000"));
    }

    [Test]
    public void Configuration_entries_survive_a_round_trip_with_voters_and_learners_in_order()
    {
        var append = new AppendEntries(N1, N2, 6, 1, 9, 5, ConfigurationEntries(10, 6), 9);

        var (decoded, reason) = Decode(WireCodec.Encode(append, ClusterId));

        Assert.That(reason, Is.EqualTo(DropReason.None));
        AssertSameMessage(append, decoded);
        var configurations = ((AppendEntries)decoded!).Entries
            .Select(e => Configuration.TryDecode(e.Command, out var c) ? c : null).ToList();
        Assert.That(configurations[0]!.Voters, Is.EqualTo(new[] { N1, N2, N3 }));
        Assert.That(configurations[0]!.Learners, Is.EqualTo(new[] { new NodeId(4) }));
        Assert.That(configurations[3]!.Members.Count(), Is.EqualTo(Configuration.MaxMembers));
    }

    [Test]
    public void An_InstallSnapshot_carries_the_configuration_of_its_last_included_entry()
    {
        var configuration = new Configuration([N1, N3], [N2]);
        var chunk = new InstallSnapshot(N1, N2, 4, 1, 20, 3, 99, configuration, 0, [5, 6], true);

        var (decoded, reason) = Decode(WireCodec.Encode(chunk, ClusterId));

        Assert.That(reason, Is.EqualTo(DropReason.None));
        Assert.That(((InstallSnapshot)decoded!).Configuration, Is.EqualTo(configuration));
        AssertSameMessage(chunk, decoded);
    }

    [Test]
    public void An_InstallSnapshot_of_a_server_waiting_to_join_may_carry_the_empty_configuration()
    {
        var chunk = new InstallSnapshot(N1, N2, 4, 1, 20, 3, 99, Configuration.Empty, 0, [], true);

        var (decoded, _) = Decode(WireCodec.Encode(chunk, ClusterId));

        Assert.That(((InstallSnapshot)decoded!).Configuration, Is.EqualTo(Configuration.Empty));
    }

    [TestCaseSource(nameof(MalformedConfigurations))]
    public void A_configuration_entry_with_malformed_bytes_is_dropped_as_Malformed(byte[] configuration)
    {
        Assert.That(Configuration.TryDecode(configuration, out _), Is.False, "the sample must really be malformed");

        var (message, reason) = Decode(Serialize(Frame(AppendWithConfiguration(configuration))));

        Assert.That(message, Is.Null);
        Assert.That(reason, Is.EqualTo(DropReason.Malformed));
    }

    [TestCaseSource(nameof(MalformedConfigurations))]
    public void An_InstallSnapshot_with_malformed_configuration_bytes_is_dropped_as_Malformed(byte[] configuration)
    {
        var (message, reason) = Decode(Serialize(Frame(SnapshotWithConfiguration(configuration))));

        Assert.That(message, Is.Null);
        Assert.That(reason, Is.EqualTo(DropReason.Malformed));
    }

    [Test]
    public void An_InstallSnapshot_without_a_configuration_is_dropped_as_Malformed()
    {
        var (message, reason) = Decode(Serialize(Frame(SnapshotWithConfiguration(null))));

        Assert.That(message, Is.Null);
        Assert.That(reason, Is.EqualTo(DropReason.Malformed));
    }

    [Test]
    public void Every_single_byte_change_to_a_configuration_entry_is_decoded_or_dropped_never_thrown()
    {
        var frame = WireCodec.Encode(new AppendEntries(N1, N2, 6, 1, 9, 5, ConfigurationEntries(10, 6)[..2], 9), ClusterId);
        var outcomes = new SortedSet<DropReason>();
        for (var at = 0; at < frame.Length; at++)
        {
            foreach (var value in new byte[] { 0x00, 0x01, 0x7f, 0xc0, 0xff })
            {
                var copy = (byte[])frame.Clone();
                copy[at] = value;
                var (message, reason) = Decode(copy);
                if (message is AppendEntries append)
                    foreach (var entry in append.Entries.Where(e => e.Kind == EntryKind.Configuration))
                        Assert.That(Configuration.TryDecode(entry.Command, out _), Is.True, $"byte {at} = {value:x2} let a malformed configuration through");
                outcomes.Add(reason);
            }
        }
        Assert.That(outcomes, Does.Contain(DropReason.Malformed).And.Contain(DropReason.None));
    }
}
