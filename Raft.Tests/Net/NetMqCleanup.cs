using NetMQ;

namespace Raft.Tests.Net;

/// <summary>NetMQ's background threads must be released once every socket is disposed.</summary>
[SetUpFixture]
public sealed class NetMqCleanup
{
    [OneTimeTearDown]
    public void Cleanup() => NetMQConfig.Cleanup(block: false);
}
