namespace Raft.Net.Chat;

/// <summary>What a record of the chat log says.</summary>
public enum ChatLineKind
{
    /// <summary>A line someone typed.</summary>
    Say,

    /// <summary>Someone's first line follows: they are here (what <c>/who</c> lists).</summary>
    Join,

    /// <summary>Someone quit with <c>/quit</c> (a participant that crashes never says so).</summary>
    Leave,

    /// <summary>A record no chat client wrote (any key-value client may write any key); shown raw.</summary>
    Unreadable,
}
