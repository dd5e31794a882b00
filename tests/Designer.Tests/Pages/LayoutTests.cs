using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

/// <summary>Layouts that hold for every role and every size of workflow (issue 21, points 2 and 6).</summary>
[Collection(DesignerCollection.Name)]
public sealed class LayoutTests(DesignerFixture designer)
{
    [Theory]
    [InlineData(TokenRole.Viewer)]
    [InlineData(TokenRole.Operator)]
    public async Task ReadOnlyEditor_GraphTakesTheCatalogueColumn(TokenRole role)
    {
        await using var session = await designer.OpenAsync(role, "/workflows/rolling-deploy");
        var page = session.Page;
        await session.GraphSettledAsync();

        var body = await BoxAsync(page.Locator(".editor-body"));
        var graph = await BoxAsync(page.Locator(".editor-body .graph"));
        // No empty 250 px column on the left: the graph starts at the body's edge and has most of its width.
        Assert.True(Math.Abs(graph.X - body.X) < 2, $"graph starts at {graph.X}, body at {body.X}");
        Assert.True(graph.Width > body.Width * 0.55, $"graph is {graph.Width} px of {body.Width}");
        await Expect(session.Node("flip")).ToBeInViewportAsync();
    }

    [Fact]
    public async Task Editor_UnsavedChangesAndManyProblems_ToolbarOneLineAndPageDoesNotScroll()
    {
        await Definitions.SaveAsync(designer.Server, "layout-demo", Definitions.TwoSteps("layout-demo", "two"), "first");
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/layout-demo");
        var page = session.Page;
        await session.GraphSettledAsync();

        // Twelve unknown activities: unsaved changes and a long problem list at once.
        await session.AppendYamlAsync(string.Concat(Enumerable.Range(1, 12).Select(i => $"  - id: bad{i}\n    uses: nothing.here{i}\n")));
        await Expect(page.Locator(".badge", new() { HasText = "unsaved changes" })).ToBeVisibleAsync();
        await Expect(page.Locator(".problems summary")).ToHaveTextAsync(new Regex("^1[2-9] validation problems$"));

        var toolbar = page.Locator(".editor .toolbar");
        var title = await BoxAsync(toolbar.Locator("h1"));
        var run = await BoxAsync(toolbar.GetByRole(AriaRole.Link, new() { Name = "Run…" }));
        Assert.True(Math.Abs(run.Y + run.Height / 2 - (title.Y + title.Height / 2)) < 6, $"Run… is at y {run.Y}, the title at {title.Y}: the toolbar wrapped");
        Assert.True(run.X + run.Width <= 1600, "Run… is cut off on the right");
        Assert.Equal(900, await page.EvaluateAsync<int>("() => document.scrollingElement.scrollHeight"));
        var graph = await BoxAsync(page.Locator(".editor-body .graph"));
        Assert.True(graph.Y + graph.Height <= 900, $"the graph's bottom is at {graph.Y + graph.Height}, below the window");
        await session.ScreenshotAsync("editor-problems.png");
    }

    [Fact]
    public async Task BigWorkflow_BlocksCollapsedMinimapAndReadableZoom()
    {
        await Definitions.SaveAsync(designer.Server, "big", Definitions.Generated("big", 200), "200 steps");
        await using var session = await designer.OpenAsync(TokenRole.Viewer, "/workflows/big");
        var page = session.Page;
        await session.GraphSettledAsync();

        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Minimap of the whole workflow" })).ToBeVisibleAsync();
        // Only the nodes in view are drawn; every block among them starts collapsed.
        await Expect(page.Locator(".gnode-toggle[aria-expanded='true']")).ToHaveCountAsync(0);
        Assert.True(await page.Locator(".gnode-toggle[aria-expanded='false']").CountAsync() >= 2, "the blocks in view are drawn collapsed");
        Assert.True(await page.Locator(".react-flow__node").CountAsync() < 60, "nodes out of view are not rendered");
        var zoom = await page.EvaluateAsync<double>("() => new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')).transform).a");
        Assert.True(zoom >= 0.8, $"fitted at zoom {zoom}: below the readable minimum");
        // The first step is in view at the top; the last is reached by scrolling, not by shrinking.
        await Expect(session.Node("s0")).ToBeInViewportAsync();
        await Expect(page.Locator(".react-flow__node[data-id='steps[0]']")).ToBeVisibleAsync();

        // A collapsed block opens on demand and shows its steps.
        var block = page.Locator(".react-flow__node[data-id='steps[5]']");
        await Expect(block.Locator(".gnode-detail")).ToHaveTextAsync("1 step inside");
        await block.GetByRole(AriaRole.Button, new() { Name = "Expand each5" }).ClickAsync();
        await Expect(session.Node("c5")).ToBeVisibleAsync();
        await session.ScreenshotAsync("editor-big.png");
    }

    private static async Task<LocatorBoundingBoxResult> BoxAsync(ILocator locator) =>
        await locator.BoundingBoxAsync() ?? throw new Xunit.Sdk.XunitException($"{locator} is not drawn");
}
