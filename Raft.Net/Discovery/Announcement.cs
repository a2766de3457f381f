namespace Raft.Net.Discovery;

/// <summary>
/// What a server says about itself every announce interval: who it is (<see cref="Sender"/>), which
/// cluster it belongs to (<see cref="Group"/> and <see cref="ClusterId"/>: both must match for a
/// receiver to listen), and the peers it has heard from lately (<see cref="Peers"/>), so that a
/// server that knows only one contact learns the whole cluster from it (gossip).
/// </summary>
public sealed record Announcement(string Group, string ClusterId, PeerAddress Sender, IReadOnlyList<PeerAddress> Peers)
{
    public override string ToString() => $"{Sender} group={Group} cluster={ClusterId} peers={string.Join(",", Peers.Select(p => p.Id))}";
}
