using System.Text.Json;
using Microsoft.Playwright;

namespace Raft.Tests.Viewer;

/// <summary>
/// A headless Chromium driven by Playwright, for the viewer's browser tests. Playwright cannot
/// download its own browser here, so the tests use the system's: <c>RAFT_CHROMIUM</c> if set, else
/// Debian's <c>chromium</c> package. Without one, the tests are reported as skipped with the
/// reason, never as passed (.ci/run installs the package).
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright playwright;

    private BrowserSession(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    private static readonly string[] KnownChromiums = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    /// <summary>The Chromium to use, or null if this machine has none.</summary>
    public static string? ChromiumPath()
    {
        var chosen = Environment.GetEnvironmentVariable("RAFT_CHROMIUM");
        if (!string.IsNullOrEmpty(chosen)) return File.Exists(chosen) ? chosen : null;
        return KnownChromiums.FirstOrDefault(File.Exists);
    }

    /// <summary>Starts the browser, or marks the test skipped (Assert.Ignore) when there is none.</summary>
    public static async Task<BrowserSession> StartOrSkip()
    {
        var path = ChromiumPath();
        if (path is null)
            Assert.Ignore("no Chromium on this machine (install Debian's chromium package, or set RAFT_CHROMIUM to a Chromium executable): the viewer's browser tests did not run");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"],
        });
        return new BrowserSession(playwright, browser);
    }

    /// <summary>Opens a page file and waits until the viewer says it is ready; fails on any script error.</summary>
    public async Task<ViewerTab> Open(string path, string fragment = "")
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1200 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        var started = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync(new Uri(Path.GetFullPath(path)).AbsoluteUri + fragment);
        await page.WaitForSelectorAsync("body[data-ready='true']", new PageWaitForSelectorOptions { Timeout = 120_000 });
        started.Stop();
        return new ViewerTab(page, errors, started.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
    }
}

/// <summary>One open viewer page: seek, read what it shows, save a screenshot.</summary>
public sealed class ViewerTab(IPage page, List<string> errors, TimeSpan loadTime)
{
    private static readonly JsonSerializerOptions ReadJson = new() { PropertyNameCaseInsensitive = true };

    public IPage Page => page;

    /// <summary>Script errors the page reported (a correct page reports none).</summary>
    public IReadOnlyList<string> Errors => errors;

    /// <summary>From navigation to the viewer's ready mark.</summary>
    public TimeSpan LoadTime => loadTime;

    public async Task<int> Count() => await page.EvaluateAsync<int>("() => window.raftViewer.count");

    public async Task<int> Cursor() => await page.EvaluateAsync<int>("() => window.raftViewer.cursor");

    public async Task Seek(int index) => await page.EvaluateAsync("i => window.raftViewer.seek(i)", index);

    /// <summary>What the logs view shows for every server, read from the page's elements (not from its script's state).</summary>
    public async Task<IReadOnlyList<ServerView>> Servers()
    {
        var json = await page.EvaluateAsync<string>("""
            () => JSON.stringify([...document.querySelectorAll('#logs .server-log')].map(s => ({
              server: s.dataset.server, status: s.dataset.status, role: s.dataset.role,
              term: Number(s.dataset.term), commit: Number(s.dataset.commit),
              snapshotIndex: Number(s.dataset.snapshotIndex),
              log: [...s.querySelectorAll('.entry')].map(e => e.dataset.index + '@' + e.dataset.term).join(' '),
              progress: s.dataset.status !== 'up' ? '' : [...document.querySelectorAll(`#progress table[data-leader="${s.dataset.server}"] tr[data-follower]`)]
                .map(r => r.dataset.follower + '=' + r.querySelector('td.match').textContent.trim() + '/' + r.querySelector('td.next').textContent.trim()).join(' ')
            })))
            """);
        return JsonSerializer.Deserialize<List<ServerView>>(json, ReadJson)!;
    }

    public async Task<string> Text(string selector) => (await page.Locator(selector).First.TextContentAsync() ?? "").Trim();

    public async Task<string?> Attribute(string selector, string name) => await page.Locator(selector).First.GetAttributeAsync(name);

    /// <summary>Saves a screenshot as a test artifact (attached to the test's result).</summary>
    public async Task Screenshot(string name)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "viewer-artifacts");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        TestContext.AddTestAttachment(file, name);
    }
}

/// <summary>
/// One server as the viewer or the simulator sees it: the log as "index@term" pairs after the
/// snapshot, and for a leader its matchIndex/nextIndex per follower as "n2=5/6 n3=4/5".
/// </summary>
public sealed record ServerView(string Server, string Status, string Role, long Term, long Commit, long SnapshotIndex, string Log, string Progress)
{
    /// <summary>A server that is down: only its status is compared (its volatile state is gone).</summary>
    public ServerView Comparable => Status == "down" ? new ServerView(Server, Status, "", 0, 0, 0, "", "") : this;
}
