using MessagePack;
using Raft.Core;
using Raft.Core.Messages;
using Raft.Net.Wire.Frames;

namespace Raft.Net.Wire;

/// <summary>
/// Encodes the core's messages and the client protocol as MessagePack frames, and decodes frames
/// from the network. Decoding never throws: a frame that is malformed, from another version,
/// cluster or sender, or that breaks a message invariant, is refused with a <see cref="DropReason"/>
/// so that the core only ever sees valid messages from members. The format is in docs/wire-format.md.
/// </summary>
public static class WireCodec
{
    /// <summary>The protocol version written in every envelope; frames of another version are dropped.</summary>
    public const int ProtocolVersion = 1;

    /// <summary>Largest server-to-server frame accepted (16 MiB). Bounds what one frame can make the decoder allocate.</summary>
    public const int MaxFrameBytes = 16 * 1024 * 1024;

    /// <summary>Largest client frame accepted (1 MiB): well below <see cref="MaxFrameBytes"/>, so a command a client
    /// could send always fits in an AppendEntries.</summary>
    public const int MaxClientFrameBytes = 1024 * 1024;

    // UntrustedData: collision-resistant hashing and a depth limit against hostile input.
    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// Encodes <paramref name="message"/> in an envelope for <paramref name="clusterId"/>, with the
    /// message's sender as the envelope's sender. Invariants are not checked here: a receiver drops
    /// an invalid message as <see cref="DropReason.Invalid"/>.
    /// </summary>
    public static byte[] Encode(Message message, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(clusterId);
        var envelope = new Envelope
        {
            Version = ProtocolVersion, ClusterId = clusterId, Sender = message.From.Value, Body = MessageFrames.ToBody(message),
        };
        return MessagePackSerializer.Serialize(envelope, Options);
    }

