using Raft.Core;
using Raft.Core.Log;

namespace Raft.Net.Parity;

/// <summary>
/// The first line of an input log: everything needed to rebuild the core as it started.
/// <see cref="Members"/> are the initial voters the core was built with (empty for a server that
/// joins later); <see cref="AddressBook"/> is every server whose frames the node accepted, the
/// members when not given. With <see cref="OpenAddressBook"/> the address book grew while the node
/// ran (discovery): the recorded frames are those it accepted, from whichever server it had learned.
/// <see cref="DigestForm"/> says how each input's effects were digested (<see cref="StepDigest"/>).
/// </summary>
public sealed record InputLogHeader(
    NodeId Node, int Incarnation, IReadOnlyList<NodeId> Members, ulong RandomSeed, long FirstMessageId,
    RaftOptions Options, HardState HardState, IReadOnlyList<LogEntry> Entries, string ClusterId, Snapshot? Snapshot = null,
    IReadOnlyList<NodeId>? AddressBook = null, bool OpenAddressBook = false, EffectsDigestForm DigestForm = EffectsDigestForm.Binary)
{
    /// <summary>The servers recorded messages may come from or go to (at the start, when <see cref="OpenAddressBook"/>).</summary>
    public IReadOnlyList<NodeId> Servers => AddressBook ?? Members;

    /// <summary>Whether a recorded message may come from or go to <paramref name="server"/>.</summary>
    public bool IsServer(NodeId server) => OpenAddressBook || Servers.Contains(server);
}
