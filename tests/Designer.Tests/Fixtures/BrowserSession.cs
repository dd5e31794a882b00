using Microsoft.Playwright;

namespace Gantry.Designer.Tests.Fixtures;

/// <summary>One test's browser context and page; disposing closes the context.</summary>
public sealed class BrowserSession(IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    /// <summary>The graph node of the step with that label (its id, or its activity when it has none).</summary>
    public ILocator Node(string label) => Page.Locator($".editor-body .gnode[data-label='{label}'], .run-body .gnode[data-label='{label}']");

    /// <summary>Selects a step by its button in the graph, as a user clicks it.</summary>
    public async Task SelectStepAsync(string label)
    {
        await GraphSettledAsync();
        var button = Node(label).Locator("button.gnode-label").First;
        await button.ClickAsync();
        await Assertions.Expect(button).ToHaveAttributeAsync("aria-pressed", "true");
    }

    /// <summary>
    /// Waits until every graph on the page has been fitted to its steps: the graph refits a moment
    /// after it is drawn, and a pointer aimed before that can miss the node it aimed at.
    /// </summary>
    public async Task GraphSettledAsync()
    {
        await Assertions.Expect(Page.Locator(".graph[data-settled]").First).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator(".graph[data-settled='false']")).ToHaveCountAsync(0);
    }

    /// <summary>The whole YAML document in the editor (CodeMirror renders only the lines in view, so read its state).</summary>
    public async Task<string> YamlAsync()
    {
        // CodeMirror arrives in its own chunk after the graph's first paint.
        await Page.Locator(".cm-content").WaitForAsync();
        return await Page.EvaluateAsync<string>(
            "() => { const c = document.querySelector('.cm-content'); const view = c.cmTile?.root?.view ?? c.cmView?.view; return view.state.doc.toString(); }");
    }

    /// <summary>Appends text to the YAML editor's document, as a paste at its end would.</summary>
    public async Task AppendYamlAsync(string text)
    {
        await Page.Locator(".cm-content").WaitForAsync();
        await Page.EvaluateAsync(
            "text => { const c = document.querySelector('.cm-content'); const view = c.cmTile?.root?.view ?? c.cmView?.view; view.dispatch({ changes: { from: view.state.doc.length, insert: text } }); }", text);
    }

    /// <summary>Saves a screenshot of the page into the test output's artifacts folder.</summary>
    public Task ScreenshotAsync(string name) => Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DesignerFixture.ArtifactsDirectory, name) });

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();
}