    /// <summary>
    /// Decodes a server-to-server frame. True with a valid message from a member of
    /// <paramref name="members"/>, addressed to another member; otherwise false with the reason.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> frame, string clusterId, IReadOnlyCollection<NodeId> members,
        out Message? message, out DropReason reason) =>
        TryDecode(frame, clusterId, members, recipient: null, out message, out reason);

    /// <summary>
    /// As <see cref="TryDecode(ReadOnlyMemory{byte}, string, IReadOnlyCollection{NodeId}, out Message?, out DropReason)"/>,
    /// and when <paramref name="recipient"/> is given, the message must be addressed to it.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> frame, string clusterId, IReadOnlyCollection<NodeId> members,
        NodeId? recipient, out Message? message, out DropReason reason)
    {
        ArgumentNullException.ThrowIfNull(members);
        return TryDecode(frame, clusterId, members.Contains, recipient, out message, out reason);
    }

    /// <summary>
    /// As <see cref="TryDecode(ReadOnlyMemory{byte}, string, IReadOnlyCollection{NodeId}, NodeId?, out Message?, out DropReason)"/>,
    /// with the servers frames may come from or go to given as a test: for an address book that
    /// grows while the node runs (discovery), or for a replay that accepts what the live node accepted.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> frame, string clusterId, Func<NodeId, bool> isServer,
        NodeId? recipient, out Message? message, out DropReason reason)
    {
        message = null;
        reason = Check(frame, MaxFrameBytes, clusterId, out Envelope? envelope);
        if (reason != DropReason.None) return false;
        reason = Admit(envelope!, isServer, recipient, out message);
        return reason == DropReason.None;
    }

    /// <summary>Encodes a client request for <paramref name="clusterId"/>.</summary>
    public static byte[] EncodeClientRequest(ClientRequest request, string clusterId) =>
        EncodeClient(ClientFrames.ToFrame(request), clusterId);

    /// <summary>Encodes a node's answer to a client for <paramref name="clusterId"/>.</summary>
    public static byte[] EncodeClientResponse(ClientResponse response, string clusterId) =>
        EncodeClient(ClientFrames.ToFrame(response), clusterId);

    /// <summary>Decodes a client request; never throws.</summary>
    public static bool TryDecodeClientRequest(ReadOnlyMemory<byte> frame, string clusterId,
        out ClientRequest? request, out DropReason reason) =>
        TryDecodeClientRequest(frame, clusterId, out request, out reason, out _);

    /// <summary>
    /// Decodes a client request; never throws. A request that is a well-formed envelope of this
    /// version and cluster but breaks a rule of the client protocol (<see cref="DropReason.Invalid"/>)
    /// still names the request it was: <paramref name="invalidRequestId"/> is its request id, so the
    /// node can answer <see cref="ClientStatus.Rejected"/> (-1 when there is nothing to answer).
    /// </summary>
    public static bool TryDecodeClientRequest(ReadOnlyMemory<byte> frame, string clusterId,
        out ClientRequest? request, out DropReason reason, out long invalidRequestId)
    {
        request = null;
        invalidRequestId = -1;
        reason = Check(frame, MaxClientFrameBytes, clusterId, out ClientEnvelope? envelope);
        if (reason != DropReason.None) return false;
        if (envelope!.Body is not ClientRequestFrame body) return Refuse(DropReason.Malformed, out reason);
        request = ClientFrames.ToRequest(body);
        if (request is null && body.RequestId >= 0) invalidRequestId = body.RequestId;
        return request is not null || Refuse(DropReason.Invalid, out reason);
    }

    /// <summary>Decodes a node's answer to a client; never throws.</summary>
    public static bool TryDecodeClientResponse(ReadOnlyMemory<byte> frame, string clusterId,
        out ClientResponse? response, out DropReason reason)
    {
        response = null;
        reason = Check(frame, MaxClientFrameBytes, clusterId, out ClientEnvelope? envelope);
        if (reason != DropReason.None) return false;
        if (envelope!.Body is not ClientResponseFrame body) return Refuse(DropReason.Malformed, out reason);
        response = ClientFrames.ToResponse(body);
        return response is not null || Refuse(DropReason.Invalid, out reason);
    }

    private static byte[] EncodeClient(ClientBody body, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(clusterId);
        var envelope = new ClientEnvelope { Version = ProtocolVersion, ClusterId = clusterId, Body = body };
        return MessagePackSerializer.Serialize(envelope, Options);
    }

    /// <summary>
    /// The checks common to both kinds of envelope, in order: size, version, well-formedness, cluster.
    /// The version is read before the rest, so a frame of another version is reported as such even
    /// when its body would not decode in this one.
    /// </summary>
    private static DropReason Check<TEnvelope>(ReadOnlyMemory<byte> frame, int maxBytes, string clusterId, out TEnvelope? envelope)
        where TEnvelope : class, IEnvelopeHeader
    {
        envelope = null;
        if (frame.Length > maxBytes) return DropReason.TooLarge;
        try
        {
            if (ReadVersion(frame) != ProtocolVersion) return DropReason.WrongVersion;
            envelope = MessagePackSerializer.Deserialize<TEnvelope>(frame, Options, out var bytesRead);
            if (envelope is null || bytesRead != frame.Length) return DropReason.Malformed;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            return DropReason.Malformed;
        }
        if (envelope.ClusterId is null) return DropReason.Malformed;
        return envelope.ClusterId == clusterId ? DropReason.None : DropReason.WrongCluster;
    }

    private static int ReadVersion(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        if (reader.ReadArrayHeader() < 1) throw new MessagePackSerializationException("envelope without a version");
        return reader.ReadInt32();
    }

    /// <summary>Who may send what to whom, then the message's own invariants.</summary>
    private static DropReason Admit(Envelope envelope, Func<NodeId, bool> isServer, NodeId? recipient, out Message? message)
    {
        message = envelope.Body is null ? null : MessageFrames.ToMessage(envelope.Body);
        if (message is null) return DropReason.Malformed;
        var sender = new NodeId(envelope.Sender);
        DropReason reason;
        if (!isServer(sender)) reason = DropReason.UnknownSender;
        else if (message.From != sender) reason = DropReason.SenderMismatch;
        else if (!isServer(message.To) || message.To == message.From || (recipient is { } self && message.To != self))
            reason = DropReason.WrongRecipient;
        else if (!MessageInvariants.Hold(message)) reason = DropReason.Invalid;
        else return DropReason.None;
        message = null;
        return reason;
    }

    private static bool Refuse(DropReason why, out DropReason reason)
    {
        reason = why;
        return false;
    }
}
