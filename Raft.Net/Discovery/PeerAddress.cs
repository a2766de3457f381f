using Raft.Core;

namespace Raft.Net.Discovery;

/// <summary>Where a server can be reached: its server-to-server (Raft) address and its address for key-value clients.</summary>
public sealed record PeerAddress(NodeId Id, string RaftAddress, string ClientAddress)
{
    public override string ToString() => $"{Id} raft={RaftAddress} client={ClientAddress}";
}
