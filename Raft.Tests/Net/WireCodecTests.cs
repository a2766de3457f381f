using MessagePack;
using Raft.Core;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Net.Wire;
using Raft.Net.Wire.Frames;
using static Raft.Tests.Net.WireSamples;

namespace Raft.Tests.Net;

public sealed class WireCodecTests
{
    private static IEnumerable<TestCaseData> EveryKind() =>
        OneOfEachKind().Select(m => new TestCaseData(m).SetArgDisplayNames(m.ToString()));

    private static Message Decoded(byte[] frame, NodeId? recipient = null)
    {
        var accepted = WireCodec.TryDecode(frame, ClusterId, Members, recipient, out var message, out var reason);
        Assert.That(reason, Is.EqualTo(DropReason.None));
        Assert.That(accepted, Is.True);
        return message!;
    }

    private static DropReason DropReasonOf(ReadOnlyMemory<byte> frame)
    {
        var accepted = WireCodec.TryDecode(frame, ClusterId, Members, out var message, out var reason);
        Assert.That(accepted, Is.False);
        Assert.That(message, Is.Null);
        return reason;
    }

    private static byte[] Serialize<T>(T value) => MessagePackSerializer.Serialize(value, MessagePackSerializerOptions.Standard);

    [TestCaseSource(nameof(EveryKind))]
    public void Every_message_kind_survives_a_round_trip_field_by_field(Message message)
    {
        AssertSameMessage(message, Decoded(WireCodec.Encode(message, ClusterId), recipient: message.To));
    }

    [Test]
    public void The_envelope_carries_version_cluster_and_sender_before_the_body()
    {
        var frame = WireCodec.Encode(new RequestVote(N2, N1, 3, 9, 0, 0), ClusterId);

        var envelope = MessagePackSerializer.Deserialize<object[]>(frame);

        Assert.That(envelope, Has.Length.EqualTo(4));
        Assert.That(Convert.ToInt32(envelope[0]), Is.EqualTo(WireCodec.ProtocolVersion));
        Assert.That(envelope[1], Is.EqualTo(ClusterId));
        Assert.That(Convert.ToInt32(envelope[2]), Is.EqualTo(2));
        var union = (object[])envelope[3];
        Assert.That(Convert.ToInt32(union[0]), Is.EqualTo(0), "RequestVote's union tag");
        Assert.That(((object[])union[1]).Select(Convert.ToInt64), Is.EqualTo(new long[] { 2, 1, 3, 9, 0, 0, 0 }));
    }

    [Test]
    public void The_examples_in_the_wire_format_document_are_what_the_encoder_writes()
    {
        // docs/wire-format.md, "Example" sections: keep them in step with the code.
        var requestVote = WireCodec.Encode(new RequestVote(N2, N1, 3, 9, 0, 0), "test-cluster");
        var put = WireCodec.EncodeClientRequest(new ClientRequest(1, new KvCommand(7, 1, KvOperation.Put, "k", "v")), "test-cluster");

        Assert.That(Convert.ToHexString(requestVote), Is.EqualTo("9401AC746573742D636C7573746572029200970201030900" + "00C2"));
        Assert.That(Convert.ToHexString(put), Is.EqualTo("9301AC746573742D636C757374657292109701070101A16BA176C0"));
    }

    [Test]
    public void Fields_added_after_the_known_ones_are_ignored_so_a_later_minor_format_can_extend_records()
    {
        var extended = Serialize(new object[]
        {
            WireCodec.ProtocolVersion, ClusterId, 2, new object[] { 1, new object[] { 2, 1, 3, 9, 4, true, "a later field" } }, "another",
        });

        var decoded = Decoded(extended);

        Assert.That(decoded, Is.EqualTo(new RequestVoteResponse(N2, N1, 3, 9, 4, true)));
    }

    [Test]
    public void A_frame_from_another_cluster_is_dropped_as_WrongCluster()
    {
        var frame = WireCodec.Encode(new RequestVote(N1, N2, 1, 1, 0, 0), "other-cluster");

        Assert.That(DropReasonOf(frame), Is.EqualTo(DropReason.WrongCluster));
    }

