using Gantry.Designer.Tests.Fixtures;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

[Collection(DesignerCollection.Name)]
public sealed class SignInTests(DesignerFixture designer)
{
    [Fact]
    public async Task SignIn_BadToken_ShowsWhy()
    {
        await using var session = await designer.OpenAsync(role: null);
        var page = session.Page;

        await page.GetByLabel("Token").FillAsync("not-a-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Unauthorized");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Gantry" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Token")).ToBeVisibleAsync();
        // The command the page offers is the CLI's: --name is an option (src/Cli TokensCreateCommand), not an argument.
        await Expect(page.Locator("form code").Last).ToHaveTextAsync("gantry tokens create --name NAME --role viewer|operator|approver|admin");
        await Expect(page.Locator("form code").First).ToHaveTextAsync(".gantry/first-admin.token");
    }

    [Fact]
    public async Task SignIn_GoodToken_ShowsWhoIsSignedIn()
    {
        await using var session = await designer.OpenAsync(role: null);
        var page = session.Page;

        await page.GetByLabel("Token").FillAsync(designer.Server.Tokens[Gantry.Server.Security.TokenRole.Operator]);
        await page.GetByLabel("Token").PressAsync("Enter");

        await Expect(page.Locator(".topbar .who")).ToHaveTextAsync("operator-token · operator");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Workflows" })).ToBeVisibleAsync();
    }
}
