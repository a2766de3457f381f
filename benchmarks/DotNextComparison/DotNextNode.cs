using System.Net;
using System.Net.Sockets;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace DotNextComparison;

/// <summary>
/// One DotNext Raft node: TCP transport between nodes, its WriteAheadLog on disk (6.12 checkpoints,
/// i.e. flushes, on every commit), a no-op state machine, and a client port like ours: a client sends a
/// 64-byte write, the leader replicates it and answers once it is committed (1), any other node
/// answers "not leader" (0) so that the client tries the next one. Leader changes are printed on
/// stdout ("leader UNIX_MICROS local|remote") for the bench to time re-elections.
/// </summary>
internal static class DotNextNode
{
    public const int WriteBytes = 64;

    public static async Task<int> RunAsync(NodeArguments args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        _ = Task.Run(() => { Console.In.ReadToEnd(); stop.Cancel(); }); // the bench closes our stdin to stop us

        var configuration = new RaftCluster.TcpConfiguration(new IPEndPoint(IPAddress.Loopback, args.RaftPorts[args.Id - 1]))
        {
            RequestTimeout = TimeSpan.FromMilliseconds(140),
            LowerElectionTimeout = 150,
            UpperElectionTimeout = 300,
            TransmissionBlockSize = 4096,
            ColdStart = false,
            ConfigurationStorage = null!, // in memory, filled below
        };
        var members = ((InMemoryClusterConfigurationStorage<EndPoint>)configuration.ConfigurationStorage).CreateInitialConfigurationBuilder();
        foreach (var port in args.RaftPorts) members.Add(new IPEndPoint(IPAddress.Loopback, port));
        members.Build();

        Directory.CreateDirectory(args.DataDirectory);
        await using var wal = new WriteAheadLog(
            new WriteAheadLog.Options { Location = args.DataDirectory },
            IStateMachine.CreateNoOp(100_000));
        await using var cluster = new RaftCluster(configuration) { AuditTrail = wal };
        cluster.LeaderChanged += (c, leader) =>
        {
            var micros = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
            var local = leader is not null && leader.IsRemote is false;
            Console.Out.WriteLine($"leader {micros} {(leader is null ? "none" : local ? "local" : "remote")}");
            Console.Out.Flush();
        };
        await cluster.StartAsync(stop.Token);

        var listener = new TcpListener(IPAddress.Loopback, args.ClientPort);
        listener.Start(512);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                _ = ServeAsync(cluster, client, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        listener.Stop();
        await cluster.StopAsync(CancellationToken.None);
        return 0;
    }

    private static async Task ServeAsync(RaftCluster cluster, TcpClient client, CancellationToken token)
    {
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            var request = new byte[WriteBytes];
            var answer = new byte[1];
            try
            {
                while (true)
                {
                    await stream.ReadExactlyAsync(request, token);
                    answer[0] = await TryReplicateAsync(cluster, request, token) ? (byte)1 : (byte)0;
                    await stream.WriteAsync(answer, token);
                }
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // the client went away, or we stop
            }
        }
    }

    private static async Task<bool> TryReplicateAsync(RaftCluster cluster, byte[] request, CancellationToken token)
    {
        if (cluster.LeadershipToken.IsCancellationRequested) return false;
        try
        {
            // Appends, replicates and returns once a majority has it and it is applied (committed).
            await cluster.ReplicateAsync(request.AsMemory(), token: token);
            return true;
        }
        catch (Exception e) when (e is NotLeaderException or InvalidOperationException)
        {
            return false;
        }
    }
}
