using Gantry.Engine.Loading;

namespace Gantry.Engine.Tests.Documents;

/// <summary>Every document shipped in the repository's workflows/ folder loads without a problem.</summary>
public sealed class RepositoryDocumentsTests
{
    /// <summary>The folder holding Workflows.sln above the test's base directory.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Workflows.sln above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Load_EveryRepositoryDocument_HasNoProblems()
    {
        var catalog = new WorkspaceCatalog(RepositoryRoot());
        var problems = catalog.WorkflowFiles().SelectMany(f => DocumentLoader.LoadWorkflowFile(f).Diagnostics)
            .Concat(catalog.EnvironmentFiles().SelectMany(f => DocumentLoader.LoadEnvironmentFile(f).Diagnostics))
            .Select(d => d.ToString())
            .ToList();

        Assert.Empty(problems);
    }
}
