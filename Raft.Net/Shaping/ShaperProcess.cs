using System.Diagnostics;
using Raft.Net.Commands;

namespace Raft.Net.Shaping;

/// <summary>
/// A <c>raft-net shaper</c> process, started with a launch prefix (<c>ip netns exec NS</c>) so
/// that it shapes one namespace's queue. It keeps the last counters the shaper printed, so that
/// a shaper that died still reports what it did up to its last second.
/// </summary>
public sealed class ShaperProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> errors = [];
    private readonly TaskCompletionSource<bool> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private ShaperCounters counters;
    private bool stopped;

    private ShaperProcess(Process process)
    {
        this.process = process;
    }

    /// <summary>Starts a shaper; <see cref="WaitUntilReady"/> waits until it holds its queue.</summary>
    public static ShaperProcess Start(IReadOnlyList<string> launchPrefix, ushort queue, PacketShaping shaping, ulong seed)
    {
        var start = new ProcessStartInfo(launchPrefix.Count > 0 ? launchPrefix[0] : DotnetHost())
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in launchPrefix.Skip(1)) start.ArgumentList.Add(arg);
        if (launchPrefix.Count > 0) start.ArgumentList.Add(DotnetHost());
        start.ArgumentList.Add(typeof(ShaperProcess).Assembly.Location);
        foreach (var arg in new[] { "shaper", "--queue", queue.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                     .Concat(shaping.Arguments()).Concat(["--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            start.ArgumentList.Add(arg);
        }
        var shaper = new ShaperProcess(Process.Start(start) ?? throw new InvalidOperationException("cannot start raft-net shaper"));
        shaper.Listen();
        return shaper;
    }

    /// <summary>Waits until the shaper holds its queue; throws with the shaper's own words if it does not.</summary>
    public void WaitUntilReady(TimeSpan timeout)
    {
        if (ready.Task.Wait(timeout) && ready.Task.Result) return;
        if (!process.HasExited) process.Kill();
        process.WaitForExit();
        throw new InvalidOperationException($"the packet shaper did not start: {Problem() ?? $"no word from it within {timeout.TotalSeconds:0} s"}");
    }

    /// <summary>The counters the shaper printed last.</summary>
    public ShaperCounters Counters
    {
        get { lock (gate) return counters; }
    }

    /// <summary>What went wrong with the shaper (its exit before being told to stop, its error lines), or null.</summary>
    public string? Problem()
    {
        lock (gate)
        {
            var exited = !stopped && process.HasExited ? $"exited early with code {process.ExitCode}" : null;
            var said = errors.Count > 0 ? string.Join("; ", errors) : null;
            return exited is null && said is null ? null : string.Join(": ", new[] { exited, said }.Where(s => s is not null));
        }
    }

    /// <summary>Closes the shaper's standard input, which makes it let every held packet go, print its last counters and exit; kills it after 5 s.</summary>
    public void Stop()
    {
        lock (gate)
        {
            if (stopped) return;
            stopped = true;
        }
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It is gone already.
        }
        if (!process.WaitForExit(5_000)) process.Kill();
        process.WaitForExit(); // and its output is read to the end
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
    }

    private void Listen()
    {
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetResult(false);
                return;
            }
            if (e.Data.StartsWith(ShaperCommand.ReadyLine, StringComparison.Ordinal)) ready.TrySetResult(true);
            else if (ShaperCounters.Parse(e.Data) is { } latest) lock (gate) counters = latest;
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (gate) errors.Add(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private static string DotnetHost()
    {
        var path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }
}
