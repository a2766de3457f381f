using System.Net;
using System.Net.Sockets;

namespace DotNextComparison;

/// <summary>
/// A blocking client: sends a 64-byte write to the node it believes leads and waits for the answer;
/// on "not leader", a timeout or a broken connection it moves to the next node.
/// </summary>
internal sealed class WriteClient(IReadOnlyList<int> ports, int first) : IDisposable
{
    private readonly Socket?[] sockets = new Socket?[ports.Count];
    private readonly byte[] answer = new byte[1];
    private int target = first % ports.Count;

    /// <summary>True once the write is committed; false if it was refused or timed out (then the caller retries).</summary>
    public bool Write(byte[] payload, long stopAtTimestamp)
    {
        try
        {
            var socket = sockets[target] ??= Connect(ports[target]);
            socket.Send(payload);
            var got = 0;
            while (got < 1)
            {
                var n = socket.Receive(answer);
                if (n == 0) throw new SocketException((int)SocketError.ConnectionReset);
                got += n;
            }
            if (answer[0] == 1) return true;
            Next();
            Thread.Sleep(1); // not the leader: try the next node
            return false;
        }
        catch (SocketException)
        {
            sockets[target]?.Dispose();
            sockets[target] = null;
            Next();
            Thread.Sleep(20);
            return false;
        }
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 2000, SendTimeout = 2000 };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private void Next() => target = (target + 1) % ports.Count;

    public void Dispose()
    {
        foreach (var socket in sockets) socket?.Dispose();
    }
}
