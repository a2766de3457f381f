using Raft.Net.Commands;

namespace Raft.Tests.Net.Discovery;

/// <summary>The options of <c>raft-net node --discover</c>, as the parser checks them.</summary>
public sealed class DiscoveryCommandLineTests
{
    private static readonly string[] Common = ["node", "--id", "2", "--client", "tcp://127.0.0.1:8002", "--data", "d"];

    private static IReadOnlyList<string> Errors(params string[] args) =>
        [.. NodeCommand.Create().Parse([.. Common.Skip(1), .. args]).Errors.Select(e => e.Message)];

    [Test]
    public void A_discovering_server_needs_only_its_own_address_and_a_contact()
    {
        Assert.That(Errors("--discover", "--raft-address", "tcp://127.0.0.1:7002", "--join", "tcp://127.0.0.1:7001"), Is.Empty);
        Assert.That(Errors("--discover", "--raft-address", "tcp://127.0.0.1:7002", "--bootstrap"), Is.Empty);
    }

    [Test]
    public void The_old_forms_still_parse_join_without_a_value_and_a_static_address_book()
    {
        Assert.That(Errors("--peers", "1=tcp://127.0.0.1:7001,2=tcp://127.0.0.1:7002", "--join"), Is.Empty);
        Assert.That(Errors("--peers", "1=tcp://127.0.0.1:7001,2=tcp://127.0.0.1:7002", "--join", "--no-fsync"), Is.Empty);
    }

    [Test]
    public void Mistakes_are_named()
    {
        Assert.That(Errors("--join", "tcp://127.0.0.1:7001", "--peers", "2=tcp://127.0.0.1:7002"), Has.Some.Contains("needs --discover"));
        Assert.That(Errors(), Has.Some.Contains("--peers is required"));
        Assert.That(Errors("--discover", "--join", "tcp://127.0.0.1:7001"), Has.Some.Contains("--raft-address"));
        Assert.That(Errors("--discover", "--raft-address", "tcp://127.0.0.1:7002", "--bootstrap", "--join", "tcp://127.0.0.1:7001"), Has.Some.Contains("--bootstrap excludes"));
        Assert.That(Errors("--discover", "--raft-address", "tcp://127.0.0.1:7002", "--join", "127.0.0.1:7001"), Has.Some.Contains("--join"));
        Assert.That(Errors("--discover", "--raft-address", "tcp://127.0.0.1:7002", "--bootstrap", "--silent-after", "500ms"), Has.Some.Contains("--silent-after"));
    }

    [Test]
    public void A_cluster_run_with_discovery_leaves_membership_to_the_leader()
    {
        var errors = ClusterCommand.Create().Parse(["--discover", "--change-every", "3s"]).Errors.Select(e => e.Message);

        Assert.That(errors, Has.Some.Contains("--discover excludes --change-every"));
    }
}
