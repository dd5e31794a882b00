using Gantry.Engine.Loading;
using Gantry.Engine.Stores;

namespace Gantry.Server.Hosting;

/// <summary>What every part of the server shares: its options, the workspace, the data folder and the stores.</summary>
internal sealed record ServerContext(GantryServerOptions Options, WorkspaceCatalog Catalog, string DataDirectory, StoreSet Stores);
