using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;

namespace Plexus.Engine.Controller;

/// <summary>
/// CNI's ADD as the engine takes it: the network the configuration defines (created on first use), the
/// namespace to adopt as the container's sandbox, and the endpoint to join it with, named CNI_IFNAME.
/// </summary>
public sealed record CniAttachRequest
{
    /// <summary>CNI_CONTAINERID: the sandbox's name; with <see cref="EndpointCreateRequest.InterfaceName"/>, the attachment's key.</summary>
    public required string ContainerId { get; init; }

    /// <summary>CNI_NETNS.</summary>
    public required string NamespacePath { get; init; }

    /// <summary>The network as the configuration defines it; its name is the network's.</summary>
    public required NetworkCreateRequest Network { get; init; }

    /// <summary>
    /// The definition as text, one "key=value" a line, kept on the network (<see cref="NetworkController.CniDefinitionLabel"/>):
    /// a later configuration of the same name must say the same, or it is refused naming what differs.
    /// </summary>
    public required string Definition { get; init; }

    /// <summary>The configuration defines addresses (ranges): a network made without CNI cannot be taken for it.</summary>
    public bool DefinesAddresses { get; init; }

    /// <summary>The endpoint; its <see cref="EndpointCreateRequest.InterfaceName"/> is CNI_IFNAME.</summary>
    public required EndpointCreateRequest Endpoint { get; init; }

    /// <summary>The dns capability: upstream servers, search domains and options for the sandbox's resolver.</summary>
    public IReadOnlyList<string> DnsServers { get; init; } = [];

    public IReadOnlyList<string> DnsSearch { get; init; } = [];
    public IReadOnlyList<string> DnsOptions { get; init; } = [];
}

/// <summary>One CNI attachment: a container's sandbox joined to a network by the endpoint named after its interface.</summary>
public sealed record CniAttachment(NetworkState Network, Sandbox Sandbox, EndpointState Endpoint);
