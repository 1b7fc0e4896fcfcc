using System.Text.Json;
using Microsoft.Extensions.Logging;
using Plexus.Daemon.Hosting;

namespace Plexus.Daemon.Tests.Unit;

/// <summary>plexusd's log lines: the console logger's text and JSON shapes, one line per entry, filtered by level.</summary>
public sealed partial class ConsoleLinesTests
{
    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "plexusd {Version} listening on {Socket}")]
    private static partial void LogListening(ILogger logger, string version, string socket);

    [LoggerMessage(Level = LogLevel.Debug, Message = "noise")]
    private static partial void LogNoise(ILogger logger);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "broke: {What}")]
    private static partial void LogBroke(ILogger logger, string what, Exception error);

    private static string Run(bool json, Action<ILogger> log)
    {
        using var output = new StringWriter();
        using (var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new ConsoleLines(json, output))))
            log(factory.CreateLogger("plexusd"));
        return output.ToString();
    }

    [Fact]
    public void Text_lines_are_the_console_loggers_single_line_format_and_below_the_level_nothing_is_written()
    {
        var text = Run(json: false, l =>
        {
            LogNoise(l);
            LogListening(l, "1.0", "/run/plexus.sock");
            LogBroke(l, "x", new InvalidOperationException("first\nsecond"));
        });
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("info: plexusd[7] plexusd 1.0 listening on /run/plexus.sock", lines[0]);
        Assert.StartsWith("fail: plexusd[9] broke: x System.InvalidOperationException: first second", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Json_lines_carry_level_category_message_and_the_named_values()
    {
        var line = Run(json: true, l => LogListening(l, "1.0", "/run/plexus.sock")).TrimEnd('\n');
        Assert.DoesNotContain('\n', line);
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
        Assert.Equal("plexusd", root.GetProperty("Category").GetString());
        Assert.Equal("plexusd 1.0 listening on /run/plexus.sock", root.GetProperty("Message").GetString());
        Assert.Equal("/run/plexus.sock", root.GetProperty("State").GetProperty("Socket").GetString());
    }
}
