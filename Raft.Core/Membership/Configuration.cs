using System.Buffers.Binary;

namespace Raft.Core.Membership;

/// <summary>
/// A cluster configuration (thesis §4): the voters, whose majorities elect leaders and commit
/// entries, and the learners, which receive the log but neither vote nor count towards any
/// majority. Some learners are <see cref="Joining"/>: they were asked to become voters and are
/// catching up first (§4.2.1). A configuration travels in the log as an entry of kind
/// <see cref="Log.EntryKind.Configuration"/> and in snapshots; each server uses the latest one in
/// its log, committed or not (§4.1). Invariant: voters and learners are sorted, without
/// duplicates, and disjoint; the joining learners are among the learners.
/// </summary>
public sealed class Configuration : IEquatable<Configuration>
{
    /// <summary>Upper bound on members, so that a decoded configuration is always small.</summary>
    public const int MaxMembers = 64;

    public Configuration(IEnumerable<NodeId> voters, IEnumerable<NodeId>? learners = null, IEnumerable<NodeId>? joining = null)
    {
        Voters = voters.Distinct().Order().ToArray();
        Learners = (learners ?? []).Distinct().Order().ToArray();
        Joining = (joining ?? []).Distinct().Order().ToArray();
        if (Voters.Intersect(Learners).Any())
            throw new ArgumentException($"{string.Join(",", Voters.Intersect(Learners))} cannot be both voter and learner", nameof(learners));
        if (Joining.Except(Learners).Any())
            throw new ArgumentException($"{string.Join(",", Joining.Except(Learners))} cannot join as a voter without being a learner first", nameof(joining));
        if (Voters.Count + Learners.Count > MaxMembers)
            throw new ArgumentException($"more than {MaxMembers} members", nameof(voters));
    }

    /// <summary>No members: a server that is waiting to be added to a cluster.</summary>
    public static Configuration Empty { get; } = new([]);

    public IReadOnlyList<NodeId> Voters { get; }

    public IReadOnlyList<NodeId> Learners { get; }

    /// <summary>
    /// Learners that were asked to become voters (thesis §4.2.1). Whichever leader is in office
    /// promotes each one once it has caught up; because the intent is in the configuration, it
    /// survives a change of leader.
    /// </summary>
    public IReadOnlyList<NodeId> Joining { get; }

    /// <summary>Voters and learners, in ascending order.</summary>
    public IEnumerable<NodeId> Members => Voters.Concat(Learners).Order();

    public bool IsVoter(NodeId id) => Voters.Contains(id);

    public bool IsLearner(NodeId id) => Learners.Contains(id);

    public bool IsMember(NodeId id) => IsVoter(id) || IsLearner(id);

    public bool IsJoining(NodeId id) => Joining.Contains(id);

    /// <summary>Whether the voters in <paramref name="agrees"/> form a majority of the voters.</summary>
    public bool HasQuorum(Func<NodeId, bool> agrees) =>
        Voters.Count > 0 && Node.Quorum.IsMajority(Voters.Count(agrees), Voters.Count);

    /// <summary>With <paramref name="id"/> as a learner that stays one.</summary>
    public Configuration WithLearner(NodeId id) =>
        new(Voters.Where(v => v != id), Learners.Append(id), Joining.Where(j => j != id));

    /// <summary>With <paramref name="id"/> as a learner that is to become a voter once it has caught up (§4.2.1).</summary>
    public Configuration WithJoiningLearner(NodeId id) =>
        new(Voters.Where(v => v != id), Learners.Append(id), Joining.Append(id));

    public Configuration WithVoter(NodeId id) =>
        new(Voters.Append(id), Learners.Where(l => l != id), Joining.Where(j => j != id));

    public Configuration Without(NodeId id) =>
        new(Voters.Where(v => v != id), Learners.Where(l => l != id), Joining.Where(j => j != id));

    // voter count u8 | learner count u8 | each id i32 little-endian, voters then learners
    // [| joining count u8 | each joining learner's id i32]: only when some learner is joining, so
    // that a configuration without one encodes as it always has.
    public byte[] Encode()
    {
        var trailer = Joining.Count == 0 ? 0 : 1 + 4 * Joining.Count;
        var bytes = new byte[2 + 4 * (Voters.Count + Learners.Count) + trailer];
        bytes[0] = (byte)Voters.Count;
        bytes[1] = (byte)Learners.Count;
        var offset = 2;
        foreach (var id in Voters.Concat(Learners))
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), id.Value);
            offset += 4;
        }
        if (Joining.Count == 0) return bytes;
        bytes[offset++] = (byte)Joining.Count;
        foreach (var id in Joining)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), id.Value);
            offset += 4;
        }
        return bytes;
    }

    /// <summary>Decodes <see cref="Encode"/>'s form; false for anything else (never throws).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out Configuration configuration)
    {
        configuration = Empty;
        if (bytes.Length < 2) return false;
        int voters = bytes[0], learners = bytes[1];
        var membersEnd = 2 + 4 * (voters + learners);
        if (voters + learners > MaxMembers || bytes.Length < membersEnd) return false;
        var joining = bytes.Length == membersEnd ? 0 : bytes[membersEnd];
        if (bytes.Length > membersEnd && (joining == 0 || joining > learners || bytes.Length != membersEnd + 1 + 4 * joining)) return false;
        if (ReadIds(bytes[2..membersEnd]) is not { } ids) return false;
        if ((joining == 0 ? [] : ReadIds(bytes[(membersEnd + 1)..])) is not { } joiningIds) return false;
        // One encoding per configuration: each list ascending, no server twice.
        if (!IsAscending(ids.AsSpan(0, voters)) || !IsAscending(ids.AsSpan(voters)) || !IsAscending(joiningIds) || ids.Distinct().Count() != ids.Length) return false;
        if (joiningIds.Except(ids[voters..]).Any()) return false;
        configuration = new Configuration(ids[..voters], ids[voters..], joiningIds);
        return true;
    }

    /// <summary>Ids as i32 little-endian, each positive; null otherwise.</summary>
    private static NodeId[]? ReadIds(ReadOnlySpan<byte> bytes)
    {
        var ids = new NodeId[bytes.Length / 4];
        for (var i = 0; i < ids.Length; i++)
        {
            var value = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
            if (value <= 0) return null;
            ids[i] = new NodeId(value);
        }
        return ids;
    }

    private static bool IsAscending(ReadOnlySpan<NodeId> ids)
    {
        for (var i = 1; i < ids.Length; i++)
            if (ids[i - 1] >= ids[i]) return false;
        return true;
    }

    public bool Equals(Configuration? other) =>
        other is not null && Voters.SequenceEqual(other.Voters) && Learners.SequenceEqual(other.Learners) && Joining.SequenceEqual(other.Joining);

    public override bool Equals(object? obj) => Equals(obj as Configuration);

    public override int GetHashCode() => HashCode.Combine(Voters.Count, Learners.Count, Voters.Count > 0 ? Voters[0] : default);

    /// <summary><c>voters=n1,n2,n3 learners=n4(joining),n5</c> (learners omitted when none).</summary>
    public override string ToString() =>
        $"voters={(Voters.Count == 0 ? "none" : string.Join(",", Voters))}{(Learners.Count == 0 ? "" : $" learners={string.Join(",", Learners.Select(l => IsJoining(l) ? $"{l}(joining)" : l.ToString()))}")}";
}
