namespace Raft.Core.StateMachine;

/// <summary>
/// A state machine that is a key-value store: what the simulator's clients talk to. Commands are
/// <see cref="KvCommand"/>s and answers <see cref="KvResult"/>s; <see cref="Values"/> is what a
/// ReadIndex read (thesis §6.4) looks up once the store has applied up to the read index, and what
/// the checks compare between servers. <see cref="KvStateMachine"/> is the reference store; lab 5
/// has students write their own (labs/StudentNode/StudentKvStore.cs).
/// </summary>
public interface IKeyValueStore : IStateMachine
{
    /// <summary>The keys and their values, after every entry applied so far.</summary>
    IReadOnlyDictionary<string, string> Values { get; }
}
