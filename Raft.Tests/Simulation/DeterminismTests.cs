using System.Diagnostics;
using Raft.Simulation;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;

namespace Raft.Tests.Simulation;

public sealed class DeterminismTests
{
    private static SimulationOptions Chaos(ulong seed) => new()
    {
        Seed = seed, Nodes = 5, Faults = FaultProfile.Chaos, Network = LinkProfile.Unreliable, MaxClockDrift = 0.05, DurationMicros = 3_000_000,
    };

    [Test]
    public void The_same_seed_gives_the_same_digest_in_one_process()
    {
        var first = new Raft.Simulation.Simulation(Chaos(42)).Run();
        var second = new Raft.Simulation.Simulation(Chaos(42)).Run();
        Assert.That(second.Digest, Is.EqualTo(first.Digest));
        Assert.That(second.ClientOperations, Is.EqualTo(first.ClientOperations));
        Assert.That(first.ClientOperations, Is.GreaterThan(0), "the run did some work");
    }

    [Test]
    public void Different_seeds_give_different_digests()
    {
        var digests = Enumerable.Range(1, 8).Select(s => new Raft.Simulation.Simulation(Chaos((ulong)s)).Run().Digest).ToList();
        Assert.That(digests.Distinct().Count(), Is.EqualTo(digests.Count));
    }

    [Test]
    public void The_same_seed_gives_the_same_digest_in_two_separate_processes()
    {
        static string DigestFromProcess()
        {
            var (code, output, _) = RaftSim.Run("replay", "--seed", "7", "--nodes", "5", "--duration", "2s", "--faults", "chaos", "--summary-only");
            Assert.That(code, Is.Zero, output);
            return output.Split('\n').Single(l => l.StartsWith("digest", StringComparison.Ordinal));
        }

        var first = DigestFromProcess();
        var second = DigestFromProcess();
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void A_different_option_changes_the_digest_but_not_the_fault_schedule()
    {
        var a = new Raft.Simulation.Simulation(Chaos(3));
        var b = new Raft.Simulation.Simulation(Chaos(3) with { Clients = 1 });
        Assert.That(b.Schedule.Select(f => f.ToString()), Is.EqualTo(a.Schedule.Select(f => f.ToString())), "faults come from their own random stream");
        Assert.That(b.Run().Digest, Is.Not.EqualTo(a.Run().Digest));
    }

    private static SimulationOptions LongDelays(ulong seed, double rate) => Chaos(seed) with { Network = LinkProfile.Unreliable with { LongDelayRate = rate } };

    [Test]
    public void Long_reordering_is_deterministic_and_changes_the_run()
    {
        var first = new Raft.Simulation.Simulation(LongDelays(42, 0.05)).Run();
        var second = new Raft.Simulation.Simulation(LongDelays(42, 0.05)).Run();
        Assert.That(second.Digest, Is.EqualTo(first.Digest));
        Assert.That(first.Digest, Is.Not.EqualTo(new Raft.Simulation.Simulation(Chaos(42)).Run().Digest), "held messages change the run");
    }

    [Test]
    public void Long_reordering_off_draws_nothing_so_old_runs_keep_their_digests()
    {
        // The digest this replay printed before long reordering existed (commit 3d1165c): a rate of 0 must not draw from the network's stream.
        foreach (var extra in new[] { Array.Empty<string>(), ["--long-delays", "0"] })
        {
            var (code, output, _) = RaftSim.Run(["replay", "--seed", "42", "--nodes", "5", "--duration", "3s", "--faults", "chaos", "--summary-only", .. extra]);
            Assert.That(code, Is.Zero, output);
            Assert.That(output, Does.Contain("06b0c4bdad006659"));
        }
        Assert.That(new Raft.Simulation.Simulation(LongDelays(42, 0)).Run().Digest, Is.EqualTo(new Raft.Simulation.Simulation(Chaos(42)).Run().Digest));
    }

    [Test]
    public void Replay_takes_long_delays_and_prints_them_back()
    {
        var options = LongDelays(7, 0.05) with { DurationMicros = 2_000_000 };
        var (code, output, _) = RaftSim.Run("replay", "--seed", "7", "--nodes", "5", "--duration", "2s", "--faults", "chaos", "--long-delays", "0.05", "--summary-only");
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain(new Raft.Simulation.Simulation(options).Run().Digest));
        Assert.That(Raft.Simulation.Cli.RunOptionSet.ReplayArguments(options with { Faults = FaultProfile.Chaos }), Does.Contain("--long-delays 0.05"));
        Assert.That(Raft.Simulation.Cli.RunOptionSet.ReplayArguments(Chaos(7)), Does.Not.Contain("--long-delays"));
    }
}

/// <summary>Runs the raft-sim executable built next to the tests, as a separate process.</summary>
public static class RaftSim
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => RunDll("raft-sim.dll", args);

    /// <summary>Runs raft-sim with <paramref name="environment"/> added to this process's environment.</summary>
    public static (int Code, string Stdout, string Stderr) RunWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunDll("raft-sim.dll", args, environment);

    public static (int Code, string Stdout, string Stderr) RunDll(string name, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, name);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>()) start.Environment[variable] = value;
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{name} {string.Join(' ', args)} did not finish");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
