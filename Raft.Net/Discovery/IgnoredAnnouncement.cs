namespace Raft.Net.Discovery;

/// <summary>Why a server did not listen to an announcement. Each is counted and logged, never thrown.</summary>
public enum IgnoredAnnouncement
{
    /// <summary>The bytes are not an announcement (bad MessagePack, missing or oversized fields, an address that is not tcp://...).</summary>
    Malformed = 0,

    /// <summary>Another version of the discovery protocol.</summary>
    WrongVersion = 1,

    /// <summary>A server of another group: another cluster that happens to share the network or a contact.</summary>
    OtherGroup = 2,

    /// <summary>Same group, another cluster id: its Raft frames would be dropped anyway, so it is not added.</summary>
    OtherCluster = 3,

    /// <summary>Another server claims this server's id at another address: two servers were given the same --id.</summary>
    SameId = 4,
}
