using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gantry.Engine.Tests.Fixtures;

/// <summary>An in-memory logging provider: every entry with its level, text, exception and the scope values around it.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    internal sealed record LogEntry(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Scope);

    private sealed class RecordingLogger(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
            provider._scopes.ForEachScope(
                (value, values) =>
                {
                    if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, item) in pairs.Where(p => p.Key != "{OriginalFormat}"))
                        {
                            values[key] = item;
                        }
                    }
                },
                scope);
            provider.Entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception, scope));
        }
    }
}
