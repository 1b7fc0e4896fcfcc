using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// Bad input of every kind, thrown at a real daemon: every field of every endpoint with the wrong type, null,
/// negative, huge, out of range or malformed (CIDRs, addresses, MACs, ports, names, unknown values), bodies
/// truncated, not JSON, too large or of the wrong content type. None may get a 5xx; each gets Docker's
/// {"message": ...} naming the field, and none leaves anything behind.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class MalformedInputTests
{
    /// <summary>One bad request: what it sends, a word the answer must name (case-insensitive), and its status when one is certain.</summary>
    private sealed record Case(string Method, string Path, Func<HttpContent?> Body, string Hint, int? Status, string Shown)
    {
        public override string ToString() => $"{Method} {Path} {Shown}";
    }

    private static readonly string Huge = new('a', 2 * 1024 * 1024);

    private static Case J(string method, string path, string json, string hint, int? status = 400) =>
        new(method, path, () => new StringContent(json, Encoding.UTF8, "application/json"), hint, status, json.Length > 120 ? json[..120] + "..." : json);

    private static Case Raw(string method, string path, byte[] body, string? contentType, string hint, int? status, string shown) =>
        new(method, path, () =>
        {
            var content = new ByteArrayContent(body);
            if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return content;
        }, hint, status, shown);

    private static Case Chunked(string path, byte[] body, string hint, int status, string shown) =>
        new("POST", path, () =>
        {
            var content = new StreamContent(new UnseekableStream(body));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return content;
        }, hint, status, shown);

    private static Case Get(string path, string hint, int? status = 400) => new("GET", path, () => null, hint, status, "");

    private static string Labels(int n) => "{" + string.Join(",", Enumerable.Range(0, n).Select(i => $"\"k{i}\":\"v\"")) + "}";

    private static string List(int n, Func<int, string> item) => "[" + string.Join(",", Enumerable.Range(0, n).Select(i => $"\"{item(i)}\"")) + "]";

    private static IEnumerable<Case> Cases()
    {
        const string N = "/networks/create", S = "/plexus/sandboxes", X = "/plexus/sandboxes/box/exec", C = "/networks/web/connect", D = "/networks/web/disconnect";

        // Bodies that are not JSON objects, or not JSON at all.
        foreach (var (body, shown) in new[]
        {
            ("{", "{"), ("{\"Name\"", "name only"), ("{\"Name\":", "name and colon"), ("{\"Name\":\"x\"", "no closing brace"),
            ("{\"Name\":\"x\",", "trailing comma"), ("{\"IPAM\":{\"Config\":[{", "open array"), ("{Name:\"x\"}", "unquoted key"),
            ("{'Name':'x'}", "single quotes"), ("{\"Name\":\"x\"}}", "extra brace"), ("{\"Name\":\"x\"} junk", "trailing junk"),
            ("{\"Name\":NaN}", "NaN"), ("/* c */ {\"Name\":\"x\"}", "comment"), ("[]", "an array"), ("\"web\"", "a string"),
            ("42", "a number"), ("true", "true"),
        })
        {
            yield return J("POST", N, body, "JSON") with { Shown = shown };
        }
        yield return J("POST", N, "null", "body");
        yield return J("POST", N, "", "body");
        yield return J("POST", S, "{", "JSON");
        yield return J("POST", X, "{\"Cmd\":[\"true\"]", "JSON");
        yield return J("POST", C, "{\"Container\":", "JSON");
        yield return J("POST", D, "[1,2]", "JSON");
        yield return Raw("POST", N, [0x7b, 0x22, 0x4e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], "application/json", "JSON", 400, "invalid UTF-8");
        yield return Raw("POST", N, Encoding.UTF8.GetBytes("{\"Name\":\"x\"}"), "text/plain", "Content-Type", 400, "text/plain");
        yield return Raw("POST", N, Encoding.UTF8.GetBytes("{\"Name\":\"x\"}"), null, "Content-Type", 400, "no content type");
        yield return Raw("POST", S, Encoding.UTF8.GetBytes("Name=x"), "application/x-www-form-urlencoded", "Content-Type", 400, "a form");

        // Bodies too large: a 2 MiB name, declared or chunked, and 100,000 labels.
        yield return J("POST", N, $"{{\"Name\":\"{Huge}\"}}", "body", 413) with { Shown = "a 2 MiB name" };
        yield return J("POST", S, $"{{\"Name\":\"{Huge}\"}}", "body", 413) with { Shown = "a 2 MiB sandbox name" };
        yield return Chunked(N, Encoding.UTF8.GetBytes($"{{\"Name\":\"{Huge}\"}}"), "body", 413, "a 2 MiB name in chunks");
        yield return J("POST", N, $"{{\"Name\":\"many\",\"Labels\":{Labels(100_000)}}}", "body", 413) with { Shown = "100,000 labels" };
        yield return J("POST", X, $"{{\"Cmd\":{List(3, _ => Huge[..400_000])}}}", "body", 413) with { Shown = "1.2 MB of arguments" };

        // POST /networks/create, field by field.
        foreach (var (json, hint) in new[]
        {
            ("{\"Name\":5}", "$.Name"), ("{\"Name\":[\"web\"]}", "$.Name"), ("{\"Name\":null}", "name"), ("{}", "name"), ("{\"Name\":\"\"}", "name"),
            ("{\"Name\":\"a\\nb\"}", "network name"), ($"{{\"Name\":\"{new string('n', 254)}\"}}", "network name"),
            ("{\"Name\":\"x\",\"CheckDuplicate\":\"yes\"}", "$.CheckDuplicate"), ("{\"Name\":\"x\",\"Driver\":7}", "$.Driver"),
            ("{\"Name\":\"x\",\"Internal\":\"yes\"}", "$.Internal"), ("{\"Name\":\"x\",\"Internal\":1}", "$.Internal"), ("{\"Name\":\"x\",\"Attachable\":{}}", "$.Attachable"),
            ("{\"Name\":\"x\",\"EnableIPv6\":\"true\"}", "$.EnableIPv6"), ("{\"Name\":\"x\",\"EnableIPv4\":[]}", "$.EnableIPv4"), ("{\"Name\":\"x\",\"Ingress\":0}", "$.Ingress"),
            ("{\"Name\":\"x\",\"Scope\":1}", "$.Scope"), ("{\"Name\":\"x\",\"ConfigOnly\":\"no\"}", "$.ConfigOnly"), ("{\"Name\":\"x\",\"ConfigFrom\":\"web\"}", "$.ConfigFrom"),
            ("{\"Name\":\"x\",\"Options\":[]}", "$.Options"), ("{\"Name\":\"x\",\"Options\":{\"a\":1}}", "$.Options"), ("{\"Name\":\"x\",\"Options\":{\"a\":null}}", "network option"),
            ("{\"Name\":\"x\",\"Options\":{\"\":\"v\"}}", "network option"), ($"{{\"Name\":\"x\",\"Options\":{Labels(1001)}}}", "network option"),
            ("{\"Name\":\"x\",\"Options\":{\"com.docker.network.bridge.enable_icc\":\"maybe\"}}", "enable_icc"),
            ("{\"Name\":\"x\",\"Options\":{\"com.docker.network.driver.mtu\":\"-5\"}}", "mtu"),
            ("{\"Name\":\"x\",\"Options\":{\"com.docker.network.bridge.name\":\"a b\"}}", "bridge.name"),
            ("{\"Name\":\"x\",\"Labels\":\"a=b\"}", "$.Labels"), ("{\"Name\":\"x\",\"Labels\":{\"a\":null}}", "label"), ("{\"Name\":\"x\",\"Labels\":{\"a\":{}}}", "$.Labels"),
            ($"{{\"Name\":\"x\",\"Labels\":{Labels(1001)}}}", "label"), ($"{{\"Name\":\"x\",\"Labels\":{{\"k\":\"{new string('v', 70_000)}\"}}}}", "label"),
            ($"{{\"Name\":\"x\",\"Labels\":{{\"{new string('k', 2000)}\":\"v\"}}}}", "label"), ("{\"Name\":\"x\",\"Labels\":{\"a\\nb\":\"v\"}}", "label"),
            ("{\"Name\":\"x\",\"IPAM\":[]}", "$.IPAM"), ("{\"Name\":\"x\",\"IPAM\":\"default\"}", "$.IPAM"), ("{\"Name\":\"x\",\"IPAM\":{\"Driver\":5}}", "$.IPAM.Driver"),
            ("{\"Name\":\"x\",\"IPAM\":{\"Options\":[\"a\"]}}", "$.IPAM.Options"), ("{\"Name\":\"x\",\"IPAM\":{\"Options\":{\"a\":null}}}", "IPAM option"),
            ("{\"Name\":\"x\",\"IPAM\":{\"Config\":{}}}", "$.IPAM.Config"), ("{\"Name\":\"x\",\"IPAM\":{\"Config\":[null]}}", "IPAM config"),
            ("{\"Name\":\"x\",\"IPAM\":{\"Config\":[5]}}", "$.IPAM.Config"), ("{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":5}]}}", "$.IPAM.Config[0].Subnet"),
        })
        {
            yield return J("POST", N, json, hint);
        }
        yield return J("POST", N, "{\"Name\":\"x\",\"Driver\":\"weave\"}", "driver", 404);
        yield return J("POST", N, "{\"Name\":\"x\",\"IPAM\":{\"Driver\":\"infoblox\"}}", "IPAM driver", 404);
        yield return J("POST", N, "{\"Name\":\"x\",\"Driver\":\"host\"}", "host", 403);
        yield return J("POST", N, "{\"Name\":\"web\"}", "web", 409);

        // Subnets, ranges, gateways and aux addresses that cannot work.
        foreach (var (config, hint) in new[]
        {
            ("{\"Subnet\":\"10.0.0.0/33\"}", "subnet"), ("{\"Subnet\":\"10.0.0.0\"}", "subnet"), ("{\"Subnet\":\"abc\"}", "subnet"), ("{\"Subnet\":\"10.0.0.0/-1\"}", "subnet"),
            ("{\"Subnet\":\"10.0.0.0/8/8\"}", "subnet"), ("{\"Subnet\":\"10.0.0.256/24\"}", "subnet"), ("{\"Subnet\":\"10.0.0.0/24\\n\"}", "subnet"),
            ("{\"Subnet\":\"172.18.1.5/16\"}", "it should be 172.18.0.0/16"), ("{\"Subnet\":\"127.0.0.0/8\"}", "loopback"), ("{\"Subnet\":\"224.0.0.0/4\"}", "multicast"),
            ("{\"Subnet\":\"169.254.0.0/16\"}", "link-local"), ("{\"Subnet\":\"0.0.0.0/0\"}", "subnet"), ("{\"Subnet\":\"10.0.0.0/31\"}", "too small"),
            ("{\"Subnet\":\"10.99.0.0/16\",\"IPRange\":\"10.98.0.0/24\"}", "range"), ("{\"Subnet\":\"10.99.0.0/16\",\"IPRange\":\"10.99.1.5/24\"}", "ip-range"),
            ("{\"Subnet\":\"10.99.0.0/16\",\"IPRange\":\"x\"}", "ip-range"), ("{\"Subnet\":\"10.99.0.0/16\",\"Gateway\":\"10.98.0.1\"}", "gateway"),
            ("{\"Subnet\":\"10.99.0.0/16\",\"Gateway\":\"x\"}", "gateway"), ("{\"Subnet\":\"10.99.0.0/16\",\"Gateway\":\"10.99.0.0\"}", "gateway"),
            ("{\"Subnet\":\"10.99.0.0/16\",\"Gateway\":5}", "$.IPAM.Config[0].Gateway"), ("{\"Subnet\":\"10.99.0.0/16\",\"AuxiliaryAddresses\":{\"h\":\"x\"}}", "auxiliary address"),
            ("{\"Subnet\":\"10.99.0.0/16\",\"AuxiliaryAddresses\":{\"h\":null}}", "auxiliary address"), ("{\"Subnet\":\"10.99.0.0/16\",\"AuxiliaryAddresses\":{\"h\":\"10.98.0.1\"}}", "auxiliary address"),
            ("{\"Subnet\":\"10.99.0.0/16\",\"AuxiliaryAddresses\":[\"10.99.0.5\"]}", "$.IPAM.Config[0].AuxiliaryAddresses"), ("{\"Gateway\":\"10.99.0.1\"}", "gateway"),
            ("{\"Subnet\":\"10.91.0.0/25\"}", "overlaps"),
        })
        {
            yield return J("POST", N, $"{{\"Name\":\"x\",\"IPAM\":{{\"Config\":[{config}]}}}}", hint, hint == "overlaps" ? 409 : 400) with { Shown = config };
        }
        foreach (var (config, hint) in new[] { ("{\"Subnet\":\"ff00::/8\"}", "multicast"), ("{\"Subnet\":\"fe80::/64\"}", "link-local"), ("{\"Subnet\":\"::1/128\"}", "subnet"), ("{\"Subnet\":\"::/129\"}", "subnet") })
            yield return J("POST", N, $"{{\"Name\":\"x\",\"EnableIPv6\":true,\"IPAM\":{{\"Config\":[{config}]}}}}", hint) with { Shown = config };
        yield return J("POST", N, "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.97.0.0/16\"},{\"Subnet\":\"10.97.1.0/24\"}]}}", "overlap");

        // POST /networks/{id}/connect and /disconnect.
        foreach (var (json, hint, status) in new (string, string, int)[]
        {
            ("{}", "container", 400), ("{\"Container\":null}", "container", 400), ("{\"Container\":5}", "$.Container", 400), ("{\"Container\":\"ghost\"}", "ghost", 404),
            ("{\"Container\":\"plain\",\"EndpointConfig\":[]}", "$.EndpointConfig", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"999.1.1.1\"}}}", "IPv4 address", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.92.0.5\"}}}", "outside", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.91.0.0\"}}}", "10.91.0.0", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"fd00::5\"}}}", "IPv6", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":5}}}", "$.EndpointConfig.IPAMConfig.IPv4Address", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv6Address\":\"zz::1\"}}}", "IPv6 address", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"MacAddress\":\"01:00:5e:00:00:01\"}}", "MAC address", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"MacAddress\":\"ff:ff:ff:ff:ff:ff\"}}", "MAC address", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"MacAddress\":\"00:00:00:00:00:00\"}}", "MAC address", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"MacAddress\":\"zz:zz:zz:zz:zz:zz\"}}", "MAC address", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"MacAddress\":\"02:42:ac:11:00\"}}", "MAC address", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"Aliases\":[null]}}", "alias", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"Aliases\":[\"a\\nb\"]}}", "alias", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"Aliases\":\"db\"}}", "$.EndpointConfig.Aliases", 400),
            ($"{{\"Container\":\"plain\",\"EndpointConfig\":{{\"Aliases\":{List(1001, i => $"a{i}")}}}}}", "alias", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"GwPriority\":\"high\"}}", "$.EndpointConfig.GwPriority", 400),
            ("{\"Container\":\"plain\",\"EndpointConfig\":{\"GwPriority\":100000000000000000000}}", "$.EndpointConfig.GwPriority", 400),
        })
        {
            yield return J("POST", C, json, hint, status);
        }
        yield return J("POST", "/networks/ghost/connect", "{\"Container\":\"plain\"}", "ghost", 404);
        yield return J("POST", D, "{}", "container");
        yield return J("POST", D, "{\"Container\":[]}", "$.Container");
        yield return J("POST", D, "{\"Container\":\"plain\",\"Force\":\"yes\"}", "$.Force");

        // POST /plexus/sandboxes, field by field.
        foreach (var (json, hint, status) in new (string, string, int)[]
        {
            ("{}", "name", 400), ("{\"Name\":\"\"}", "name", 400), ("{\"Name\":7}", "$.Name", 400), ("{\"Name\":\"bad name\"}", "sandbox name", 400),
            ($"{{\"Name\":\"{new string('s', 254)}\"}}", "sandbox name", 400), ("{\"Name\":\"box\"}", "box", 409),
            ("{\"Name\":\"n1\",\"Hostname\":\"a\\nb\"}", "hostname", 400), ($"{{\"Name\":\"n1\",\"Hostname\":\"{new string('h', 10_000)}\",\"Cmd\":[\"sleep\",\"60\"]}}", "hostname", 400),
            ($"{{\"Name\":\"n1\",\"Hostname\":\"{new string('h', 65)}\"}}", "hostname", 400), ("{\"Name\":\"n1\",\"Hostname\":\"a_b\"}", "hostname", 400),
            ("{\"Name\":\"n1\",\"Hostname\":\"web\\n10.0.0.1 evil\"}", "hostname", 400), ("{\"Name\":\"n1\",\"Hostname\":[]}", "$.Hostname", 400),
            ("{\"Name\":\"n1\",\"Pid\":-1}", "PID", 400), ("{\"Name\":\"n1\",\"Pid\":0}", "PID", 400), ("{\"Name\":\"n1\",\"Pid\":2147483647}", "PID", 400),
            ("{\"Name\":\"n1\",\"Pid\":1000000000000}", "$.Pid", 400), ("{\"Name\":\"n1\",\"Pid\":\"12\"}", "$.Pid", 400), ("{\"Name\":\"n1\",\"Pid\":1.5}", "$.Pid", 400),
            ("{\"Name\":\"n1\",\"NetnsPath\":\"/no/such/namespace\"}", "namespace path", 400), ("{\"Name\":\"n1\",\"NetnsPath\":\"/run/a\\u0000b\"}", "namespace path", 400),
            ($"{{\"Name\":\"n1\",\"NetnsPath\":\"/{new string('p', 5000)}\"}}", "namespace path", 400), ("{\"Name\":\"n1\",\"NetnsPath\":5}", "$.NetnsPath", 400),
            ("{\"Name\":\"n1\",\"Network\":\"ghost\"}", "ghost", 404), ("{\"Name\":\"n1\",\"Network\":1}", "$.Network", 400),
            ("{\"Name\":\"n1\",\"Publish\":[\"80\"]}", "network", 400), ("{\"Name\":\"n1\",\"Network\":\"web\",\"IPv4Address\":\"x\"}", "IPv4 address", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"IPv4Address\":\"10.92.0.9\"}", "outside", 400), ("{\"Name\":\"n1\",\"Network\":\"web\",\"IPv6Address\":\"::g\"}", "IPv6 address", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"MacAddress\":\"ff:ff:ff:ff:ff:ff\"}", "MAC address", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"MacAddress\":\"01:00:5e:00:00:01\"}", "MAC address", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"MacAddress\":\"00:00:00:00:00:00\"}", "MAC address", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"MacAddress\":\"not-a-mac\"}", "MAC address", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"Aliases\":[\"a b\"]}", "alias", 400), ("{\"Name\":\"n1\",\"Network\":\"web\",\"Aliases\":[null]}", "alias", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"Publish\":[\"99999:80\"]}", "port", 400), ("{\"Name\":\"n1\",\"Network\":\"web\",\"Publish\":[\"80:80/icmp\"]}", "port", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"Publish\":[\"abc\"]}", "port", 400), ("{\"Name\":\"n1\",\"Network\":\"web\",\"Publish\":[null]}", "published port", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"Publish\":\"80:80\"}", "$.Publish", 400), ("{\"Name\":\"n1\",\"Network\":\"web\",\"Publish\":[\"-1:80\"]}", "port", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"Expose\":[\"80-70000\"]}", "port", 400), ("{\"Name\":\"n1\",\"Network\":\"web\",\"Expose\":[\"x/tcp\"]}", "port", 400),
            ("{\"Name\":\"n1\",\"Network\":\"web\",\"Expose\":[\"8080:80\"]}", "expose", 400), ("{\"Name\":\"n1\",\"Network\":\"web\",\"Expose\":[null]}", "exposed port", 400),
            ("{\"Name\":\"n1\",\"Links\":[\"\"]}", "link", 400), ("{\"Name\":\"n1\",\"Links\":[\"a:b:c\"]}", "link", 400), ("{\"Name\":\"n1\",\"Links\":[\"ghost\"]}", "ghost", 404),
            ("{\"Name\":\"n1\",\"Links\":[\"box:al\\nias\"]}", "link alias", 400), ("{\"Name\":\"n1\",\"Links\":[null]}", "link", 400),
            ("{\"Name\":\"n1\",\"Dns\":[\"x\"]}", "DNS server", 400), ("{\"Name\":\"n1\",\"Dns\":[\"192.0.2.1\\nnameserver 6.6.6.6\"]}", "DNS server", 400),
            ("{\"Name\":\"n1\",\"Dns\":[null]}", "DNS server", 400), ("{\"Name\":\"n1\",\"Dns\":\"192.0.2.1\"}", "$.Dns", 400),
            ("{\"Name\":\"n1\",\"DnsSearch\":[\"x\\nnameserver 6.6.6.6\"]}", "search domain", 400), ("{\"Name\":\"n1\",\"DnsSearch\":[\"a b\"]}", "search domain", 400),
            ("{\"Name\":\"n1\",\"DnsOptions\":[\"ndots:1\\nnameserver 6.6.6.6\"]}", "DNS option", 400), ("{\"Name\":\"n1\",\"DnsOptions\":[\"ndots:1 rotate\"]}", "DNS option", 400),
            ("{\"Name\":\"n1\",\"ExtraHosts\":[\"evil:1.2.3.4\\n6.6.6.6 injected\"]}", "extra host", 400), ("{\"Name\":\"n1\",\"ExtraHosts\":[\"nocolon\"]}", "extra host", 400),
            ("{\"Name\":\"n1\",\"ExtraHosts\":[\"h:x\"]}", "extra host", 400), ("{\"Name\":\"n1\",\"ExtraHosts\":[\"a b:1.2.3.4\"]}", "extra host", 400),
            ($"{{\"Name\":\"n1\",\"ExtraHosts\":{List(1001, i => $"h{i}:10.0.0.1")}}}", "extra host", 400),
            ("{\"Name\":\"n1\",\"Labels\":{\"a\":null}}", "label", 400), ($"{{\"Name\":\"n1\",\"Labels\":{Labels(1001)}}}", "label", 400), ("{\"Name\":\"n1\",\"Labels\":[]}", "$.Labels", 400),
            ("{\"Name\":\"n1\",\"Cmd\":[null]}", "command", 400), ("{\"Name\":\"n1\",\"Cmd\":[\"a\\u0000b\"]}", "command", 400), ("{\"Name\":\"n1\",\"Cmd\":\"sleep 1\"}", "$.Cmd", 400),
            ("{\"Name\":\"n1\",\"Cmd\":[1]}", "$.Cmd", 400), ("{\"Name\":\"n1\",\"Cmd\":[\"true\"],\"Env\":[\"NOEQUALS\"]}", "environment variable", 400),
            ("{\"Name\":\"n1\",\"Cmd\":[\"true\"],\"Env\":[\"=x\"]}", "environment variable", 400), ("{\"Name\":\"n1\",\"Cmd\":[\"true\"],\"Env\":[null]}", "environment variable", 400),
            ("{\"Name\":\"n1\",\"Cmd\":[\"true\"],\"Env\":[\"A=\\u0000\"]}", "environment variable", 400),
            ("{\"Name\":\"n1\",\"CapAdd\":[\"NET_WIZARD\"]}", "capability", 400), ("{\"Name\":\"n1\",\"CapDrop\":[\"bogus\"]}", "capability", 400),
            ("{\"Name\":\"n1\",\"CapAdd\":\"NET_ADMIN\"}", "$.CapAdd", 400), ("{\"Name\":\"n1\",\"CapAdd\":[null]}", "capability", 400),
            ("{\"Name\":\"n1\",\"Privileged\":\"yes\"}", "$.Privileged", 400),
        })
        {
            yield return J("POST", S, json, hint, status);
        }

        // POST /plexus/sandboxes/{id}/exec.
        foreach (var (json, hint, status) in new (string, string, int)[]
        {
            ("{}", "command", 400), ("{\"Cmd\":[]}", "command", 400), ("{\"Cmd\":[null]}", "command", 400), ("{\"Cmd\":\"true\"}", "$.Cmd", 400),
            ("{\"Cmd\":[\"tr\",\"a\",\"\\u0000\"]}", "command", 400), ($"{{\"Cmd\":[\"echo\",\"{new string('x', 200_000)}\"]}}", "command", 400),
            ("{\"Cmd\":[\"true\"],\"Timeout\":-1}", "timeout", 400), ("{\"Cmd\":[\"true\"],\"Timeout\":0}", "timeout", 400),
            ("{\"Cmd\":[\"true\"],\"Timeout\":2147483647}", "timeout", 400), ("{\"Cmd\":[\"true\"],\"Timeout\":10000000000}", "$.Timeout", 400),
            ("{\"Cmd\":[\"true\"],\"Timeout\":\"60\"}", "$.Timeout", 400), ("{\"Cmd\":[\"true\"],\"Env\":[\"X\"]}", "environment variable", 400),
            ("{\"Cmd\":[\"true\"],\"Env\":[null]}", "environment variable", 400), ("{\"Cmd\":[\"true\"],\"Env\":{}}", "$.Env", 400),
            ("{\"Cmd\":[\"true\"],\"Privileged\":1}", "$.Privileged", 400),
        })
        {
            yield return J("POST", X, json, hint, status);
        }
        yield return J("POST", "/plexus/sandboxes/ghost/exec", "{\"Cmd\":[\"true\"]}", "ghost", 404);

        // Query strings, paths and methods.
        yield return Get("/networks?filters=notjson", "filters");
        yield return Get("/networks?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D", "filter");
        yield return Get("/networks?filters=%7B%22name%22%3A%22x%22%7D", "filter");
        yield return Get("/networks?filters=%5B%5D", "filters");
        yield return Get("/networks?filters=%7B%22name%22%3A%5B1%5D%7D", "filter");
        yield return Get("/containers/json?all=1&filters=%7B%22exited%22%3A%5B%22x%22%5D%7D", "exited");
        yield return Get("/containers/json?filters=%7B%22color%22%3A%5B%22red%22%5D%7D", "filter");
        yield return new("POST", "/networks/prune?filters=%7B", () => null, "filters", 400, "");
        yield return Get("/networks/" + new string('x', 300), "network", 404);
        yield return Get("/containers/ghost/json", "ghost", 404);
        yield return Get("/plexus/sandboxes/ghost/logs", "ghost", 404);
        yield return new("DELETE", "/plexus/sandboxes/ghost", () => null, "ghost", 404, "");
        yield return new("DELETE", "/networks/none", () => null, "none", 403, "");
        yield return new("PUT", "/networks/create", () => null, "method", 405, "");
        yield return Get("/no/such/page", "page not found", 404);
    }

    [PrivilegedFact]
    public void Every_kind_of_bad_input_gets_a_4xx_that_names_the_field_and_changes_nothing()
    {
        using var w = new DaemonWorld();
        w.Start();
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.91.0.0/24", "web").ExitCode);
        using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "box", Network = "web", Hostname = "box", Cmd = ["sleep", "600"] }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "plain" }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        var hostsBefore = w.Exec("box", "cat", "/etc/hosts").Stdout;
        var resolvBefore = w.Exec("box", "cat", "/etc/resolv.conf").Stdout;

        var cases = Cases().ToList();
        Assert.True(cases.Count >= 133, $"only {cases.Count} kinds of bad input");
        var failures = new List<string>();
        foreach (var c in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(c.Method), "http://plexus/v1.45" + c.Path) { Content = c.Body() };
            using var response = w.Http.Send(request);
            var status = (int)response.StatusCode;
            var body = response.Content.ReadAsStringAsync().Result;
            string? message = null;
            try
            {
                using var doc = JsonDocument.Parse(body);
                message = doc.RootElement.GetProperty("message").GetString();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
            }
            if (status is < 400 or >= 500 || (c.Status is { } expected && status != expected))
                failures.Add($"{c}: {status} (expected {c.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "4xx"}) {Cut(body)}");
            else if (response.Content.Headers.ContentType?.MediaType != "application/json" || message is null)
                failures.Add($"{c}: {status} without Docker's {{\"message\"}}: {Cut(body)}");
            else if (!message.Contains(c.Hint, StringComparison.OrdinalIgnoreCase))
                failures.Add($"{c}: the message does not name '{c.Hint}': {Cut(message)}");
            else if (message.Length > 2000)
                failures.Add($"{c}: a message of {message.Length} characters");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} bad inputs were not refused as they should be:\n" + string.Join('\n', failures));

        // Nothing was made, nothing written, nothing broke.
        Assert.Equal(["bridge", "host", "none", "web"], w.Get("networks", DaemonJson.Default.ListNetworkJson).Select(n => n.Name).Order());
        Assert.Equal(["/box", "/plain"], w.Get("containers/json?all=1", DaemonJson.Default.ListContainerSummaryJson).SelectMany(c => c.Names).Order());
        Assert.Equal(hostsBefore, w.Exec("box", "cat", "/etc/hosts").Stdout);
        Assert.Equal(resolvBefore, w.Exec("box", "cat", "/etc/resolv.conf").Stdout);
        Assert.DoesNotContain(" failed", w.Log, StringComparison.Ordinal);
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "..." : text;

    /// <summary>A body whose length HttpClient cannot know, so it is sent in chunks.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
