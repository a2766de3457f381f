using Raft.Core.Inputs;

namespace Raft.Net.Parity;

/// <summary>One input as the node received it, at a wall-clock time (microseconds since the Unix epoch), with the digest of what the core did.</summary>
public sealed record RecordedInput(long TimeMicros, Input Input, ulong EffectsDigest);
