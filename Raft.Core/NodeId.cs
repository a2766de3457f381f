namespace Raft.Core;

/// <summary>A server's identity: a small positive integer, printed as <c>n1</c>, <c>n2</c>...</summary>
public readonly record struct NodeId(int Value) : IComparable<NodeId>
{
    public int CompareTo(NodeId other) => Value.CompareTo(other.Value);

    public override string ToString() => $"n{Value}";

    /// <summary>Parses <c>n3</c> or <c>3</c>.</summary>
    public static bool TryParse(string text, out NodeId id)
    {
        var digits = text.StartsWith('n') ? text[1..] : text;
        if (int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            id = new NodeId(value);
            return true;
        }
        id = default;
        return false;
    }

    /// <summary>The ids n1..nCount.</summary>
    public static IReadOnlyList<NodeId> Range(int count) =>
        Enumerable.Range(1, count).Select(i => new NodeId(i)).ToArray();

    public static bool operator <(NodeId left, NodeId right) => left.CompareTo(right) < 0;
    public static bool operator >(NodeId left, NodeId right) => left.CompareTo(right) > 0;
    public static bool operator <=(NodeId left, NodeId right) => left.CompareTo(right) <= 0;
    public static bool operator >=(NodeId left, NodeId right) => left.CompareTo(right) >= 0;
}
