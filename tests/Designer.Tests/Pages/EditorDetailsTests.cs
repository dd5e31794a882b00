using System.Text.RegularExpressions;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

/// <summary>The smaller editor faults of issue 21, point 7, one test each.</summary>
[Collection(DesignerCollection.Name)]
public sealed class EditorDetailsTests(DesignerFixture designer)
{
    [Fact]
    public async Task UnsavedChanges_LeavingAsksFirst()
    {
        await Definitions.SaveAsync(designer.Server, "leave-demo", Definitions.TwoSteps("leave-demo", "two"), "first");
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/leave-demo");
        var page = session.Page;
        await session.AppendYamlAsync("  - id: third\n    uses: log\n    with: { message: three }\n");
        await Expect(page.Locator(".badge", new() { HasText = "unsaved changes" })).ToBeVisibleAsync();
        var asked = new List<string>();
        page.Dialog += (_, dialog) => { asked.Add(dialog.Message); _ = asked.Count == 1 ? dialog.DismissAsync() : dialog.AcceptAsync(); };

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Workflows" }).ClickAsync();
        // Dismissed: still in the editor with the change.
        await Expect(page).ToHaveURLAsync(new Regex("#/workflows/leave-demo$"));
        await Expect(page.Locator(".badge", new() { HasText = "unsaved changes" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Workflows" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/$"));
        Assert.Equal(["Leave the editor? Your unsaved changes will be lost.", "Leave the editor? Your unsaved changes will be lost."], asked);
    }

    [Fact]
    public async Task UnsavedChanges_BrowserBackAsksFirst()
    {
        await Definitions.SaveAsync(designer.Server, "back-demo", Definitions.TwoSteps("back-demo", "two"), "first");
        await using var session = await designer.OpenAsync(TokenRole.Admin);
        var page = session.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "back-demo", Exact = true }).ClickAsync();
        await session.AppendYamlAsync("  - id: third\n    uses: log\n    with: { message: three }\n");
        await Expect(page.Locator(".badge", new() { HasText = "unsaved changes" })).ToBeVisibleAsync();
        var asked = new List<string>();
        page.Dialog += (_, dialog) => { asked.Add(dialog.Message); _ = asked.Count == 1 ? dialog.DismissAsync() : dialog.AcceptAsync(); };

        await page.GoBackAsync();
        // Dismissed: the address is the editor's again and the change is still there.
        await Expect(page).ToHaveURLAsync(new Regex("#/workflows/back-demo$"));
        await Expect(page.Locator(".badge", new() { HasText = "unsaved changes" })).ToBeVisibleAsync();
        Assert.Contains("id: third", await session.YamlAsync(), StringComparison.Ordinal);

        await page.GoBackAsync();
        // Accepted: the list the session opened on (its address has no hash).
        await Expect(page).ToHaveURLAsync(new Regex("/(#/)?$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "back-demo", Exact = true })).ToBeVisibleAsync();
        Assert.Equal(["Leave the editor? Your unsaved changes will be lost.", "Leave the editor? Your unsaved changes will be lost."], asked);
    }

    [Fact]
    public async Task RefusedSave_ShowsItsErrorOnce()
    {
        await Definitions.SaveAsync(designer.Server, "refused-demo", Definitions.TwoSteps("refused-demo", "two"), "first");
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/refused-demo");
        var page = session.Page;
        await session.AppendYamlAsync("  - id: third\n    uses: no.such.activity\n");

        await page.GetByRole(AriaRole.Button, new() { Name = "Save version" }).ClickAsync();

        await Expect(page.Locator(".problems summary")).ToHaveTextAsync("Not saved: 1 validation problem");
        await Expect(page.Locator(".problems li")).ToHaveCountAsync(1);
        await Expect(page.Locator(".problems li")).ToContainTextAsync("no.such.activity");
        // Nowhere else on the page outside the problem list, the node's badge and the YAML's own diagnostics.
        await Expect(page.Locator(".error-box")).ToHaveCountAsync(0);
        await Expect(page.Locator(".editor > [role='alert']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Catalogue_NamesTheSelectedStep_AndAddsBlocksAsBlockYaml()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/block-demo?new");
        var page = session.Page;
        var palette = page.GetByRole(AriaRole.Complementary, new() { Name = "Activity catalogue" });

        await palette.Locator("button", new() { Has = page.Locator(".name", new() { HasTextRegex = new Regex("^group$") }) }).ClickAsync();
        // The new block is selected: the catalogue names it, not its path (steps[0]).
        await Expect(session.Node("group").Locator("button.gnode-label")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(palette.Locator("p.small")).ToHaveTextAsync("Adds inside group");
        await palette.Locator("button", new() { Has = page.Locator(".name", new() { HasTextRegex = new Regex("^foreach$") }) }).ClickAsync();
        await Expect(palette.Locator("p.small")).ToHaveTextAsync("Adds inside foreach");

        Assert.Equal("id: block-demo\nsteps:\n  - group:\n      - foreach: group1\n        as: host\n        steps: []\n", await session.YamlAsync());
    }

    [Fact]
    public async Task PropertiesPanel_StartsAtTheTopForEachStep()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/rolling-deploy");
        var page = session.Page;
        await session.SelectStepAsync("deploy_out_1");
        var panel = page.Locator(".props");
        await panel.EvaluateAsync("p => { p.scrollTop = p.scrollHeight; }");
        Assert.True(await panel.EvaluateAsync<double>("p => p.scrollTop") > 50, "the properties of deploy_out_1 are long enough to scroll");

        await session.SelectStepAsync("flip");

        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Properties of flip" })).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator(".props").EvaluateAsync<double>("p => p.scrollTop"));
    }

    [Fact]
    public async Task YamlEditor_ShowsAFocusRing()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/rolling-deploy");
        var page = session.Page;
        await page.Locator(".cm-content").FocusAsync();

        var ring = await page.Locator(".yaml").EvaluateAsync<string>("y => { const s = getComputedStyle(y); return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`; }");
        Assert.Equal("solid 3px rgb(242, 169, 0)", ring);
    }

    [Fact]
    public async Task EveryPage_NoFailedRequestAndNoConsoleError_EvenWhileTheYamlIsInvalid()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/rolling-deploy");
        var page = session.Page;
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add($"console: {message.Text}"); };
        page.Response += (_, response) => { if (response.Status >= 400) problems.Add($"{response.Status} {response.Url}"); };
        await page.ReloadAsync();
        await session.GraphSettledAsync();

        await page.Locator(".cm-line", new() { HasTextRegex = new Regex("^    uses: lb\\.flip$") }).ClickAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync("p");
        await Expect(session.Node("flip")).ToHaveClassAsync(new Regex("\\bhas-error\\b"));

        Assert.Empty(problems);
        Assert.StartsWith("data:image/svg+xml", await page.Locator("link[rel='icon']").GetAttributeAsync("href"), StringComparison.Ordinal);
    }
}
