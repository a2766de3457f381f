using Raft.Simulation;
using Raft.Simulation.Faults;
using Raft.Simulation.Viewer;

namespace Raft.Tests.Viewer;

/// <summary>
/// How fast viewer pages open and seek in headless Chromium: a benchmark, not a test (it asserts
/// nothing about time). Run it with <c>benchmarks/viewer-load.sh</c>; it prints one
/// <c>viewer-load</c> line per page: events, page size, time from navigation to the viewer's ready
/// mark (median of 3 fresh tabs), the viewer's own share of it, and the mean time of a seek to a
/// random event.
/// </summary>
[Explicit("a benchmark: run benchmarks/viewer-load.sh")]
[NonParallelizable]
public sealed class ViewerLoadBenchmark
{
    [TestCase(10_000_000, TestName = "Viewer_load_5_servers_chaos_10s")]
    [TestCase(110_000_000, TestName = "Viewer_load_5_servers_chaos_110s")]
    public async Task Measure(long durationMicros)
    {
        await using var browser = await BrowserSession.StartOrSkip();
        var options = new SimulationOptions { Seed = 3, Nodes = 5, Clients = 4, Faults = FaultProfile.Chaos, MaxClockDrift = 0.05, SnapshotEveryEntries = 100, DurationMicros = durationMicros, KeepTrace = true };
        var simulation = new Raft.Simulation.Simulation(options);
        var result = simulation.Run();
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "viewer-artifacts");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"bench-{durationMicros / 1_000_000}s.html");
        ViewerPage.Write(path, ViewerPage.ForSimulation(simulation, result, $"benchmark {durationMicros / 1_000_000}s"), simulation.Trace.All);

        var ready = new List<double>();
        var own = new List<double>();
        double seekMillis = 0;
        for (var round = 0; round < 3; round++)
        {
            var tab = await browser.Open(path);
            ready.Add(tab.LoadTime.TotalMilliseconds);
            own.Add(await tab.Page.EvaluateAsync<double>("() => window.raftViewer.loadMillis ?? NaN"));
            seekMillis = await tab.Page.EvaluateAsync<double>("""
                () => { const v = window.raftViewer; let x = 12345, total = 0;
                  for (let k = 0; k < 50; k++) { x = (x * 1103515245 + 12345) % 2147483648; const t0 = performance.now(); v.seek(x % v.count); total += performance.now() - t0; }
                  return total / 50; }
                """);
            Assert.That(tab.Errors, Is.Empty);
            await tab.Page.CloseAsync();
        }
        ready.Sort();
        own.Sort();
        TestContext.Out.WriteLine($"viewer-load {simulation.Trace.Count,7} events  {new FileInfo(path).Length / 1e6,6:0.0} MB  ready {ready[1],6:0} ms (min {ready[0]:0}, max {ready[2]:0})  viewer script {own[1],5:0} ms  seek {seekMillis,5:0.0} ms");
    }
}
