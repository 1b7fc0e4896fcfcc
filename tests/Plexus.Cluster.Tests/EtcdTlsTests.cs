using Plexus.Cluster.Etcd;
using Plexus.Engine.Store;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>dockerd's kv.cacertfile, kv.certfile and kv.keyfile: etcd over TLS with client certificates.</summary>
[Trait("Category", "Privileged")]
public sealed class EtcdTlsTests
{
    [PrivilegedFact]
    public void The_store_talks_to_an_etcd_that_wants_tls_and_a_client_certificate_and_refuses_one_it_cannot_trust()
    {
        using var certificates = new TestCertificates();
        using var etcd = EtcdProcess.Start(tls: certificates.Server);
        var options = EtcdFixture.Tuned(new EtcdOptions
        {
            Endpoints = [etcd.ClientUrl],
            CaFile = certificates.CaFile,
            CertFile = certificates.ClientCert,
            KeyFile = certificates.ClientKey,
        });

        using (var store = new EtcdGlobalStore(options))
        {
            Assert.True(store.Put("/tls/a", "1", StoreRevisions.Absent).Succeeded);
            Assert.Equal("1", store.Get("/tls/a")!.Value);
        }

        // Without a client certificate etcd refuses the connection.
        using (var anonymous = new EtcdGlobalStore(options with { CertFile = null, KeyFile = null }))
            Assert.Throws<GlobalStoreUnavailableException>(() => anonymous.Get("/tls/a"));

        // A member whose certificate another CA signed is not trusted.
        using var strangers = new TestCertificates("another-ca");
        using (var wary = new EtcdGlobalStore(options with { CaFile = strangers.CaFile }))
            Assert.Throws<GlobalStoreUnavailableException>(() => wary.Get("/tls/a"));
    }

    [Fact]
    public void A_certificate_without_its_key_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new EtcdGlobalStore(new EtcdOptions { Endpoints = [new Uri("https://127.0.0.1:1")], CertFile = "/x.pem" }));
        Assert.Contains("needs both its certificate file and its key file", error.Message, StringComparison.Ordinal);
    }
}
