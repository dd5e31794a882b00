using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

[Collection(DesignerCollection.Name)]
public sealed class EditorTests(DesignerFixture designer)
{
    [Fact]
    public async Task Editor_AddStepFromCatalogue_UpdatesGraphAndYaml()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/rolling-deploy");
        var page = session.Page;

        await session.SelectStepAsync("flip");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search activities" }).FillAsync("http");
        await page.Locator(".palette button").Filter(new() { Has = page.Locator(".name", new() { HasTextRegex = new Regex("^http\\.check$") }) }).ClickAsync();

        await Expect(session.Node("check")).ToBeVisibleAsync();
        // flip is steps[5]; the new step follows it, and the graph links the two.
        await Expect(page.Locator(".react-flow__node[data-id='steps[6]'] .gnode")).ToHaveAttributeAsync("data-label", "check");
        await Expect(page.GetByTestId("rf__edge-steps[5]->steps[6]")).ToBeAttachedAsync();
        var yaml = await session.YamlAsync();
        Assert.Matches(new Regex(@"- id: flip\n    uses: lb.flip\n  - id: check\n    uses: http.check\n"), yaml);
    }

    [Fact]
    public async Task Editor_FormEdit_WritesYaml()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/rolling-deploy");
        var page = session.Page;

        await session.SelectStepAsync("deploy_out_1");
        var maxParallel = page.Locator("[id='steps[4]-with-max_parallel']");
        await maxParallel.FillAsync("2");
        await maxParallel.PressAsync("Enter");

        await Expect(page.Locator(".badge", new() { HasText = "unsaved changes" })).ToBeVisibleAsync();
        var yaml = await session.YamlAsync();
        Assert.Contains("""
              - id: deploy_out_1
                uses: deploy.release
                with: { target: out, tag: "{{ if inputs.commit == '' }}{{ steps.tag.outputs.tag }}{{ end }}", ref: "{{ if inputs.commit != '' }}{{ steps.stage.outputs.commit }}{{ end }}", max_parallel: 2 }
            """.Replace("\r", ""), yaml);
        await session.ScreenshotAsync("editor.png");
    }

    [Fact]
    public async Task Editor_InvalidStep_ShowsServerErrorOnNodeAndLine()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/rolling-deploy");
        var page = session.Page;

        await page.Locator(".cm-line", new() { HasTextRegex = new Regex("^    uses: lb\\.flip$") }).ClickAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync("p");

        var expected = await ServerErrorAsync(await session.YamlAsync());
        var flip = session.Node("flip");
        await Expect(flip).ToHaveClassAsync(new Regex("\\bhas-error\\b"));
        await Expect(flip).ToHaveAttributeAsync("title", expected.Message);
        var badLine = page.Locator(".cm-line", new() { HasTextRegex = new Regex("^    uses: lb\\.flipp$") });
        await Expect(badLine.Locator(".cm-lintRange-error")).ToHaveCountAsync(1);
        await Expect(page.Locator(".cm-gutter-lint .cm-lint-marker-error")).ToHaveCountAsync(1);
        await Expect(page.Locator(".problems li")).ToHaveTextAsync($"line {expected.Line}: {expected.Path} {expected.Message}");
        // Selecting the step shows the same message in its properties and scrolls the YAML to it.
        await session.SelectStepAsync("flip");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Properties of flip" }).GetByRole(AriaRole.Alert)).ToHaveTextAsync(expected.Message);
        await session.ScreenshotAsync("editor-error.png");
    }

    [Fact]
    public async Task Editor_SaveAndPublish_CreatesVersion()
    {
        await Definitions.SaveAsync(designer.Server, "save-demo", Definitions.TwoSteps("save-demo", "two"), "first");
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/save-demo");
        var page = session.Page;

        await session.SelectStepAsync("second");
        var message = page.Locator("[id='steps[1]-with-message']");
        await message.FillAsync("changed");
        await message.PressAsync("Enter");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Version comment" }).FillAsync("say changed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save version" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved as version 2.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish v2" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Version 2 is published.");

        using var client = designer.Server.Client(TokenRole.Viewer);
        var versions = JsonDocument.Parse(await client.GetStringAsync("/api/definitions/save-demo/versions")).RootElement;
        Assert.Equal(
            ["1 draft first", "2 published say changed"],
            versions.EnumerateArray().Select(v => $"{v.GetProperty("version").GetInt32()} {v.GetProperty("state").GetString()} {v.GetProperty("comment").GetString()}"));
    }

    [Fact]
    public async Task Editor_NewWorkflowFromScratch_SetsInputsSavesAndPublishes()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin);
        var page = session.Page;

        await page.GetByRole(AriaRole.Textbox, new() { Name = "New workflow id" }).FillAsync("from-scratch");
        await page.GetByRole(AriaRole.Button, new() { Name = "New workflow" }).ClickAsync();
        await Expect(page.Locator(".graph .empty")).ToHaveTextAsync("No steps yet. Add one from the activity catalogue.");

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search activities" }).FillAsync("log");
        await page.Locator(".palette button").Filter(new() { Has = page.Locator(".name", new() { HasTextRegex = new Regex("^log$") }) }).ClickAsync();
        await Expect(session.Node("log")).ToBeVisibleAsync();
        var message = page.Locator("[id='steps[0]-with-message']");
        await message.FillAsync("hello from the designer");
        await message.PressAsync("Enter");

        await Expect(page.Locator(".cm-content")).ToContainTextAsync("message: hello from the designer");
        Assert.Equal("id: from-scratch\nsteps:\n  - id: log\n    uses: log\n    with:\n      message: hello from the designer\n", await session.YamlAsync());
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Version comment" }).FillAsync("a first step");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save version" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved as version 1.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish v1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Version 1 is published.");

        using var client = designer.Server.Client(TokenRole.Viewer);
        var published = JsonDocument.Parse(await client.GetStringAsync("/api/definitions/from-scratch")).RootElement;
        Assert.Equal("published", published.GetProperty("state").GetString());
        Assert.Equal("id: from-scratch\nsteps:\n  - id: log\n    uses: log\n    with:\n      message: hello from the designer\n", published.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Editor_DragStepBelowAnother_ReordersYaml()
    {
        await using var session = await designer.OpenAsync(TokenRole.Admin, "/workflows/rolling-deploy");
        var page = session.Page;
        await Expect(session.Node("tag")).ToBeVisibleAsync();
        await session.GraphSettledAsync();
        var from = await session.Node("tag").Locator("button.gnode-label").BoundingBoxAsync();
        var onto = await session.Node("stage").BoundingBoxAsync();

        await page.Mouse.MoveAsync(from!.X + (from.Width / 2), from.Y + (from.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(onto!.X + (onto.Width / 2), onto.Y + (onto.Height * 0.8f), new() { Steps = 10 });
        await page.Mouse.UpAsync();

        // steps[0] is `before` (rolling-deploy's optional rollback snapshot); tag and stage follow it.
        await Expect(page.Locator(".react-flow__node[data-id='steps[1]'] .gnode")).ToHaveAttributeAsync("data-label", "stage");
        await Expect(page.Locator(".react-flow__node[data-id='steps[2]'] .gnode")).ToHaveAttributeAsync("data-label", "tag");
        Assert.Matches(new Regex(@"\n  - id: stage\n.*\n.*\n  - id: tag\n"), await session.YamlAsync());
    }

    private async Task<(int Line, string Path, string Message)> ServerErrorAsync(string yaml)
    {
        // Validating needs an operator (it parses whatever it is sent).
        using var client = designer.Server.Client(TokenRole.Operator);
        using var response = await client.PostAsync("/api/definitions/rolling-deploy/validate", ServerFixture.Yaml(yaml));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateArray().Single();
        return (error.GetProperty("line").GetInt32(), error.GetProperty("path").GetString()!, error.GetProperty("message").GetString()!);
    }
}
