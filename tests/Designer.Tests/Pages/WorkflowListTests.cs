using Gantry.Designer.Tests.Fixtures;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

[Collection(DesignerCollection.Name)]
public sealed class WorkflowListTests(DesignerFixture designer)
{
    [Fact]
    public async Task List_ShowsWorkflowsWithStateAndSearch()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin);
        var page = session.Page;

        foreach (var id in new[] { "hotfix", "rolling-deploy", "daily-release" })
        {
            var row = page.Locator("tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = id, Exact = true }) });
            await Expect(row.Locator("td").Nth(0)).ToHaveTextAsync("v1");
            await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("published");
        }

        var search = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search workflows" });
        await search.FillAsync("rolling");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("tbody tr th")).ToHaveTextAsync("rolling-deploy");

        await search.FillAsync("zzz");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(0);
        // The recent-runs panel below has its own empty state; this is the workflow table's.
        await Expect(page.Locator(".list .empty", new() { HasText = "No workflow" })).ToHaveTextAsync("No workflow matches “zzz”.");
    }
}
