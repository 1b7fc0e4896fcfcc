namespace Plexus.Docker.Tests.Support;

/// <summary>The networking scenarios share one docker host; each test makes and removes its own networks and containers.</summary>
[CollectionDefinition(Name)]
public sealed class NetworkingCollection : ICollectionFixture<DockerHostFixture>
{
    public const string Name = "docker host: networking";
}

/// <summary>The restart scenarios stop, kill and restart the daemons: a docker host of their own.</summary>
[CollectionDefinition(Name)]
public sealed class RestartCollection : ICollectionFixture<DockerHostFixture>
{
    public const string Name = "docker host: restarts";
}
