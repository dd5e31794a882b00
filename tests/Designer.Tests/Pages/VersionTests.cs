using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

/// <summary>Rolling a workflow back to an older version (issue 21, point 3).</summary>
[Collection(DesignerCollection.Name)]
public sealed class VersionTests(DesignerFixture designer)
{
    [Fact]
    public async Task OlderVersion_MakeCurrent_NewRunsUseItAndListSaysWhoAndWhen()
    {
        await Definitions.SaveAsync(designer.Server, "roll-back", Definitions.TwoSteps("roll-back", "good"), "good", publish: true);
        await Definitions.SaveAsync(designer.Server, "roll-back", Definitions.TwoSteps("roll-back", "bad"), "bad", publish: true);

        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/roll-back?version=1");
        var page = session.Page;
        var version = page.GetByRole(AriaRole.Combobox, new() { Name = "Version" });
        await Expect(version.Locator("option")).ToHaveTextAsync([new Regex("^v1 · published · admin-token .+ · good$"), new Regex("^v2 · published \\(current\\) · admin-token .+ · bad$")]);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish v1" })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Make v1 current" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("v1 is current again, published as v3: new runs use it.");
        await Expect(version.Locator("option")).ToHaveCountAsync(3);
        await Expect(version.Locator("option").Nth(2)).ToHaveTextAsync(new Regex("^v3 · published \\(current\\) · admin-token \\S.+ · re-published v1$"));
        await Expect(version).ToHaveValueAsync("3");
        await Expect(page.Locator(".toolbar .badge.published")).ToHaveTextAsync("published · current");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish v3" })).ToBeDisabledAsync();

        using var viewer = designer.Server.Client(TokenRole.Viewer);
        var current = JsonDocument.Parse(await viewer.GetStringAsync("/api/definitions/roll-back")).RootElement;
        Assert.Equal(3, current.GetProperty("version").GetInt32());
        Assert.Equal(Definitions.TwoSteps("roll-back", "good"), current.GetProperty("text").GetString());
        await session.ScreenshotAsync("editor-rolled-back.png");
    }
}
