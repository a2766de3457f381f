using System.CommandLine;
using Raft.Net.Security;

namespace Raft.Net.Commands;

/// <summary>
/// <c>raft-net keys --out DIR --nodes 1,2,3</c>: a Curve key pair per server (<c>DIR/n1.key</c>...,
/// mode 600) and the public-keys file every server gets a copy of (docs/security.md). Exit codes:
/// 0 written, 2 bad arguments or a file that exists already or cannot be written (nothing is overwritten).
/// </summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Directory to write the key files into (created if missing).", Required = true };
        var nodes = new Option<string>("--nodes") { Description = "The servers that may ever be members, e.g. 1,2,3 or n1,n2,n3.", Required = true };
        nodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && NodeCommand.ParseMembers(text) is null) r.AddError($"--nodes: '{text}' is not a list like 1,2,3");
        });
        var command = new Command("keys", "Generate CurveZMQ key pairs for the servers of a cluster: DIR/nID.key (secret, one per server) and DIR/public-keys (for every server). Use with raft-net node --curve DIR.")
        {
            output, nodes,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(output)!;
            var servers = NodeCommand.ParseMembers(parse.GetValue(nodes)!)!;
            try
            {
                KeyFiles.Generate(directory, servers);
            }
            catch (KeyFileException e)
            {
                Console.Error.WriteLine($"raft-net keys: {e.Message}");
                return 2;
            }
            Console.WriteLine($"wrote {string.Join(", ", servers.Select(s => Path.GetFileName(KeyFiles.SecretKeyPath(directory, s))))} (secret: give each only to its server) " +
                $"and {KeyFiles.PublicKeysFileName} (give every server a copy) in {directory}");
            return 0;
        });
        return command;
    }
}
