namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>
/// Rows of a runtime API listing, read by column name from its header line: HAProxy adds and
/// reorders columns between versions, so positions are never trusted.
/// </summary>
internal sealed class HAProxyTable
{
    private readonly Dictionary<string, int> _index;

    public HAProxyTable(string source, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        Source = source;
        Columns = columns;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            _index.TryAdd(columns[i], i);
        }

        Rows = rows.Select(r => new HAProxyRow(this, r)).ToList();
    }

    /// <summary>The command whose reply this is, for error messages.</summary>
    public string Source { get; }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<HAProxyRow> Rows { get; }

    public bool Has(string column) => _index.ContainsKey(column);

    internal string Get(IReadOnlyList<string> cells, string column)
    {
        if (!_index.TryGetValue(column, out var i))
        {
            throw new LoadBalancerException(
                $"HAProxy's \"{Source}\" reply has no column \"{column}\"; its columns are {string.Join(", ", Columns.Where(c => c.Length > 0))}");
        }

        return i < cells.Count ? cells[i] : "";
    }
}

/// <summary>One row of a <see cref="HAProxyTable"/>.</summary>
internal sealed class HAProxyRow(HAProxyTable table, IReadOnlyList<string> cells)
{
    /// <exception cref="LoadBalancerException">The reply has no such column.</exception>
    public string this[string column] => table.Get(cells, column);

    /// <summary>The cell, or null when this HAProxy version has no such column.</summary>
    public string? Optional(string column) => table.Has(column) ? table.Get(cells, column) : null;
}
