using Plexus.Api;

namespace Plexus.Cli.Tests.Output;

public sealed class HumanDurationTests
{
    [Theory]
    [InlineData(0.2, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(45, "45 seconds")]
    [InlineData(90, "About a minute")]
    [InlineData(600, "10 minutes")]
    [InlineData(4000, "About an hour")]
    [InlineData(3 * 3600, "3 hours")]
    [InlineData(3 * 86400, "3 days")]
    [InlineData(21 * 86400, "3 weeks")]
    [InlineData(90 * 86400, "3 months")]
    [InlineData(1000 * 86400, "2 years")]
    public void Durations_read_as_docker_writes_them(double seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Of(TimeSpan.FromSeconds(seconds)));
}
