using System.IO.Pipelines;
using System.Text;
using Plexus.Daemon.Api;
using Plexus.Daemon.Hosting;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Tests.Unit;

/// <summary>Pure parts of the Docker API layer: times, API versions, and how requests are followed on a connection.</summary>
public sealed class ApiShapesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("1h", "2026-11-20T09:00:00Z")]
    [InlineData("1h30m", "2026-11-20T08:30:00Z")]
    [InlineData("90s", "2026-11-20T09:58:30Z")]
    [InlineData("1.5h", "2026-11-20T08:30:00Z")]
    [InlineData("1795600000", "2026-11-25T09:46:40Z")]
    [InlineData("1795600000.5", "2026-11-25T09:46:40.5Z")]
    [InlineData("2026-11-19", "2026-11-19T00:00:00Z")]
    [InlineData("2026-11-19T12:30:00Z", "2026-11-19T12:30:00Z")]
    [InlineData("2026-11-19T12:30:00+02:00", "2026-11-19T10:30:00Z")]
    public void Docker_times_are_durations_back_from_now_unix_times_or_rfc3339(string value, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DockerTime.FromNanoseconds(DockerTime.ParseNanoseconds(value, Now)));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("1 h")]
    [InlineData("2026-13-40")]
    public void Anything_else_is_refused_naming_the_value(string value)
    {
        var e = Assert.Throws<PlexusException>(() => DockerTime.ParseNanoseconds(value, Now));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1.45/networks", true, "1.45", "/networks")]
    [InlineData("/v1.24", true, "1.24", "/")]
    [InlineData("/version", false, "", "/version")]
    [InlineData("/volumes", false, "", "/volumes")]
    [InlineData("/v1x/networks", false, "", "/v1x/networks")]
    public void The_version_prefix_is_docker_s_v_and_digits_and_dots(string path, bool split, string version, string rest)
    {
        Assert.Equal(split, ApiVersions.TrySplit(path, out var v, out var r));
        Assert.Equal(version, v);
        Assert.Equal(rest, r);
    }

    [Fact]
    public void Versions_compare_as_numbers_and_outside_the_range_are_refused_in_docker_s_words()
    {
        Assert.True(ApiVersions.Compare("1.9", "1.45") < 0);
        Assert.Equal(0, ApiVersions.Compare("1.45", "1.45.0"));
        ApiVersions.Check("1.24");
        ApiVersions.Check("1.45");
        Assert.Contains("client version 1.23 is too old", Assert.Throws<PlexusException>(() => ApiVersions.Check("1.23")).Message, StringComparison.Ordinal);
        Assert.Contains("client version 1.46 is too new. Maximum supported API version is 1.45", Assert.Throws<PlexusException>(() => ApiVersions.Check("1.46")).Message, StringComparison.Ordinal);
    }

    private static async Task<string> Follow(string wire)
    {
        var input = new Pipe();
        var output = new Pipe();
        var pump = new UpgradeWithBody().PumpAsync(input.Reader, output.Writer);
        var bytes = Encoding.Latin1.GetBytes(wire);
        // In pieces, as a socket delivers them.
        for (int i = 0; i < bytes.Length; i += 7)
        {
            await input.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(7, bytes.Length - i)));
        }
        await input.Writer.CompleteAsync();
        await pump;
        var result = await output.Reader.ReadAsync();
        var text = Encoding.Latin1.GetString(result.Buffer);
        output.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    [Fact]
    public async Task Requests_pass_unchanged_and_only_an_upgrade_with_a_body_has_its_length_renamed()
    {
        const string plain = "POST /networks/create HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde";
        const string chunked = "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "20\r\nGET / HTTP/1.1\r\nUpgrade: tcp\r\n\r\n\r\n0\r\n\r\n"; // a head-like text inside a body is only body
        const string upgrade = "POST /exec/1/start HTTP/1.1\r\nContent-Length: 2\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n{}stdin bytes";
        var followed = await Follow(plain + chunked + upgrade);
        Assert.Equal(plain + chunked + upgrade.Replace("Content-Length: 2", UpgradeWithBody.BodyLengthHeader + ": 2", StringComparison.Ordinal), followed);
    }

    [Fact]
    public async Task An_upgrade_without_a_body_and_what_follows_it_pass_as_they_are()
    {
        const string wire = "POST /exec/1/start HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nraw Content-Length: 9 bytes";
        Assert.Equal(wire, await Follow(wire));
    }
}
