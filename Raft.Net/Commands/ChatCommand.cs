using System.CommandLine;
using System.Text.RegularExpressions;
using Raft.Core;
using Raft.Net.Chat;
using Raft.Net.Cluster;

namespace Raft.Net.Commands;

/// <summary>
/// <c>raft-net chat --name alice --join ADDRESSES</c>: a chat room kept by a Raft cluster of
/// <c>raft-net node</c> processes, through the ordinary key-value client protocol
/// (<see cref="ChatSession"/> says how). In a terminal it draws a live view; with <c>--plain</c>,
/// or when stdin or stdout is redirected, it reads lines from stdin and prints the room's lines
/// to stdout (<see cref="PlainChat"/>). <c>--local</c> starts a 3-node cluster of its own to try
/// it. Exit codes: 0 after <c>/quit</c> or the end of input; 1 the cluster rejected this client;
/// 2 bad arguments.
/// </summary>
public static partial class ChatCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = $"Your name in the room (1 to {ChatLine.MaxNameChars} characters).", Required = true };
        var join = new Option<string?>("--join")
        {
            Description = "The nodes' client addresses: 1=tcp://127.0.0.1:8001,2=tcp://127.0.0.1:8002,... (bare addresses are taken as nodes 1, 2, ... in order).",
        };
        var cluster = new Option<string>("--cluster-id") { Description = "The cluster's id (raft-net node --cluster-id).", DefaultValueFactory = _ => "raft" };
        var room = new Option<string>("--room") { Description = "The room: letters, digits, '.', '_' or '-'.", DefaultValueFactory = _ => "lobby" };
        var plain = new Option<bool>("--plain") { Description = "Read lines from stdin, print the room's lines to stdout (automatic when either is redirected)." };
        var local = new Option<bool>("--local") { Description = "Start a local 3-node cluster (stopped on exit) instead of joining one." };
        var command = new Command("chat", "Chat in a room that a Raft cluster keeps: every line is replicated, every participant sees the same order. /who, /quit.")
        {
            name, join, cluster, room, plain, local,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(name) is { } n && ChatLine.Said(n, "").Check() is { } problem) result.AddError($"--name: {problem}");
            if (result.GetValue(room) is { } r && !RoomName().IsMatch(r)) result.AddError($"--room: '{r}' is not 1 to 64 letters, digits, '.', '_' or '-'");
            var joining = result.GetValue(join);
            if (result.GetValue(local) == (joining is not null)) result.AddError("give --join ADDRESSES, or --local to start a cluster of your own");
            else if (joining is not null && ParseJoin(joining) is null)
                result.AddError($"--join: '{joining}' is not a list like 1=tcp://127.0.0.1:8001,2=tcp://127.0.0.1:8002 or tcp://127.0.0.1:8001,tcp://127.0.0.1:8002");
        });
        command.SetAction(parse =>
        {
            using var localCluster = parse.GetValue(local) ? StartLocalCluster() : null;
            var addresses = localCluster?.ClientAddresses ?? ParseJoin(parse.GetValue(join)!)!;
            var clusterId = localCluster?.ClusterId ?? parse.GetValue(cluster)!;
            var banner = localCluster is null ? null
                : $"local cluster of 3 nodes, stopped when you quit; others join with: raft-net chat --name NAME --join {JoinText(addresses)} --cluster-id {clusterId}";
            try
            {
                return Run(parse.GetValue(name)!, parse.GetValue(room)!, addresses, clusterId,
                    parse.GetValue(plain) || Console.IsInputRedirected || Console.IsOutputRedirected, banner);
            }
            finally
            {
                localCluster?.StopAll(TimeSpan.FromSeconds(3));
                if (localCluster is not null) TryDelete(localCluster.Root);
            }
        });
        return command;
    }

    private static int Run(string name, string room, IReadOnlyDictionary<NodeId, string> addresses, string clusterId, bool plain, string? banner)
    {
        // Random, so that two participants never share a session in the store (docs/wire-format.md, sequence rules).
        var clientId = Random.Shared.NextInt64(1, 1L << 62);
        using var participant = new ChatParticipant(new ChatSession(new ChatConnection(clientId, addresses, clusterId), room), name);
        if (!plain) return TerminalChat.Run(participant, room, banner);
        if (banner is not null) Console.Error.WriteLine($"raft-net chat: {banner}");
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = !participant.Quitting; // the first Ctrl+C quits cleanly, a second one at once
            participant.Quit();
        };
        return PlainChat.Run(participant, Console.In, Console.Out, Console.Error);
    }

    /// <summary>
    /// The nodes a chat talks to: <c>1=tcp://...,2=tcp://...</c>, or bare <c>tcp://</c> addresses
    /// taken as nodes 1, 2, ... in order (leader hints name nodes by id, so the order matters);
    /// null when malformed.
    /// </summary>
    public static SortedDictionary<NodeId, string>? ParseJoin(string text)
    {
        if (text.Contains('=', StringComparison.Ordinal)) return NodeCommand.ParsePeers(text);
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Any(part => !part.StartsWith("tcp://", StringComparison.Ordinal))) return null;
        return new SortedDictionary<NodeId, string>(parts.Select((address, i) => (Id: new NodeId(i + 1), address)).ToDictionary(p => p.Id, p => p.address));
    }

    private static string JoinText(IReadOnlyDictionary<NodeId, string> addresses) =>
        string.Join(",", addresses.OrderBy(a => a.Key).Select(a => $"{a.Key.Value}={a.Value}"));

    private static LocalCluster StartLocalCluster()
    {
        var root = Path.Combine(Path.GetTempPath(), $"raft-chat-{Environment.ProcessId}");
        var cluster = new LocalCluster(3, root, []);
        cluster.StartAll();
        return cluster;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: it is a temporary folder
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex RoomName();
}
