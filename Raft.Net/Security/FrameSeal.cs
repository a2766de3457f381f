using System.Security.Cryptography;
using System.Text;
using Raft.Core;
using Raft.Net.Wire;

namespace Raft.Net.Security;

/// <summary>
/// Proves who sent a server-to-server message, which CurveZMQ alone does not: a NetMQ Curve server
/// accepts any client key pair and does not tell the application which key a client used (NetMQ has
/// no ZAP handler). So every message also carries a seal naming its sender and a MAC that only that
/// sender and the receiver can compute:
/// <code>
/// seal = [1: version 1][1: n][n: sender id, ASCII "n2"][32: HMAC-SHA256(K, "raft-seal-1" sender 0 receiver 0 (u32 length, bytes) per part)]
/// K    = HKDF-SHA256(X25519(own secret key, peer public key), info "raft-harness frame seal 1" + both public keys, lowest first)
/// </code>
/// Both ends derive the same K (Diffie-Hellman), from keys they already hold for Curve; no key is
/// sent. A stranger has no secret key whose public key is in the address book, so it cannot compute
/// K for any member: its seal fails, whatever identity it claims. The MAC binds sender and receiver,
/// so a frame cannot be turned around or redirected. It does not stop replays, which need the
/// plaintext: Curve encrypts every connection with fresh session keys, so only the two ends see it.
/// Not thread-safe: one instance per transport, used on its poller thread.
/// </summary>
public sealed class FrameSeal : IDisposable
{
    private const byte Version = 1;
    private const int MacBytes = 32;
    private static readonly byte[] MacLabel = "raft-seal-1"u8.ToArray();
    private static readonly byte[] KeyLabel = "raft-harness frame seal 1"u8.ToArray();
    private readonly NodeId self;
    private readonly byte[] selfName;
    private readonly byte[] secretKey;
    private readonly byte[] publicKey;
    private readonly IReadOnlyDictionary<NodeId, byte[]> book;
    private readonly SortedDictionary<NodeId, IncrementalHash> macs = [];

    public FrameSeal(CurveCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        self = credentials.Self;
        selfName = Encoding.ASCII.GetBytes(self.ToString());
        secretKey = credentials.Certificate.SecretKey ?? throw new ArgumentException("the certificate has no secret key", nameof(credentials));
        publicKey = credentials.Certificate.PublicKey;
        book = credentials.PublicKeys;
        foreach (var peer in book.Keys.Where(p => p != self)) macs[peer] = Derive(peer); // a key that does not work fails here, not on a frame
    }

    /// <summary>Whether <paramref name="peerKey"/> gives a shared secret with <paramref name="ownSecretKey"/> (not a public key of small order).</summary>
    public static bool IsUsable(byte[] ownSecretKey, byte[] peerKey)
    {
        var shared = NaCl.Curve25519.ScalarMultiplication(ownSecretKey, peerKey);
        var usable = shared.Any(b => b != 0);
        CryptographicOperations.ZeroMemory(shared);
        return usable;
    }

    /// <summary>The seal of a message of <paramref name="parts"/> from this server to <paramref name="to"/>.</summary>
    public byte[] Seal(NodeId to, params ReadOnlySpan<ReadOnlyMemory<byte>> parts)
    {
        var seal = new byte[2 + selfName.Length + MacBytes];
        seal[0] = Version;
        seal[1] = (byte)selfName.Length;
        selfName.CopyTo(seal, 2);
        Mac(to, self, to, parts, seal.AsSpan(2 + selfName.Length));
        return seal;
    }

    /// <summary>
    /// Checks a seal: <see cref="DropReason.None"/> and the proven sender when it holds;
    /// <see cref="DropReason.UnknownKey"/> when it names a server without a public key in the book
    /// (or this server itself); <see cref="DropReason.BadSeal"/> when it is malformed or its MAC is wrong.
    /// Never throws on any input.
    /// </summary>
    public DropReason Open(ReadOnlySpan<byte> seal, ReadOnlySpan<ReadOnlyMemory<byte>> parts, out NodeId sender)
    {
        sender = default;
        if (seal.Length < 2 || seal[0] != Version || seal.Length != 2 + seal[1] + MacBytes) return DropReason.BadSeal;
        if (!NodeId.TryParse(Encoding.ASCII.GetString(seal.Slice(2, seal[1])), out var claimed)) return DropReason.BadSeal;
        if (claimed == self || !book.ContainsKey(claimed)) return DropReason.UnknownKey;
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(claimed, claimed, self, parts, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, seal[^MacBytes..])) return DropReason.BadSeal;
        sender = claimed;
        return DropReason.None;
    }

    private void Mac(NodeId peer, NodeId from, NodeId to, ReadOnlySpan<ReadOnlyMemory<byte>> parts, Span<byte> mac)
    {
        var hash = macs[peer];
        hash.AppendData(MacLabel);
        hash.AppendData(Encoding.ASCII.GetBytes($"{from}\0{to}\0"));
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, (uint)part.Length);
            hash.AppendData(length);
            hash.AppendData(part.Span);
        }
        hash.GetHashAndReset(mac);
    }

    /// <summary>The HMAC keyed for <paramref name="peer"/>, derived once at the start (an X25519 costs far more than a MAC).</summary>
    private IncrementalHash Derive(NodeId peer)
    {
        var peerKey = book[peer];
        var shared = NaCl.Curve25519.ScalarMultiplication(secretKey, peerKey);
        // An all-zero secret means a public key of small order: no secret at all.
        if (shared.All(b => b == 0)) throw new ArgumentException($"the public key of {peer} is not usable (small order)", nameof(peer));
        var (low, high) = publicKey.AsSpan().SequenceCompareTo(peerKey) <= 0 ? (publicKey, peerKey) : (peerKey, publicKey);
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, MacBytes, salt: [], info: [.. KeyLabel, .. low, .. high]);
        CryptographicOperations.ZeroMemory(shared);
        var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        CryptographicOperations.ZeroMemory(key);
        return mac;
    }

    public void Dispose()
    {
        foreach (var mac in macs.Values) mac.Dispose();
        macs.Clear();
    }
}
