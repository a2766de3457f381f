using Raft.Core.StateMachine;

namespace Raft.Net.Wire;

/// <summary>
/// A key-value request from a client. <see cref="RequestId"/> is chosen by the client and echoed in
/// the <see cref="ClientResponse"/>; the command's (ClientId, Sequence) make retries apply once.
/// </summary>
public sealed record ClientRequest(long RequestId, KvCommand Command);
