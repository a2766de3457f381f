using NetMQ;
using Raft.Core;

namespace Raft.Net.Security;

/// <summary>
/// What a server needs to run with CurveZMQ (docs/security.md): its own key pair, and the public
/// key of every server it may ever talk to (the public half of the address book). A server without
/// a key here cannot connect to this one's peers, and frames that claim to come from it are refused.
/// </summary>
/// <param name="Self">This server.</param>
/// <param name="Certificate">This server's key pair (secret and public key).</param>
/// <param name="PublicKeys">Every server's public key (32 bytes), this server's included.</param>
public sealed record CurveCredentials(NodeId Self, NetMQCertificate Certificate, IReadOnlyDictionary<NodeId, byte[]> PublicKeys)
{
    /// <summary>
    /// Reads <c>DIR/nID.key</c> and <c>DIR/public-keys</c> (<see cref="KeyFiles"/>) and checks that
    /// they agree: the book must hold this server's own public key.
    /// </summary>
    /// <exception cref="KeyFileException">A file is missing, unreadable, malformed, or the two disagree; the message names the file.</exception>
    public static CurveCredentials Load(string directory, NodeId self)
    {
        var certificate = KeyFiles.ReadSecretKey(KeyFiles.SecretKeyPath(directory, self), self);
        var book = KeyFiles.ReadPublicKeys(KeyFiles.PublicKeysPath(directory));
        var publicKeys = KeyFiles.PublicKeysPath(directory);
        if (!book.TryGetValue(self, out var own))
            throw new KeyFileException(publicKeys, $"has no key for {self}, this server");
        if (!own.AsSpan().SequenceEqual(certificate.PublicKey))
            throw new KeyFileException(publicKeys, $"holds another public key for {self} than {KeyFiles.SecretKeyPath(directory, self)} (keys of two generations mixed?)");
        if (book.FirstOrDefault(entry => entry.Key != self && !FrameSeal.IsUsable(certificate.SecretKey!, entry.Value)) is { Value: not null } weak)
            throw new KeyFileException(publicKeys, $"the key of {weak.Key} is not usable (a point of small order)");
        return new CurveCredentials(self, certificate, book);
    }
}
