using System.Text;
using NetMQ;
using Raft.Core;

namespace Raft.Net.Security;

/// <summary>
/// The key files of a Curve cluster (docs/security.md), plain text with keys in Z85 (ZeroMQ's
/// printable encoding of 32 bytes in 40 characters):
/// <list type="bullet">
/// <item><c>nID.key</c>, one per server, readable by its owner only:
/// <c>server n1</c>, <c>public Z85</c>, <c>secret Z85</c>, one per line.</item>
/// <item><c>public-keys</c>, the same for every server: one line <c>n1 Z85</c> per server that may ever
/// be a member.</item>
/// </list>
/// Lines starting with <c>#</c> and blank lines are ignored.
/// </summary>
public static class KeyFiles
{
    /// <summary>The file of every server's public key.</summary>
    public const string PublicKeysFileName = "public-keys";

    public static string SecretKeyPath(string directory, NodeId id) => Path.Combine(directory, $"{id}.key");

    public static string PublicKeysPath(string directory) => Path.Combine(directory, PublicKeysFileName);

    /// <summary>
    /// Writes a fresh key pair for each of <paramref name="servers"/> (its secret key file created
    /// with mode 600 on Unix) and the public-keys file listing them all. Refuses to overwrite an
    /// existing key file: a secret key replaced by mistake locks its server out of the cluster.
    /// </summary>
    /// <exception cref="KeyFileException">A file exists already or cannot be written.</exception>
    public static void Generate(string directory, IReadOnlyList<NodeId> servers)
    {
        Directory.CreateDirectory(directory);
        var paths = servers.Select(s => SecretKeyPath(directory, s)).Append(PublicKeysPath(directory)).ToList();
        if (paths.FirstOrDefault(File.Exists) is { } existing) throw new KeyFileException(existing, "exists already; remove it or choose another directory");
        var book = new StringBuilder("# raft-net Curve public keys: the servers this cluster accepts. Give every server a copy.\n");
        foreach (var server in servers.Order())
        {
            var pair = new NetMQCertificate();
            var path = SecretKeyPath(directory, server);
            Write(path, $"# raft-net Curve key pair of {server}. Keep it secret: only {server} needs it.\nserver {server}\npublic {pair.PublicKeyZ85}\nsecret {pair.SecretKeyZ85}\n", secret: true);
            book.Append($"{server} {pair.PublicKeyZ85}\n");
        }
        Write(PublicKeysPath(directory), book.ToString(), secret: false);
    }

    /// <summary>Reads <paramref name="server"/>'s key pair and checks that its public key belongs to its secret key.</summary>
    /// <exception cref="KeyFileException">Missing, readable by others (Unix), unreadable, malformed, of another server, or inconsistent.</exception>
    public static NetMQCertificate ReadSecretKey(string path, NodeId server)
    {
        var fields = ReadLines(path).Select(line => (Line: line, Words: line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        string Field(string name)
        {
            var found = fields.Where(f => f.Words[0] == name).ToList();
            if (found.Count != 1) throw new KeyFileException(path, found.Count == 0 ? $"has no '{name}' line" : $"has {found.Count} '{name}' lines");
            if (found[0].Words.Length != 2) throw new KeyFileException(path, $"line {found[0].Line.Number}: expected '{name} VALUE'");
            return found[0].Words[1];
        }
        if (fields.FirstOrDefault(f => f.Words[0] is not ("server" or "public" or "secret")) is { Words: not null } unknown)
            throw new KeyFileException(path, $"line {unknown.Line.Number}: unknown field '{unknown.Words[0]}'");
        if (!NodeId.TryParse(Field("server"), out var named) || named != server)
            throw new KeyFileException(path, $"is the key of '{Field("server")}', not of {server}");
        var secret = Decode(path, "secret", Field("secret"));
        var pair = NetMQCertificate.CreateFromSecretKey(secret);
        if (!pair.PublicKey.AsSpan().SequenceEqual(Decode(path, "public", Field("public"))))
            throw new KeyFileException(path, "its public key does not belong to its secret key (damaged?)");
        return pair;
    }

    /// <summary>Reads the public-keys file: one server and its key per line, each server once.</summary>
    /// <exception cref="KeyFileException">Missing, unreadable, malformed, a server twice, or empty.</exception>
    public static SortedDictionary<NodeId, byte[]> ReadPublicKeys(string path)
    {
        var book = new SortedDictionary<NodeId, byte[]>();
        foreach (var line in ReadLines(path))
        {
            var words = line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 2 || !NodeId.TryParse(words[0], out var server))
                throw new KeyFileException(path, $"line {line.Number}: expected 'nID PUBLIC-KEY'");
            if (!book.TryAdd(server, Decode(path, $"line {line.Number}: key", words[1])))
                throw new KeyFileException(path, $"line {line.Number}: {server} appears twice");
        }
        if (book.Count == 0) throw new KeyFileException(path, "lists no server");
        return book;
    }

    /// <summary>The lines that are neither blank nor comments, with their numbers from 1.</summary>
    private static List<(int Number, string Text)> ReadLines(string path)
    {
        string[] lines;
        try
        {
            RefuseIfReadableByOthers(path);
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(path, $"cannot be read ({e.Message})", e);
        }
        return lines.Select((text, i) => (Number: i + 1, Text: text.Trim()))
            .Where(l => l.Text.Length > 0 && !l.Text.StartsWith('#')).ToList();
    }

    /// <summary>Like ssh with a private key: a secret key file that others may read is not used.</summary>
    private static void RefuseIfReadableByOthers(string path)
    {
        if (OperatingSystem.IsWindows() || !path.EndsWith(".key", StringComparison.Ordinal) || !File.Exists(path)) return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new KeyFileException(path, $"is readable or writable by others (mode {Convert.ToString((int)mode, 8)}); a secret key must be private: chmod 600 {path}");
    }

    /// <summary>A Z85 key: 40 characters of the Z85 alphabet making 32 bytes.</summary>
    private static byte[] Decode(string path, string what, string z85)
    {
        if (z85.Length != 40 || z85.Any(c => !Z85Alphabet.Contains(c, StringComparison.Ordinal)))
            throw new KeyFileException(path, $"{what} is not a Z85 key of 40 characters");
        try
        {
            return NetMQCertificate.FromPublicKey(z85).PublicKey; // NetMQ's Z85 decoder, for any 32-byte key
        }
        catch (ArgumentException e)
        {
            throw new KeyFileException(path, $"{what} is not a valid Z85 key ({e.Message})", e);
        }
    }

    private const string Z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    private static void Write(string path, string text, bool secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var file = new FileStream(path, options);
            file.Write(Encoding.ASCII.GetBytes(text));
            file.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(path, $"cannot be written ({e.Message})", e);
        }
    }
}
