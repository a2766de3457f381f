namespace Raft.Net.Wire;

/// <summary>Why the wire codec refused a frame. A refused frame is dropped and counted, never passed to the core.</summary>
public enum DropReason
{
    /// <summary>Not dropped: the frame decoded into a valid message.</summary>
    None = 0,

    /// <summary>The bytes are not a well-formed envelope (bad MessagePack, missing fields, unknown union tag, trailing bytes).</summary>
    Malformed = 1,

    /// <summary>The envelope's protocol version is not <see cref="WireCodec.ProtocolVersion"/>.</summary>
    WrongVersion = 2,

    /// <summary>The envelope names another cluster.</summary>
    WrongCluster = 3,

    /// <summary>The envelope's sender is not a member of this cluster.</summary>
    UnknownSender = 4,

    /// <summary>The envelope's sender differs from the message's <c>From</c>.</summary>
    SenderMismatch = 5,

    /// <summary>The message is addressed to a node that is not a member, to its own sender, or to another node than this one.</summary>
    WrongRecipient = 6,

    /// <summary>The frame is longer than the limit for its kind.</summary>
    TooLarge = 7,

    /// <summary>The message decodes but breaks an invariant (negative term or index, entries not contiguous...).</summary>
    Invalid = 8,

    /// <summary>With Curve on: the frame's seal names a server whose public key is not in the address book (docs/security.md).</summary>
    UnknownKey = 9,

    /// <summary>With Curve on: the frame has no seal, a malformed one, or one whose MAC is wrong: it was not sent by the server it names (docs/security.md).</summary>
    BadSeal = 10,
}