    [Test]
    public void A_frame_of_another_protocol_version_is_dropped_as_WrongVersion_even_when_its_body_is_unreadable()
    {
        var sameShape = Serialize(new Envelope
        {
            Version = WireCodec.ProtocolVersion + 1, ClusterId = ClusterId, Sender = 1,
            Body = new RequestVoteBody { From = 1, To = 2, Term = 1 },
        });
        var otherShape = Serialize(new object[] { WireCodec.ProtocolVersion + 1, "anything", new byte[] { 1, 2, 3 } });

        Assert.That(DropReasonOf(sameShape), Is.EqualTo(DropReason.WrongVersion));
        Assert.That(DropReasonOf(otherShape), Is.EqualTo(DropReason.WrongVersion));
    }

    [Test]
    public void A_frame_from_a_node_outside_the_cluster_is_dropped_as_UnknownSender()
    {
        var frame = WireCodec.Encode(new RequestVote(new NodeId(4), N1, 1, 1, 0, 0), ClusterId);

        Assert.That(DropReasonOf(frame), Is.EqualTo(DropReason.UnknownSender));
    }

    [Test]
    public void A_frame_whose_envelope_sender_is_not_the_message_sender_is_dropped_as_SenderMismatch()
    {
        var frame = Serialize(new Envelope
        {
            Version = WireCodec.ProtocolVersion, ClusterId = ClusterId, Sender = 3,
            Body = new RequestVoteResponseBody { From = 2, To = 1, Term = 1, Id = 1, InReplyTo = 1, VoteGranted = true },
        });

        Assert.That(DropReasonOf(frame), Is.EqualTo(DropReason.SenderMismatch));
    }

    [Test]
    public void A_message_to_a_non_member_or_to_its_own_sender_is_dropped_as_WrongRecipient()
    {
        Assert.That(DropReasonOf(WireCodec.Encode(new RequestVote(N1, new NodeId(7), 1, 1, 0, 0), ClusterId)), Is.EqualTo(DropReason.WrongRecipient));
        Assert.That(DropReasonOf(WireCodec.Encode(new RequestVote(N1, N1, 1, 1, 0, 0), ClusterId)), Is.EqualTo(DropReason.WrongRecipient));
    }

    [Test]
    public void A_message_for_another_member_is_dropped_as_WrongRecipient_when_the_recipient_is_given()
    {
        var frame = WireCodec.Encode(new RequestVote(N1, N2, 1, 1, 0, 0), ClusterId);

        var accepted = WireCodec.TryDecode(frame, ClusterId, Members, recipient: N3, out _, out var reason);

        Assert.That(accepted, Is.False);
        Assert.That(reason, Is.EqualTo(DropReason.WrongRecipient));
    }

