using System.Text.RegularExpressions;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

[Collection(DesignerCollection.Name)]
public sealed class CompareTests(DesignerFixture designer)
{
    [Fact]
    public async Task Compare_HighlightsChangedSteps()
    {
        await Definitions.SaveAsync(designer.Server, "compare-demo", Definitions.TwoSteps("compare-demo", "two"), "first");
        await Definitions.SaveAsync(designer.Server, "compare-demo", Definitions.TwoSteps("compare-demo", "two, changed") + "  - id: third\n    uses: log\n    with: { message: \"three\" }\n", "second");
        await using var session = await designer.OpenAsync(TokenRole.Viewer, "/workflows/compare-demo");
        var page = session.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "Compare" }).ClickAsync();

        var before = page.Locator(".compare-side").Nth(0);
        var after = page.Locator(".compare-side").Nth(1);
        await Expect(before.GetByRole(AriaRole.Heading)).ToHaveTextAsync("v1");
        await Expect(after.GetByRole(AriaRole.Heading)).ToHaveTextAsync("v2");
        await Expect(before.Locator(".gnode[data-label='second']")).ToHaveClassAsync(new Regex("\\bdiff-changed\\b"));
        await Expect(after.Locator(".gnode[data-label='second']")).ToHaveClassAsync(new Regex("\\bdiff-changed\\b"));
        await Expect(after.Locator(".gnode[data-label='third']")).ToHaveClassAsync(new Regex("\\bdiff-added\\b"));
        await Expect(before.Locator(".gnode[data-label='third']")).ToHaveCountAsync(0);
        await Expect(before.Locator(".gnode[data-label='first']")).Not.ToHaveClassAsync(new Regex("\\bdiff-"));
        await Expect(page.Locator(".compare .toolbar .muted")).ToHaveTextAsync("2 step changes");
    }

    [Fact]
    public async Task Compare_OneChange_IsSingular()
    {
        await Definitions.SaveAsync(designer.Server, "compare-one", Definitions.TwoSteps("compare-one", "two"), "first");
        await Definitions.SaveAsync(designer.Server, "compare-one", Definitions.TwoSteps("compare-one", "two, changed"), "second");
        await using var session = await designer.OpenAsync(TokenRole.Viewer, "/workflows/compare-one/compare?from=1&to=2");

        await Expect(session.Page.Locator(".compare .toolbar .muted")).ToHaveTextAsync("1 step change");
    }
}
