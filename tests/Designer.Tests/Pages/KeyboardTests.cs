using Gantry.Designer.Tests.Fixtures;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

[Collection(DesignerCollection.Name)]
public sealed class KeyboardTests(DesignerFixture designer)
{
    [Fact]
    public async Task Keyboard_TabReachesStepsFormAndYaml_EnterAndSpaceActivate()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/rolling-deploy");
        var page = session.Page;
        await Expect(session.Node("flip")).ToBeVisibleAsync();

        var reached = await TabUntilAsync(page, "button.gnode-label", "flip");
        Assert.Equal("3px solid rgb(242, 169, 0)", await page.EvaluateAsync<string>("() => { const s = getComputedStyle(document.activeElement); return `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}`; }"));
        Assert.True(reached > 3, $"the step button came after {reached} tabs: the toolbar and the catalogue come first");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Properties of flip" })).ToBeVisibleAsync();

        await TabUntilAsync(page, "button", "↓ Down");
        await page.Keyboard.PressAsync(" ");
        Assert.Matches(@"- id: deploy_out_2\n(.*\n)*  - id: flip\n", await session.YamlAsync());

        // The YAML editor is in the tab order and does not trap Tab.
        await TabUntilAsync(page, ".cm-content", null);
        await page.Keyboard.PressAsync("Tab");
        Assert.False(await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('cm-content')"));
    }

    /// <summary>Presses Tab until the focused element matches selector (and has that text); returns how many presses it took.</summary>
    private static async Task<int> TabUntilAsync(IPage page, string selector, string? text)
    {
        for (var presses = 1; presses <= 120; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var matches = await page.EvaluateAsync<bool>(
                "([selector, text]) => { const e = document.activeElement; return !!e && e.matches(selector) && (text === null || e.textContent.trim().endsWith(text)); }",
                new object?[] { selector, text });
            if (matches)
            {
                return presses;
            }
        }

        throw new Xunit.Sdk.XunitException($"Tab never reached {selector} {text}");
    }
}
