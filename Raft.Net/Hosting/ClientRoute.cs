namespace Raft.Net.Hosting;

/// <summary>
/// Where a client's answer goes: the ROUTER identity of its connection, and whether it came from a
/// REQ socket, whose answers must carry the empty delimiter frame it sent.
/// </summary>
internal sealed record ClientRoute(byte[] Identity, bool Delimited);
