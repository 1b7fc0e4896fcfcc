using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Store;

/// <summary>
/// The JSON form of the records in the store's data columns. The property names are part of the on-disk
/// format: adding a property needs no migration (an old row reads as the default), renaming or removing
/// one does (see <see cref="Schema"/>). Source-generated, so no reflection at run time.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    // SubnetState.IpVersion is computed from the subnet; storing it would only make a second truth.
    IgnoreReadOnlyProperties = true,
    // A null where the model says non-null ("name": null) is corruption, not a value.
    RespectNullableAnnotations = true,
    Converters =
    [
        typeof(IPAddressJsonConverter),
        typeof(IPNetworkJsonConverter),
        typeof(IPPrefixJsonConverter),
        typeof(MacAddressJsonConverter),
    ])]
[JsonSerializable(typeof(NetworkState))]
[JsonSerializable(typeof(EndpointState))]
[JsonSerializable(typeof(SandboxState))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;

/// <summary>Base of the converters for values written as one string ("10.0.0.1", "02:42:ac:11:00:02").</summary>
internal abstract class StringValueJsonConverter<T> : JsonConverter<T>
{
    protected abstract string What { get; }

    protected abstract bool TryParse(string text, out T value);

    protected abstract string Format(T value);

    public sealed override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"expected {What} as a string, found {reader.TokenType}");
        var text = reader.GetString()!;
        return TryParse(text, out var value) ? value : throw new JsonException($"'{text}' is not {What}");
    }

    public sealed override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value));
    }
}

internal sealed class IPAddressJsonConverter : StringValueJsonConverter<IPAddress>
{
    protected override string What => "an IP address";

    protected override bool TryParse(string text, out IPAddress value) => IPAddress.TryParse(text, out value!);

    protected override string Format(IPAddress value) => value.ToString();
}

internal sealed class IPNetworkJsonConverter : StringValueJsonConverter<IPNetwork>
{
    protected override string What => "a subnet (address/length with the host bits clear)";

    // IPNetwork.TryParse clears host bits since .NET 10; a stored "10.0.0.1/8" is not what the store wrote.
    protected override bool TryParse(string text, out IPNetwork value) =>
        IPNetwork.TryParse(text, out value)
        && IPAddress.TryParse(text.AsSpan(0, Math.Max(0, text.IndexOf('/', StringComparison.Ordinal))), out var address)
        && address.Equals(value.BaseAddress);

    protected override string Format(IPNetwork value) => value.ToString();
}

internal sealed class IPPrefixJsonConverter : StringValueJsonConverter<IPPrefix>
{
    protected override string What => "an address with a prefix length";

    protected override bool TryParse(string text, out IPPrefix value)
    {
        // The store always writes "address/length"; a bare address would be a different value.
        value = default;
        if (!text.Contains('/', StringComparison.Ordinal)) return false;
        try
        {
            value = IPPrefix.Parse(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // default(IPPrefix) has no address; written as "/0" it could never be read back.
    protected override string Format(IPPrefix value) => value.Address is null
        ? throw new JsonException("an IPPrefix without an address (default value) cannot be stored")
        : value.ToString();
}

internal sealed class MacAddressJsonConverter : StringValueJsonConverter<MacAddress>
{
    protected override string What => "a MAC address";

    protected override bool TryParse(string text, out MacAddress value) => MacAddress.TryParse(text, out value);

    protected override string Format(MacAddress value) => value.ToString();
}
