using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;

namespace Gantry.Engine.Tests.Stores;

/// <summary>The store contract against <see cref="InMemoryRunStore"/> and <see cref="InMemoryDefinitionStore"/>.</summary>
public sealed class InMemoryStoreTests : StoreContractTests
{
    protected override Task<(IRunStore Runs, IDefinitionStore Definitions)> CreateStoresAsync() =>
        Task.FromResult<(IRunStore, IDefinitionStore)>((new InMemoryRunStore(Time), new InMemoryDefinitionStore(Time)));
}
