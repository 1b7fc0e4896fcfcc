using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files in a temporary directory.</summary>
internal sealed class TestCertificates : IDisposable
{
    public TestCertificates(string caName = "plexus-test-ca")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("plexus-etcd-tls-").FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        CaFile = Write("ca.pem", ca.ExportCertificatePem());
        // The server's certificate is for clients too: etcd's JSON gateway connects to its own gRPC server with it,
        // and a member that wants client certificates refuses one without clientAuth (as kubeadm issues them).
        (ServerCert, ServerKey) = Issue(ca, "server", "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        (ClientCert, ClientKey) = Issue(ca, "client", "1.3.6.1.5.5.7.3.2");
    }

    public string Directory { get; }
    public string CaFile { get; }
    public string ServerCert { get; }
    public string ServerKey { get; }
    public string ClientCert { get; }
    public string ClientKey { get; }

    public EtcdTlsFiles Server => new(ServerCert, ServerKey, CaFile);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private (string Cert, string Key) Issue(X509Certificate2 ca, string name, params string[] usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages.Select(u => new Oid(u))], false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // Within the CA's validity: a "now" read later (a second on a loaded machine) would end after the CA's and be refused.
        using var cert = request.Create(ca, ca.NotBefore, ca.NotAfter.AddMinutes(-1), RandomNumberGenerator.GetBytes(12));
        return (Write($"{name}.pem", cert.ExportCertificatePem()), Write($"{name}-key.pem", key.ExportPkcs8PrivateKeyPem()));
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, pem);
        return path;
    }
}
