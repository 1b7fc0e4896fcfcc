using System.Net;

namespace Plexus.Engine.Drivers;

/// <summary>
/// What a legacy link allows: the linking sandbox's address may reach the linked sandbox's address on one
/// exposed port (and be answered from it), even where inter-container traffic is otherwise dropped.
/// </summary>
public sealed record LinkFlow(IPAddress From, IPAddress To, Ports.PortProtocol Protocol, int Port);