    private static IEnumerable<TestCaseData> InvalidMessages()
    {
        TestCaseData Case(string name, Message message) => new TestCaseData(message).SetArgDisplayNames(name);
        var command = new byte[] { 1, 2, 3 };
        yield return Case("negative term", new RequestVote(N1, N2, -1, 1, 0, 0));
        yield return Case("negative id", new RequestVoteResponse(N2, N1, 1, -5, 1, true));
        yield return Case("negative in-reply-to", new RequestVoteResponse(N2, N1, 1, 5, -1, true));
        yield return Case("last log term above term", new RequestVote(N1, N2, 3, 1, 10, 4));
        yield return Case("empty log with a term", new RequestVote(N1, N2, 3, 1, 0, 2));
        yield return Case("negative last log index", new RequestVote(N1, N2, 3, 1, -1, 0));
        yield return Case("pre-vote last log term not below the term asked about", new PreVote(N1, N2, 3, 1, 10, 3));
        yield return Case("pre-vote for term zero", new PreVote(N1, N2, 0, 1, 0, 0));
        yield return Case("pre-vote empty log with a term", new PreVote(N1, N2, 3, 1, 0, 1));
        yield return Case("pre-vote response negative in-reply-to", new PreVoteResponse(N2, N1, 1, 5, -1, true));
        yield return Case("timeout-now in term zero", new TimeoutNow(N1, N2, 0, 1));
        yield return Case("snapshot of index zero", new InstallSnapshot(N1, N2, 3, 1, 0, 0, 0, Raft.Core.Membership.Configuration.Empty, 0, [], true));
        yield return Case("snapshot term above message term", new InstallSnapshot(N1, N2, 3, 1, 10, 4, 0, Raft.Core.Membership.Configuration.Empty, 0, [], true));
        yield return Case("snapshot negative offset", new InstallSnapshot(N1, N2, 3, 1, 10, 2, 0, Raft.Core.Membership.Configuration.Empty, -1, [], false));
        yield return Case("snapshot response negative next offset", new InstallSnapshotResponse(N2, N1, 3, 1, 1, 10, -1, false));
        yield return Case("negative prev log index", new AppendEntries(N1, N2, 3, 1, -1, 0, [], 0));
        yield return Case("prev log term above term", new AppendEntries(N1, N2, 3, 1, 5, 4, [], 0));
        yield return Case("negative leader commit", new AppendEntries(N1, N2, 3, 1, 5, 2, [], -1));
        yield return Case("entries with a gap", new AppendEntries(N1, N2, 3, 1, 5, 2,
            [new LogEntry(6, 3, EntryKind.Command, command), new LogEntry(8, 3, EntryKind.Command, command)], 0));
        yield return Case("entries not starting after prev", new AppendEntries(N1, N2, 3, 1, 5, 2,
            [new LogEntry(5, 3, EntryKind.Command, command)], 0));
        yield return Case("entry term above message term", new AppendEntries(N1, N2, 3, 1, 5, 2,
            [new LogEntry(6, 4, EntryKind.Command, command)], 0));
        yield return Case("entry terms decreasing", new AppendEntries(N1, N2, 3, 1, 5, 1,
            [new LogEntry(6, 3, EntryKind.Command, command), new LogEntry(7, 2, EntryKind.Command, command)], 0));
        yield return Case("entry term below prev log term", new AppendEntries(N1, N2, 3, 1, 5, 3,
            [new LogEntry(6, 2, EntryKind.Command, command)], 0));
        yield return Case("no-op with a command", new AppendEntries(N1, N2, 3, 1, 5, 2,
            [new LogEntry(6, 3, EntryKind.NoOp, command)], 0));
        yield return Case("hint term above term", new AppendEntriesResponse(N2, N1, 3, 1, 1, false, 5, 2, 4));
        yield return Case("negative match index", new AppendEntriesResponse(N2, N1, 3, 1, 1, true, -2, 0, 0));
    }

    [TestCaseSource(nameof(InvalidMessages))]
    public void A_message_that_breaks_an_invariant_is_dropped_as_Invalid(Message message)
    {
        Assert.That(DropReasonOf(WireCodec.Encode(message, ClusterId)), Is.EqualTo(DropReason.Invalid));
    }

    [Test]
    public void An_entry_of_an_unknown_kind_is_dropped_as_Malformed_even_when_the_kind_wraps_to_a_known_byte()
    {
        Envelope WithKind(int kind) => new()
        {
            Version = WireCodec.ProtocolVersion, ClusterId = ClusterId, Sender = 1,
            Body = new AppendEntriesBody
            {
                From = 1, To = 2, Term = 2, Id = 1, PrevLogIndex = 0, PrevLogTerm = 0, LeaderCommit = 0,
                Entries = [new LogEntryFrame { Index = 1, Term = 1, Kind = kind, Command = [] }],
            },
        };

        Assert.That(DropReasonOf(Serialize(WithKind(3))), Is.EqualTo(DropReason.Malformed));
        Assert.That(DropReasonOf(Serialize(WithKind(257))), Is.EqualTo(DropReason.Malformed));
        Assert.That(DropReasonOf(Serialize(WithKind(258))), Is.EqualTo(DropReason.Malformed), "258 wraps to 2, a configuration");
        Assert.That(Decoded(Serialize(WithKind(1))), Is.InstanceOf<AppendEntries>(), "kind 1 (no-op) is accepted");
    }

