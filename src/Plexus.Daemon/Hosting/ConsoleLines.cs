using System.Text;
using System.Text.Json;

namespace Plexus.Daemon.Hosting;

/// <summary>
/// plexusd's log: one line per entry on standard output, as text ("info: plexusd[0] listening on ...") or as one
/// JSON object (--log-format json), written by the thread that logs. The console logger of Microsoft.Extensions
/// writes the same lines, but through a queue and a thread of its own, and its options and three formatters were
/// a tenth of an empty daemon's start-up CPU; a daemon that logs a few lines a minute needs neither.
/// </summary>
internal sealed class ConsoleLines(bool json, TextWriter? output = null) : ILoggerProvider
{
    private readonly TextWriter _output = output ?? Console.Out;
    private readonly bool _json = json;
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => _output.Flush();

    private void Write(string line)
    {
        lock (_gate)
        {
            _output.Write(line);
            _output.Flush();
        }
    }

    /// <summary>The level as the console logger's text format names it.</summary>
    internal static string ShortName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    /// <summary>One entry as text: the level, the category and event id, the message and any exception, on one line.</summary>
    internal static string Text(LogLevel level, string category, EventId id, string message, Exception? error)
    {
        var line = new StringBuilder();
        line.Append(ShortName(level)).Append(": ").Append(category).Append('[').Append(id.Id).Append("] ").Append(message);
        if (error is not null) line.Append(' ').Append(error.ToString().ReplaceLineEndings(" "));
        return line.Append('\n').ToString();
    }

    /// <summary>One entry as a JSON object: the fields of the console logger's JSON format, with the message's named values under State.</summary>
    internal static string Json<TState>(LogLevel level, string category, EventId id, string message, Exception? error, TState state)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("EventId", id.Id);
            writer.WriteString("LogLevel", level.ToString());
            writer.WriteString("Category", category);
            writer.WriteString("Message", message);
            if (error is not null) writer.WriteString("Exception", error.ToString());
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                writer.WriteStartObject("State");
                foreach (var (key, value) in values) writer.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    private sealed class Logger(ConsoleLines owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            ArgumentNullException.ThrowIfNull(formatter);
            var message = formatter(state, exception);
            owner.Write(owner._json
                ? Json(logLevel, category, eventId, message, exception, state)
                : Text(logLevel, category, eventId, message, exception));
        }
    }
}
