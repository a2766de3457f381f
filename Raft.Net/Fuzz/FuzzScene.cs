using Raft.Core;

namespace Raft.Net.Fuzz;

/// <summary>
/// The cluster as the fuzzer sees it when a burst starts, read from the target's metrics: its role,
/// term, last log index and commit index, and who leads. It may lag behind the node (terms and
/// indices only grow), which is why <see cref="ProtocolFrameGenerator"/> keeps clear of the values a
/// lag could turn into a forgery.
/// </summary>
/// <param name="Target">The node the frames are addressed to.</param>
/// <param name="Role">The target's role.</param>
/// <param name="Members">Every member of the cluster, the target included.</param>
/// <param name="Term">The target's current term.</param>
/// <param name="LastIndex">The target's last log index.</param>
/// <param name="CommitIndex">The target's commit index: everything up to it is committed cluster-wide.</param>
public sealed record FuzzScene(NodeId Target, Role Role, IReadOnlyList<NodeId> Members, long Term, long LastIndex, long CommitIndex);
