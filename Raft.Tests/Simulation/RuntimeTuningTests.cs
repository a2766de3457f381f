using System.Diagnostics;
using Raft.Simulation.Cli;

namespace Raft.Tests.Simulation;

/// <summary>
/// explore and bench run themselves again with a 64 MB gen0 budget and tiering that starts at once
/// (<see cref="RuntimeTuning"/>); the child's output and exit code are the command's.
/// </summary>
public sealed class RuntimeTuningTests
{
    [TestCase("explore", ExpectedResult = true)]
    [TestCase("bench", ExpectedResult = true)]
    [TestCase("replay", ExpectedResult = false)]
    [TestCase("run", ExpectedResult = false)]
    public bool Only_the_commands_that_run_many_seeds_want_the_settings(string command) => RuntimeTuning.Wants([command, "--seeds", "3"]);

    [Test]
    public void Help_and_an_empty_command_line_run_in_this_process()
    {
        Assert.That(RuntimeTuning.Wants(["explore", "--help"]), Is.False);
        Assert.That(RuntimeTuning.Wants([]), Is.False);
    }

    [Test]
    public void Bench_runs_with_the_settings_when_they_are_not_set()
    {
        Assume.That(RuntimeTuning.Missing().Count(), Is.EqualTo(RuntimeTuning.Settings.Count), "the test process must not have the settings already");

        var (code, stdout, stderr) = RaftSim.Run("bench", "--seeds", "1");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("DOTNET_GCgen0size 0x4000000"), "bench prints the gen0 budget it ran with");
        Assert.That(stdout, Does.Contain("DOTNET_TC_CallCountingDelayMs 0"), "bench prints the tiering delay it ran with");
    }

    [Test]
    public void A_setting_the_caller_made_is_kept()
    {
        Assume.That(RuntimeTuning.Missing().Count(), Is.EqualTo(RuntimeTuning.Settings.Count), "the test process must not have the settings already");

        var (code, stdout, stderr) = RaftSim.RunWith(new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x2000000" }, "bench", "--seeds", "1");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("DOTNET_GCgen0size 0x2000000"), "the caller's budget");
        Assert.That(stdout, Does.Contain("DOTNET_TC_CallCountingDelayMs 0"), "the missing setting is still added");
    }

    [Test]
    public void The_childs_exit_code_and_error_output_are_the_commands()
    {
        var (code, _, stderr) = RaftSim.Run("explore", "--seeds", "1", "--bug", "no-such");

        Assert.That(code, Is.EqualTo(RaftSimCli.UsageExitCode));
        Assert.That(stderr, Does.Contain("unknown teaching bug 'no-such'"));
    }

    [Test]
    public void A_stop_signal_sent_to_raft_sim_stops_the_child_that_runs_the_command()
    {
        Assume.That(OperatingSystem.IsLinux(), "reads children from /proc");
        Assume.That(RuntimeTuning.Missing().Count(), Is.EqualTo(RuntimeTuning.Settings.Count), "the test process must not have the settings already");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "raft-sim.dll"), "explore", "--seeds", "1000000", "--jobs", "1" }) start.ArgumentList.Add(arg);
        using var parent = Process.Start(start)!;
        parent.OutputDataReceived += (_, _) => { };
        parent.ErrorDataReceived += (_, _) => { };
        parent.BeginOutputReadLine();
        parent.BeginErrorReadLine();
        var child = 0;
        try
        {
            child = WaitFor(() => ChildrenOf(parent.Id).FirstOrDefault(), TimeSpan.FromSeconds(60));
            Assert.That(child, Is.Not.Zero, "raft-sim started no child");

            using (var kill = Process.Start("kill", ["-TERM", parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();

            Assert.That(parent.WaitForExit(60_000), Is.True, "raft-sim did not stop");
            Assert.That(WaitFor(() => Directory.Exists($"/proc/{child}") ? 0 : 1, TimeSpan.FromSeconds(30)), Is.EqualTo(1), "its child runs on alone");
        }
        finally
        {
            if (!parent.HasExited) parent.Kill(entireProcessTree: true);
            if (child != 0 && Directory.Exists($"/proc/{child}")) KillQuietly(child); // a failed run leaves nothing behind
        }
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            using var orphan = Process.GetProcessById(pid);
            orphan.Kill();
        }
        catch (ArgumentException)
        {
            // already gone
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static IEnumerable<int> ChildrenOf(int pid) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var id) ? id : 0)
            .Where(id => id != 0 && ParentOf(id) == pid);

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (name) ": state, ppid, ...
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // gone meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it is not zero or <paramref name="limit"/> passes; returns its last value.</summary>
    private static int WaitFor(Func<int> probe, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        var value = probe();
        while (value == 0 && DateTime.UtcNow < until)
        {
            Thread.Sleep(50);
            value = probe();
        }
        return value;
    }
}
