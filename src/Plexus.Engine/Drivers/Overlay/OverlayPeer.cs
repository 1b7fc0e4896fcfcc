using System.Net;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Drivers.Overlay;

/// <summary>An endpoint of an overlay network on another host: its address and MAC, and the VTEP that host listens on.</summary>
public sealed record OverlayPeer(string NetworkId, string EndpointId, IPAddress? IPv4, MacAddress Mac, IPAddress Vtep);
