using System.Net.Http.Json;
using System.Text.Json;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

[Collection(DesignerCollection.Name)]
public sealed class ViewerTests(DesignerFixture designer)
{
    [Fact]
    public async Task Viewer_SeesNoEditControls()
    {
        await using var session = await designer.OpenAsync(TokenRole.Viewer);
        var page = session.Page;
        await Expect(page.Locator(".topbar .who")).ToHaveTextAsync("viewer-token · viewer");
        await Expect(page.Locator(".topbar .badge.readonly")).ToHaveTextAsync("read-only");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "rolling-deploy", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Run…" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New workflow" })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "rolling-deploy", Exact = true }).ClickAsync();
        await Expect(session.Node("flip")).ToBeVisibleAsync();

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save version" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish v1" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Run…" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".palette")).ToHaveCountAsync(0);
        await Expect(page.Locator(".cm-content")).ToHaveAttributeAsync("contenteditable", "false");
        await session.SelectStepAsync("deploy_out_1");
        await Expect(page.Locator("[id='steps[4]-with-max_parallel']")).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Toolbar, new() { Name = "Step structure" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Viewer_WaitingRun_CannotSignalOrCancel()
    {
        var runId = await designer.Server.StartRunAsync("approval", new { environment = "sandbox" });
        await designer.Server.WaitForStatusAsync(runId, RunStatus.Waiting);
        try
        {
            await using var session = await designer.OpenAsync(TokenRole.Viewer, $"/runs/{runId}");
            var page = session.Page;

            var waiting = page.GetByRole(AriaRole.Region, new() { Name = "Waiting steps" });
            await Expect(waiting.Locator(".wait-card p").First).ToHaveTextAsync("ask waits for approve: approval: Ship it?");
            await Expect(session.Node("ask")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\brun-waiting\\b"));
            await Expect(waiting.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" })).ToHaveCountAsync(0);
        }
        finally
        {
            using var client = designer.Server.Client(TokenRole.Operator);
            using var cancel = await client.PostAsync($"/api/runs/{runId}/cancel", JsonContent.Create(new { }));
            await designer.Server.WaitForStatusAsync(runId, RunStatus.Cancelled);
        }
    }
}
