using System.Text;

namespace Gantry.Providers.Processes;

/// <summary>
/// Collects one output stream of a process: keeps the last <c>limit</c> characters exactly as
/// written (cut at a line start), and hands each complete line to a callback as it arrives. Lines
/// end at \n, \r\n or \r, as <see cref="TextReader.ReadLine"/> reads them.
/// </summary>
internal sealed class OutputCapture(int limit, Action<string>? onLine)
{
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _line = new();
    private bool _afterCarriageReturn;

    public bool Truncated { get; private set; }

    /// <summary>Reads <paramref name="reader"/> to its end; the caller bounds how long it waits.</summary>
    public async Task ReadAsync(TextReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            Append(buffer.AsSpan(0, read));
        }

        if (_line.Length > 0)
        {
            EmitLine();
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            Trim(limit);
            return _text.ToString();
        }
    }

    private void Append(ReadOnlySpan<char> chunk)
    {
        lock (_text)
        {
            _text.Append(chunk);
            if (_text.Length > 2 * limit)
            {
                Trim(limit);
            }
        }

        if (onLine is null)
        {
            return;
        }

        foreach (var c in chunk)
        {
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (c == '\n')
                {
                    continue;
                }
            }

            if (c is '\r' or '\n')
            {
                _afterCarriageReturn = c == '\r';
                EmitLine();
            }
            else if (_line.Length < limit)
            {
                _line.Append(c);
            }
        }
    }

    private void EmitLine()
    {
        var line = _line.ToString();
        _line.Clear();
        onLine!(line);
    }

    private void Trim(int keep)
    {
        if (_text.Length <= keep)
        {
            return;
        }

        Truncated = true;
        var cut = _text.Length - keep;
        var newline = -1;
        for (var i = cut; i < _text.Length - 1; i++)
        {
            if (_text[i] == '\n')
            {
                newline = i;
                break;
            }
        }

        _text.Remove(0, newline >= 0 ? newline + 1 : cut);
    }
}
