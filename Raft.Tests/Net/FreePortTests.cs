using System.Net;
using System.Net.Sockets;
using Raft.Net.Cluster;

namespace Raft.Tests.Net;

/// <summary>
/// Test clusters pick their ports ahead of binding them. A port the OS hands out for port 0 lies in
/// the ephemeral range, where an outgoing connection can take it first: that once made a node's
/// bind fail and took the test host down. Ports now come from below that range, once each.
/// </summary>
public sealed class FreePortTests
{
    [Test]
    public void Free_ports_are_distinct_below_the_ephemeral_range_and_bindable()
    {
        var ports = Enumerable.Range(0, 50).Select(_ => LocalCluster.FreePort()).ToList();

        Assert.That(ports, Is.Unique);
        Assert.That(ports, Has.All.InRange(1024, 32767));
        foreach (var port in ports)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            Assert.That(listener.Start, Throws.Nothing, $"port {port}");
            listener.Stop();
        }
    }
}
