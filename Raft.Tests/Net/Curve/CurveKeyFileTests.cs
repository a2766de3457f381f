using System.Diagnostics;
using Raft.Core;
using Raft.Net.Security;

namespace Raft.Tests.Net.Curve;

/// <summary>
/// The key files of <c>raft-net keys</c> and what <c>node --curve</c> makes of them: a file that
/// cannot be used is refused with its name, never half-used; bad arguments exit with code 2.
/// </summary>
public sealed class CurveKeyFileTests
{
    private static readonly NodeId N1 = new(1), N2 = new(2);
    private string directory = "";

    private string SecretOf(NodeId id) => KeyFiles.SecretKeyPath(directory, id);

    private string Book => KeyFiles.PublicKeysPath(directory);

    [SetUp]
    public void Generate()
    {
        directory = Path.Combine(Path.GetTempPath(), "raft-keys-" + Guid.NewGuid().ToString("N"));
        KeyFiles.Generate(directory, [N1, N2, new NodeId(3)]);
    }

    [TearDown]
    public void Delete()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Test]
    public void Generated_keys_load_and_each_secret_key_is_readable_by_its_owner_only()
    {
        var n1 = CurveCredentials.Load(directory, N1);
        var n2 = CurveCredentials.Load(directory, N2);

        Assert.That(n1.PublicKeys.Keys, Is.EqualTo(NodeId.Range(3)));
        Assert.That(n1.PublicKeys[N2], Is.EqualTo(n2.Certificate.PublicKey));
        Assert.That(n1.Certificate.SecretKey, Is.Not.EqualTo(n2.Certificate.SecretKey));
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(SecretOf(N1)), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void Generating_again_into_the_same_directory_overwrites_nothing()
    {
        var before = File.ReadAllText(SecretOf(N1));
        var error = Assert.Throws<KeyFileException>(() => KeyFiles.Generate(directory, [N1]));
        Assert.That(error!.Message, Does.Contain(SecretOf(N1)).And.Contain("exists already"));
        Assert.That(File.ReadAllText(SecretOf(N1)), Is.EqualTo(before));
    }

    public static IEnumerable<TestCaseData> DamagedSecretKeys()
    {
        yield return new TestCaseData(new Func<string, string>(text => text.Replace("secret ", "secret x", StringComparison.Ordinal)), "not a Z85 key").SetName("a secret key of 41 characters");
        yield return new TestCaseData(new Func<string, string>(text => Replace(text, "secret", "\u0001")), "not a Z85 key").SetName("a control character in the secret key");
        yield return new TestCaseData(new Func<string, string>(text => Replace(text, "public", "0")), "does not belong to its secret key").SetName("a public key of another pair");
        yield return new TestCaseData(new Func<string, string>(text => text.Replace("server n1", "server n2", StringComparison.Ordinal)), "not of n1").SetName("the key of another server");
        yield return new TestCaseData(new Func<string, string>(text => string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("secret", StringComparison.Ordinal)))), "no 'secret' line").SetName("no secret key");
        yield return new TestCaseData(new Func<string, string>(text => text + "colour blue\n"), "unknown field 'colour'").SetName("an unknown field");
        yield return new TestCaseData(new Func<string, string>(text => text + "secret " + new string('0', 40) + "\n"), "2 'secret' lines").SetName("two secret keys");
    }

    [TestCaseSource(nameof(DamagedSecretKeys))]
    public void A_damaged_secret_key_file_is_refused_with_its_name(Func<string, string> damage, string problem)
    {
        RewritePrivately(SecretOf(N1), damage(File.ReadAllText(SecretOf(N1))));
        var error = Assert.Throws<KeyFileException>(() => CurveCredentials.Load(directory, N1));
        Assert.That(error!.Message, Does.StartWith(SecretOf(N1) + ":").And.Contain(problem));
    }

    public static IEnumerable<TestCaseData> DamagedBooks()
    {
        yield return new TestCaseData(new Func<string, string>(text => string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("n1 ", StringComparison.Ordinal)))), "has no key for n1").SetName("no key for this server");
        yield return new TestCaseData(new Func<string, string>(text => Replace(text, "n1", "0")), "another public key for n1").SetName("another key for this server");
        yield return new TestCaseData(new Func<string, string>(text => text + text.Split('\n').First(l => l.StartsWith("n2 ", StringComparison.Ordinal)) + "\n"), "n2 appears twice").SetName("a server twice");
        yield return new TestCaseData(new Func<string, string>(text => text + "n4\n"), "expected 'nID PUBLIC-KEY'").SetName("a server without a key");
        yield return new TestCaseData(new Func<string, string>(text => text + "n4 " + new string('0', 40) + "\n"), "the key of n4 is not usable").SetName("a key of small order (all zeros)");
        yield return new TestCaseData(new Func<string, string>(_ => "# nothing\n"), "lists no server").SetName("no server at all");
    }

    [TestCaseSource(nameof(DamagedBooks))]
    public void A_damaged_public_keys_file_is_refused_with_its_name(Func<string, string> damage, string problem)
    {
        File.WriteAllText(Book, damage(File.ReadAllText(Book)));
        var error = Assert.Throws<KeyFileException>(() => CurveCredentials.Load(directory, N1));
        Assert.That(error!.Message, Does.StartWith(Book + ":").And.Contain(problem));
    }

    [Test]
    public void A_secret_key_file_that_others_may_read_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes only");
            return;
        }
        File.SetUnixFileMode(SecretOf(N1), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var error = Assert.Throws<KeyFileException>(() => CurveCredentials.Load(directory, N1));
        Assert.That(error!.Message, Does.Contain(SecretOf(N1)).And.Contain("chmod 600"));
    }

    [Test]
    public void A_missing_key_file_is_refused_with_its_name()
    {
        File.Delete(SecretOf(N2));
        var error = Assert.Throws<KeyFileException>(() => CurveCredentials.Load(directory, N2));
        Assert.That(error!.Message, Does.StartWith(SecretOf(N2) + ":").And.Contain("cannot be read"));
    }

    [Test]
    public void Raft_net_keys_writes_the_files_and_refuses_bad_arguments_and_existing_files_with_exit_code_2()
    {
        var fresh = Path.Combine(directory, "fresh");
        var (code, output, _) = RaftNet("keys", "--out", fresh, "--nodes", "n1,n2");
        Assert.That(code, Is.Zero, output);
        Assert.That(CurveCredentials.Load(fresh, N2).PublicKeys.Keys, Is.EqualTo(NodeId.Range(2)));

        Assert.That(RaftNet("keys", "--out", fresh, "--nodes", "1,2").Code, Is.EqualTo(2), "the files exist already");
        Assert.That(RaftNet("keys", "--out", fresh, "--nodes", "1,x").Code, Is.EqualTo(2), "not a list of servers");
        Assert.That(RaftNet("keys", "--nodes", "1").Code, Is.EqualTo(2), "no --out");
    }

    [Test]
    public void Raft_net_node_with_a_key_file_it_cannot_use_says_which_in_one_line_and_exits_2()
    {
        File.Delete(SecretOf(N1));
        var (code, _, errors) = RaftNet("node", "--id", "1", "--peers", "1=tcp://127.0.0.1:1,2=tcp://127.0.0.1:2", "--client", "tcp://127.0.0.1:3",
            "--data", Path.Combine(directory, "data"), "--curve", directory);
        Assert.That(code, Is.EqualTo(2), errors);
        Assert.That(errors.Trim().Split('\n'), Has.Length.EqualTo(1).And.One.StartsWith("raft-net node: " + SecretOf(N1) + ":"));
    }

    [Test]
    public void Raft_net_node_refuses_a_peer_without_a_public_key_with_exit_code_2()
    {
        var (code, _, errors) = RaftNet("node", "--id", "1", "--peers", "1=tcp://127.0.0.1:1,4=tcp://127.0.0.1:2", "--client", "tcp://127.0.0.1:3",
            "--data", Path.Combine(directory, "data"), "--curve", directory);
        Assert.That(code, Is.EqualTo(2), errors);
        Assert.That(errors, Does.Contain(Book).And.Contain("no key for n4"));
    }

    [Test]
    public void Curve_and_discovery_exclude_each_other_on_the_command_line()
    {
        var node = RaftNet("node", "--id", "1", "--discover", "--bootstrap", "--raft-address", "tcp://127.0.0.1:1", "--client", "tcp://127.0.0.1:3",
            "--data", Path.Combine(directory, "data"), "--curve", directory);
        Assert.That(node.Code, Is.EqualTo(2), node.Errors);
        Assert.That(node.Errors, Does.Contain("--curve excludes --discover"));
        var cluster = RaftNet("cluster", "--curve", "--discover");
        Assert.That(cluster.Code, Is.EqualTo(2), cluster.Errors);
        Assert.That(cluster.Errors, Does.Contain("--curve excludes --discover"));
    }

    /// <summary>Replaces the Z85 key on the line that starts with <paramref name="field"/> by one of <paramref name="character"/> repeated.</summary>
    private static string Replace(string text, string field, string character) =>
        string.Join('\n', text.Split('\n').Select(line => line.StartsWith(field + " ", StringComparison.Ordinal) ? $"{field} {string.Concat(Enumerable.Repeat(character, 40))}" : line));

    private static void RewritePrivately(string path, string text)
    {
        File.WriteAllText(path, text); // an existing file keeps its mode (600)
    }

    /// <summary>Runs <c>raft-net</c> as a process (the exit code and stderr are what an operator sees); at most 60 s.</summary>
    private static (int Code, string Output, string Errors) RaftNet(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "raft-net.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // a node that did start would exit at the end of its stdin
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"raft-net {string.Join(' ', args)} did not exit within 60 s");
        }
        return (process.ExitCode, output.GetAwaiter().GetResult(), errors.GetAwaiter().GetResult());
    }
}
