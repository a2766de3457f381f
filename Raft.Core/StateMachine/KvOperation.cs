namespace Raft.Core.StateMachine;

/// <summary>Operations of the key-value store.</summary>
public enum KvOperation : byte
{
    /// <summary>Read the value of a key (through the log, so it is linearizable).</summary>
    Get = 0,

    /// <summary>Set a key's value.</summary>
    Put = 1,

    /// <summary>Append to a key's value (an absent key counts as empty).</summary>
    Append = 2,

    /// <summary>Set the value only if the current value equals Expected (absent = null).</summary>
    CompareAndSet = 3,
}
