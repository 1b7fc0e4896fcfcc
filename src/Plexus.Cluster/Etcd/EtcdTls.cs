using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Plexus.Engine.Store;

namespace Plexus.Cluster.Etcd;

/// <summary>
/// The TLS side of <see cref="EtcdOptions"/> (dockerd's kv.cacertfile, kv.certfile, kv.keyfile): a client
/// certificate for members that ask for one, and members' certificates checked against the given CA only.
/// </summary>
internal static class EtcdTls
{
    public static SslClientAuthenticationOptions? Options(EtcdOptions options)
    {
        if (!options.UsesTls) return null;
        var ssl = new SslClientAuthenticationOptions();
        if (options.CertFile is not null || options.KeyFile is not null)
        {
            if (options.CertFile is null || options.KeyFile is null)
                throw new ArgumentException("a client certificate for etcd needs both its certificate file and its key file");
            ssl.ClientCertificates = [Load(() => X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile), options.CertFile)];
        }
        if (options.CaFile is { } caFile)
        {
            var roots = new X509Certificate2Collection();
            Load(() => { roots.ImportFromPemFile(caFile); return roots; }, caFile);
            if (roots.Count == 0) throw new GlobalStoreUnavailableException($"the etcd CA file {caFile} holds no certificate");
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => SignedBy(roots, certificate, errors);
        }
        return ssl;
    }

    private static T Load<T>(Func<T> load, string file)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new GlobalStoreUnavailableException($"cannot read the etcd TLS file {file}: {e.Message}", e);
        }
    }

    /// <summary>The member's certificate chains to one of <paramref name="roots"/> (and matches the host name).</summary>
    private static bool SignedBy(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
