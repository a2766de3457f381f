namespace Raft.Core.Log;

/// <summary>What a log entry holds.</summary>
public enum EntryKind : byte
{
    /// <summary>A client command for the state machine.</summary>
    Command = 0,

    /// <summary>The empty entry a new leader appends so that it can commit in its own term (§5.4.2, §8).</summary>
    NoOp = 1,

    /// <summary>A cluster configuration (thesis §4), encoded by <see cref="Membership.Configuration.Encode"/>; in force as soon as it is in the log.</summary>
    Configuration = 2,
}
