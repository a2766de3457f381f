using Raft.Core.Effects;
using Raft.Core.Messages;
using Raft.Core.Node;

namespace Raft.Tests.Support;

/// <summary>Reads the messages out of a step's effects.</summary>
public static class OutputExtensions
{
    /// <summary>The messages of type <typeparamref name="T"/> this step sends, in order.</summary>
    public static IReadOnlyList<T> Sent<T>(this Output output) where T : Message =>
        output.OfType<Send>().Select(s => s.Message).OfType<T>().ToList();

    /// <summary>The one message of type <typeparamref name="T"/> this step sends; fails otherwise.</summary>
    public static T SentOne<T>(this Output output) where T : Message
    {
        var sent = output.Sent<T>();
        Assert.That(sent, Has.Count.EqualTo(1), $"expected exactly one {typeof(T).Name}");
        return sent[0];
    }
}