    [Test]
    public void A_frame_over_the_size_limit_is_dropped_as_TooLarge_before_it_is_read()
    {
        var valid = WireCodec.Encode(new RequestVote(N1, N2, 1, 1, 0, 0), ClusterId);
        var oversize = new byte[WireCodec.MaxFrameBytes + 1];
        valid.CopyTo(oversize, 0);

        Assert.That(DropReasonOf(oversize), Is.EqualTo(DropReason.TooLarge));
    }

    [Test]
    public void A_large_append_just_under_the_size_limit_is_accepted()
    {
        var command = new byte[WireCodec.MaxFrameBytes - 1024];
        var message = new AppendEntries(N1, N2, 2, 1, 0, 0, [new LogEntry(1, 2, EntryKind.Command, command)], 0);
        var frame = WireCodec.Encode(message, ClusterId);

        Assert.That(frame, Has.Length.LessThanOrEqualTo(WireCodec.MaxFrameBytes));
        AssertSameMessage(message, Decoded(frame));
    }

    [Test]
    public void Empty_truncated_trailing_and_unknown_tag_frames_are_dropped_as_Malformed()
    {
        var valid = WireCodec.Encode(OneOfEachKind().OfType<AppendEntries>().Last(), ClusterId);
        var unknownTag = Serialize(new object[] { WireCodec.ProtocolVersion, ClusterId, 1, new object[] { 9, new object[] { 1, 2, 1, 1, 0, 0 } } });

        Assert.That(DropReasonOf(Array.Empty<byte>()), Is.EqualTo(DropReason.Malformed));
        Assert.That(DropReasonOf(valid.AsMemory(0, valid.Length - 1)), Is.EqualTo(DropReason.Malformed));
        Assert.That(DropReasonOf(valid.Append((byte)0xc0).ToArray()), Is.EqualTo(DropReason.Malformed));
        Assert.That(DropReasonOf(unknownTag), Is.EqualTo(DropReason.Malformed));
    }

    [Test]
    public void A_client_frame_sent_to_the_server_endpoint_is_dropped_and_a_server_frame_is_not_a_client_request()
    {
        var clientFrame = WireCodec.EncodeClientRequest(new ClientRequest(1, new KvCommand(1, 1, KvOperation.Get, "k")), ClusterId);
        var serverFrame = WireCodec.Encode(new RequestVote(N1, N2, 1, 1, 0, 0), ClusterId);

        Assert.That(DropReasonOf(clientFrame), Is.EqualTo(DropReason.Malformed));
        Assert.That(WireCodec.TryDecodeClientRequest(serverFrame, ClusterId, out _, out var reason), Is.False);
        Assert.That(reason, Is.EqualTo(DropReason.Malformed));
    }

    private static IEnumerable<TestCaseData> ClientRequests() =>
    [
        new(new ClientRequest(1, new KvCommand(7, 1, KvOperation.Get, "key"))),
        new(new ClientRequest(2, new KvCommand(7, 2, KvOperation.Put, "key", "välue 😀"))),
        new(new ClientRequest(3, new KvCommand(7, 3, KvOperation.Append, "", ""))),
        new(new ClientRequest(4, new KvCommand(7, 4, KvOperation.CompareAndSet, "key", "new", null))),
        new(new ClientRequest(long.MaxValue, new KvCommand(long.MaxValue, long.MaxValue, KvOperation.CompareAndSet, "key", "new", "old"))),
    ];

    [TestCaseSource(nameof(ClientRequests))]
    public void A_client_request_survives_a_round_trip(ClientRequest request)
    {
        var frame = WireCodec.EncodeClientRequest(request, ClusterId);

        Assert.That(WireCodec.TryDecodeClientRequest(frame, ClusterId, out var decoded, out var reason), Is.True, reason.ToString());
        Assert.That(decoded, Is.EqualTo(request));
    }

