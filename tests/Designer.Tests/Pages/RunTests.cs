using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

[Collection(DesignerCollection.Name)]
public sealed class RunTests(DesignerFixture designer)
{
    private static readonly Regex Succeeded = new("\\brun-succeeded\\b");

    /// <summary>
    /// A whole sandbox hotfix, watched: the graph is sampled after every server-sent event and every
    /// change of the page, and no sample may find a hidden node or an empty canvas (issue 21: the
    /// graph blanked on each event and sometimes stayed empty after the run succeeded).
    /// </summary>
    [Fact]
    public async Task Run_Hotfix_WaitsThenApproveFinishes_GraphNeverBlank()
    {
        // An admin: merge-gate signals count only from approvers and admins (or the signed webhook).
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/hotfix/run", GraphWatch.InstallAsync);
        var page = session.Page;

        await Expect(page.GetByLabel("Environment")).ToHaveValueAsync("sandbox");
        await page.Locator("#input-version").FillAsync("3.0.1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/runs/[^/]+$"));
        var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        // The graph follows the event stream: review waits for the merge, the steps before it are done.
        await Expect(session.Node("review")).ToHaveClassAsync(new Regex("\\brun-waiting\\b"), new() { Timeout = 60_000 });
        foreach (var done in new[] { "start", "bump", "push" })
        {
            await Expect(session.Node(done)).ToHaveClassAsync(Succeeded);
        }

        await Expect(page.Locator(".toolbar .badge.status-waiting")).ToHaveTextAsync("waiting");
        var waiting = page.GetByRole(AriaRole.Region, new() { Name = "Waiting steps" });
        await Expect(waiting.Locator(".wait-card p").First).ToHaveTextAsync(new Regex("^review waits for pull_request: a pull request merged into hotfix/3\\.0\\.1 \\(now at [0-9a-f]{40}\\), approved by pr-nightmare, with its checks passed$"));
        await session.ScreenshotAsync("run-waiting.png");
        await waiting.GetByRole(AriaRole.Button, new() { Name = "Send signal pull_request" }).ClickAsync();

