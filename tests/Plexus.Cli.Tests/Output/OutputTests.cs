using Plexus.Api;
using Plexus.Cli.Commands;
using Plexus.Cli.Output;

namespace Plexus.Cli.Tests.Output;

public class OutputTests
{
    private static string Table(IReadOnlyList<string> headers, params string[][] rows)
    {
        var output = new StringWriter();
        TextCliConsole.ForText(output, new StringWriter()).WriteTable(headers, rows);
        return output.ToString();
    }

    [Fact]
    public void Tables_are_plain_docker_columns_without_trailing_spaces()
    {
        var text = Table(["A", "LONGER HEADER", "LAST"], ["x", "y", "z"], ["a much longer cell", "", "end"]);
        Assert.Equal(
            "A                    LONGER HEADER   LAST\n" +
            "x                    y               z\n" +
            "a much longer cell                   end\n", text);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('─', text);
    }

    [Fact]
    public void Wide_tables_do_not_wrap()
    {
        var wide = new string('w', 300);
        var text = Table(["ID", "VALUE"], ["1", wide]);
        Assert.Equal($"ID        VALUE\n1         {wide}\n", text);
    }

    [Fact]
    public void Cells_are_text_not_markup() =>
        Assert.Equal("NAME\n[red]x[/]\n", Table(["NAME"], ["[red]x[/]"]));

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("80/tcp", new[] { ":80:0:tcp" })]
    [InlineData("0.0.0.0:80->80/tcp", new[] { "0.0.0.0:80:80:tcp" })]
    [InlineData("0.0.0.0:80-81->80-81/tcp", new[] { "0.0.0.0:81:81:tcp", "0.0.0.0:80:80:tcp" })]
    [InlineData("0.0.0.0:8080->80/tcp, 0.0.0.0:8081->81/tcp", new[] { "0.0.0.0:81:8081:tcp", "0.0.0.0:80:8080:tcp" })]
    [InlineData("53-54/udp, 80/tcp", new[] { ":53:0:udp", ":54:0:udp", ":80:0:tcp" })]
    [InlineData("443/tcp, 0.0.0.0:8080->80/tcp", new[] { "0.0.0.0:80:8080:tcp", ":443:0:tcp" })]
    [InlineData("80/tcp, 82/tcp", new[] { ":80:0:tcp", ":82:0:tcp" })]
    [InlineData("[::]:8080->80/tcp", new[] { ":::80:8080:tcp" })]
    public void Port_summaries_match_dockers_ps(string expected, string[] ports) =>
        Assert.Equal(expected, PortText.Summary(ports.Select(Port)));

    /// <summary>"IP:PRIVATE:PUBLIC:TYPE", the IP possibly empty or an IPv6 address with colons.</summary>
    private static PortJson Port(string spec)
    {
        var parts = spec.Split(':');
        var type = parts[^1];
        int pub = int.Parse(parts[^2], System.Globalization.CultureInfo.InvariantCulture);
        int priv = int.Parse(parts[^3], System.Globalization.CultureInfo.InvariantCulture);
        var ip = string.Join(':', parts[..^3]);
        return new PortJson { IP = ip.Length == 0 ? null : ip, PrivatePort = priv, PublicPort = pub == 0 ? null : pub, Type = type };
    }

    [Fact]
    public void List_format_json_sorts_keys_and_keeps_values_as_strings()
    {
        var output = new StringWriter();
        var console = TextCliConsole.ForText(output, new StringWriter());
        var row = new OrderedDictionary<string, object?> { ["Name"] = "web", ["ID"] = "abc", ["Internal"] = "false" };
        ListFormat.Parse("json").Write(console, [row], ["ID", "Name"], NetworkListCommand.Headers);
        Assert.Equal("""{"ID":"abc","Internal":"false","Name":"web"}""" + "\n", output.ToString());
    }

    [Fact]
    public void List_format_table_template_uses_the_header_names()
    {
        var output = new StringWriter();
        var console = TextCliConsole.ForText(output, new StringWriter());
        var rows = new[] { new OrderedDictionary<string, object?> { ["ID"] = "abc", ["Name"] = "web" } };
        ListFormat.Parse("table {{.Name}}\\t{{.ID}}").Write(console, rows, ["ID", "Name"], NetworkListCommand.Headers);
        Assert.Equal("NAME      NETWORK ID\nweb       abc\n", output.ToString());
    }

    [Fact]
    public void Info_reports_no_kernel_features_when_the_daemon_gave_none()
    {
        var lines = InfoCommand.Lines(new InfoJson(), 0, "unix:///x").ToList();
        Assert.Contains("  (the daemon reported none)", lines);
        Assert.Contains(" Firewall Backend: unknown", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("WARNING", StringComparison.Ordinal));
    }

    [Fact]
    public void Confirm_takes_only_yes()
    {
        foreach (var (input, expected) in new[] { ("y\n", true), ("YES\n", true), (" y \n", true), ("n\n", false), ("\n", false), ("", false), ("yep\n", false) })
        {
            var console = TextCliConsole.ForText(new StringWriter(), new StringWriter(), new StringReader(input));
            Assert.True(expected == console.Confirm("Sure?"), $"input {input.Trim()}");
        }
    }
}
