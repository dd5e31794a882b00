using System.Text.RegularExpressions;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

/// <summary>The run page's Retry button: a run that failed on a missing file goes on, in the same run, once the file is there.</summary>
[Collection(DesignerCollection.Name)]
public sealed class RetryTests(DesignerFixture designer)
{
    [Fact]
    public async Task Run_FailedThenFixed_RetryFromThePickedStepSucceedsInTheSameRun()
    {
        var marker = Path.Combine(designer.Server.Workspace, $"retry-marker-{Guid.NewGuid():N}");
        await Definitions.SaveAsync(designer.Server, "retry-me", $$"""
            id: retry-me
            steps:
              - id: before
                uses: log
                with: { message: "before the check" }
              - id: check
                uses: shell.local
                with: { command: [test, -f, "{{marker}}"] }
              - id: after
                uses: log
                with: { message: "after the check" }

            """, "fails until the marker file exists");
        using (var admin = designer.Server.Client(TokenRole.Admin))
        {
            using var published = await admin.PostAsync("/api/definitions/retry-me/versions/1/publish", null);
            Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync());
        }

        var runId = await designer.Server.StartRunAsync("retry-me", new { });
        Assert.Equal(RunStatus.Failed, (await designer.Server.WaitForStatusAsync(runId, RunStatus.Failed, RunStatus.Succeeded)).Status);
        File.WriteAllText(marker, "fixed");
        await using var session = await designer.OpenAsync(TokenRole.Operator, $"/runs/{runId}");
        var page = session.Page;
        await Expect(page.Locator(".toolbar .badge.status-failed")).ToHaveTextAsync("failed", new() { Timeout = 30_000 });
        var picker = page.GetByLabel("from", new() { Exact = true });
        await Expect(picker.Locator("option")).ToHaveTextAsync(["the failed step (default)", "before", "check"]);

        await picker.SelectOptionAsync("check");
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        await Expect(page.Locator(".toolbar .badge.status-succeeded")).ToHaveTextAsync("succeeded", new() { Timeout = 60_000 });
        await Expect(session.Node("after")).ToHaveClassAsync(new Regex("\\brun-succeeded\\b"));
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Journal" })).ToContainTextAsync("retried from 'check', as asked by operator-token");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToHaveCountAsync(0);
        var journal = await designer.Server.Runs.ReadJournalAsync(runId, 0, CancellationToken.None);
        Assert.Equal("operator-token", Assert.Single(journal, e => e.Type == JournalEventTypes.RunRetried).Actor);
        Assert.Single(journal, e => e.Type == JournalEventTypes.StepStarted && e.StepId == "before");
    }
}