    private static IEnumerable<TestCaseData> ClientResponses() =>
    [
        new(new ClientResponse(1, ClientStatus.Ok, new KvResult(true, "value"), N1)),
        new(new ClientResponse(2, ClientStatus.Ok, new KvResult(false, null), null)),
        new(new ClientResponse(3, ClientStatus.NotLeader, null, N3)),
        new(new ClientResponse(4, ClientStatus.NotLeader, null, null)),
        new(new ClientResponse(5, ClientStatus.Timeout, null, N2)),
        new(new ClientResponse(6, ClientStatus.Busy, null, null)),
        new(new ClientResponse(7, ClientStatus.Rejected, null, null)),
    ];

    [TestCaseSource(nameof(ClientResponses))]
    public void A_client_response_survives_a_round_trip(ClientResponse response)
    {
        var frame = WireCodec.EncodeClientResponse(response, ClusterId);

        Assert.That(WireCodec.TryDecodeClientResponse(frame, ClusterId, out var decoded, out var reason), Is.True, reason.ToString());
        Assert.That(decoded, Is.EqualTo(response));
    }

    [Test]
    public void Client_frames_of_another_cluster_or_version_or_breaking_the_protocol_are_dropped_with_their_reason()
    {
        DropReason RequestReason(byte[] frame)
        {
            Assert.That(WireCodec.TryDecodeClientRequest(frame, ClusterId, out var request, out var reason), Is.False);
            Assert.That(request, Is.Null);
            return reason;
        }
        byte[] Request(ClientRequestFrame body, int version = WireCodec.ProtocolVersion) =>
            Serialize(new ClientEnvelope { Version = version, ClusterId = ClusterId, Body = body });

        var get = new ClientRequest(1, new KvCommand(1, 1, KvOperation.Get, "k"));
        Assert.That(RequestReason(WireCodec.EncodeClientRequest(get, "other")), Is.EqualTo(DropReason.WrongCluster));
        Assert.That(RequestReason(Request(new ClientRequestFrame { Key = "k" }, version: 0)), Is.EqualTo(DropReason.WrongVersion));
        Assert.That(RequestReason(Request(new ClientRequestFrame { Operation = 4, Key = "k" })), Is.EqualTo(DropReason.Invalid), "unknown operation");
        Assert.That(RequestReason(Request(new ClientRequestFrame { Operation = 1, Key = "k" })), Is.EqualTo(DropReason.Invalid), "put without a value");
        Assert.That(RequestReason(Request(new ClientRequestFrame { Operation = 0, Key = null })), Is.EqualTo(DropReason.Invalid), "no key");
        Assert.That(RequestReason(new byte[WireCodec.MaxClientFrameBytes + 1]), Is.EqualTo(DropReason.TooLarge));

        var unknownStatus = Serialize(new ClientEnvelope { Version = WireCodec.ProtocolVersion, ClusterId = ClusterId, Body = new ClientResponseFrame { Status = 99 } });
        Assert.That(WireCodec.TryDecodeClientResponse(unknownStatus, ClusterId, out _, out var responseReason), Is.False);
        Assert.That(responseReason, Is.EqualTo(DropReason.Invalid));
    }

    [Test]
    public void The_drop_counter_counts_every_drop_from_many_threads_and_ignores_None()
    {
        var counter = new DropCounter();

        Parallel.For(0, 80_000, i => counter.Count(i % 2 == 0 ? DropReason.Malformed : (i % 4 == 1 ? DropReason.WrongCluster : DropReason.None)));

        Assert.That(counter[DropReason.Malformed], Is.EqualTo(40_000));
        Assert.That(counter[DropReason.WrongCluster], Is.EqualTo(20_000));
        Assert.That(counter[DropReason.None], Is.Zero);
        Assert.That(counter.Total, Is.EqualTo(60_000));
        Assert.That(counter.Snapshot().Keys, Is.EquivalentTo(new[] { DropReason.Malformed, DropReason.WrongCluster }));
    }
}