        await WithJournalOnFailureAsync(runId, () => Expect(session.Node("rollout")).ToHaveClassAsync(new Regex("\\brun-running\\b"), new() { Timeout = 60_000 }));
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Per-host progress" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await session.ScreenshotAsync("run.png");
        await WithJournalOnFailureAsync(runId, () => Expect(page.Locator(".toolbar .badge.status-succeeded")).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 }));
        foreach (var step in new[] { "start", "bump", "push", "review", "finish", "rollout" })
        {
            await Expect(session.Node(step)).ToHaveClassAsync(Succeeded);
        }

        var hosts = page.GetByRole(AriaRole.Region, new() { Name = "Per-host progress" }).Locator("li.host");
        await Expect(hosts).ToHaveCountAsync(4);
        Assert.Equal(["web1", "web2", "web3", "web4"], (await hosts.AllInnerTextsAsync()).Select(h => h.Split(' ', '\n')[0]).Order());
        var lb = page.GetByRole(AriaRole.Region, new() { Name = "Load balancer" });
        await Expect(lb.Locator(".lb-group.lb-live strong")).ToHaveTextAsync(["group1", "group2"]);
        await session.ScreenshotAsync("run-succeeded.png");

        var watched = await GraphWatch.ReadAsync(page);
        Assert.True(watched.SseEvents >= 20, $"the page read only {watched.SseEvents} server-sent events");
        Assert.True(watched.BlankSamples == 0, $"{watched.BlankSamples} of {watched.Samples} samples found the graph blank; first: {watched.FirstBlank}");
        Assert.True(watched.FirstHostContradiction is null, $"the host panel contradicted itself: {watched.FirstHostContradiction}");
        await Expect(page.Locator(".host-summary")).ToHaveTextAsync("4/4 done");
        await Expect(session.Node("rollout").Locator(".badge")).ToHaveTextAsync("4/4 hosts");
        // The journal followed the run to its last entry.
        var journal = page.GetByRole(AriaRole.Region, new() { Name = "Journal" });
        await Expect(journal.Locator("li").Last).ToContainTextAsync("run succeeded");
        // Sampled frame by frame (what a user sees): panels above the journal still change size after its last entry
        // (the load balancer's state arrives later), and a one-shot read can fall between that change and the next frame.
        await page.WaitForFunctionAsync(
            "j => j.scrollHeight > j.clientHeight && j.scrollHeight - j.scrollTop - j.clientHeight < 24",
            await journal.ElementHandleAsync(),
            new() { Timeout = 10_000 });
        foreach (var step in new[] { "start", "bump", "push", "review", "finish", "rollout" })
        {
            // Drawn, in the graph's visible area, and in the succeeded colour.
            await Expect(session.Node(step)).ToBeInViewportAsync();
            Assert.Equal("rgb(31, 138, 76)", await session.Node(step).EvaluateAsync<string>("n => getComputedStyle(n).borderTopColor"));
        }
    }

    /// <summary>A page that stops following its run is told apart from a run that stopped: the failure shows the run's journal.</summary>
    private async Task WithJournalOnFailureAsync(string runId, Func<Task> expectation)
    {
        try
        {
            await expectation();
        }
        catch (PlaywrightException ex)
        {
            var run = await designer.Server.Runs.GetRunAsync(runId, CancellationToken.None);
            var journal = await designer.Server.Runs.ReadJournalAsync(runId, 0, CancellationToken.None);
            var lines = journal.Select(e => $"{e.Sequence} {e.Time:HH:mm:ss.fff} {e.Type} {e.Path} {e.Host} {e.Message} {e.Error?.Message}");
            throw new Xunit.Sdk.XunitException($"{ex.Message}\nRun {runId} is {run?.Status}; its journal:\n{string.Join('\n', lines)}");
        }
    }

    [Fact]
    public async Task Run_Cancel_RunsOnFailure()
    {
        // A rollout that holds after taking group1 out, so the run is surely in flight when the
        // button is clicked (a sandbox rolling-deploy could finish before the click).
        await Definitions.SaveAsync(designer.Server, "cancel-rollout", """
            id: cancel-rollout
            steps:
              - id: group2_live
                uses: lb.live
                with: { groups: [group2] }
              - id: hold
                uses: wait
                with: { delay: 10m }
            on_failure:
              - uses: lb.restore

            """, "holds for ten minutes", publish: true);

        await using var session = await designer.OpenAsync(TokenRole.Operator, "/workflows/cancel-rollout/run");
        var page = session.Page;
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(session.Node("hold")).ToHaveClassAsync(new Regex("\\brun-waiting\\b"), new() { Timeout = 60_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" }).ClickAsync();

        await Expect(page.Locator(".toolbar .badge.status-cancelled")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
        await Expect(page.Locator(".react-flow__node[data-id='on_failure'] .gnode")).ToHaveAttributeAsync("data-label", "on failure");
        await Expect(session.Node("lb.restore")).ToHaveClassAsync(Succeeded);
    }

    [Fact]
    public async Task Run_StartForm_RequiresInputs()
    {
        // hotfix and daily-release compute their version when none is given; this one must be told.
        await Definitions.SaveAsync(designer.Server, "needs-version", """
            id: needs-version
            inputs:
              version: { type: string, required: true }
            steps:
              - uses: log
                with: { message: "{{ inputs.version }}" }

            """, "one required input", publish: true);

        var before = await RunCountAsync("needs-version");
        await using var session = await designer.OpenAsync(TokenRole.Operator, "/workflows/needs-version/run");
        var page = session.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Fill in version: it is required.");
        Assert.Equal(before, await RunCountAsync("needs-version"));
    }

    private async Task<int> RunCountAsync(string workflow)
    {
        using var client = designer.Server.Client(TokenRole.Viewer);
        var body = JsonDocument.Parse(await client.GetStringAsync($"/api/runs?workflow={workflow}")).RootElement;
        return (body.ValueKind == JsonValueKind.Array ? body : body.GetProperty("items")).GetArrayLength();
    }
}
