//! The certificates a connection trusts, as Node trusts them: the web's roots (Mozilla's,
//! compiled in), the PEM file named by `NODE_EXTRA_CA_CERTS`, and the operating system's
//! store (where a company's own CA is installed). Each is read once per process, and only
//! when a TLS handshake needs it: the web roots and the extra file at the first handshake,
//! the system store when a certificate chains to neither (reading it costs a few hundred
//! KiB and milliseconds that a plain-HTTP or ImageKit-only process never pays).

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{self, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

/// The TLS configuration every pool uses.
pub fn config() -> Result<ClientConfig, String> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NodeTrust))
        .with_no_client_auth();
    Ok(config)
}

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(crypto::ring::default_provider()))
        .clone()
}

/// Verifies a server's chain against the web roots and `NODE_EXTRA_CA_CERTS`, then, for a
/// chain to an issuer neither knows, against the system store as well.
#[derive(Debug)]
struct NodeTrust;

impl NodeTrust {
    fn web() -> Result<&'static Arc<WebPkiServerVerifier>, Error> {
        static WEB: OnceLock<Result<Arc<WebPkiServerVerifier>, String>> = OnceLock::new();
        resolved(WEB.get_or_init(|| verifier(roots(false))))
    }

    fn with_system() -> Result<&'static Arc<WebPkiServerVerifier>, Error> {
        static SYSTEM: OnceLock<Result<Arc<WebPkiServerVerifier>, String>> = OnceLock::new();
        resolved(SYSTEM.get_or_init(|| verifier(roots(true))))
    }
}

fn resolved(
    made: &'static Result<Arc<WebPkiServerVerifier>, String>,
) -> Result<&'static Arc<WebPkiServerVerifier>, Error> {
    made.as_ref()
        .map_err(|reason| Error::General(reason.clone()))
}

fn verifier(roots: RootCertStore) -> Result<Arc<WebPkiServerVerifier>, String> {
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| e.to_string())
}

impl ServerCertVerifier for NodeTrust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verify = |verifier: &WebPkiServerVerifier| {
            verifier.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        };
        match verify(Self::web()?) {
            Err(Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {
                verify(Self::with_system()?)
            }
            verified => verified,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let algorithms = &provider().signature_verification_algorithms;
        crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let algorithms = &provider().signature_verification_algorithms;
        crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What the roots were made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Sources {
    web: usize,
    system: usize,
    extra: usize,
    /// Why `NODE_EXTRA_CA_CERTS` gave nothing, when it is set and did. Like Node (which
    /// has already warned about an unreadable file), connections go on without it.
    extra_failed: Option<String>,
}

fn roots(system: bool) -> RootCertStore {
    let extra = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|path| !path.is_empty());
    build(extra.as_deref().map(std::path::Path::new), system).0
}

fn build(extra: Option<&std::path::Path>, system: bool) -> (RootCertStore, Sources) {
    let mut roots = RootCertStore::empty();
    let mut sources = Sources::default();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    sources.web = roots.len();
    if let Some(path) = extra {
        match read_pem(path) {
            Ok(certificates) if certificates.is_empty() => {
                sources.extra_failed = Some(format!("no certificate in {}", path.display()));
            }
            Ok(certificates) => sources.extra = roots.add_parsable_certificates(certificates).0,
            Err(reason) => sources.extra_failed = Some(reason),
        }
    }
    if system {
        // A store that cannot be read in part still gives the certificates it could read.
        let native = rustls_native_certs::load_native_certs();
        sources.system = roots.add_parsable_certificates(native.certs).0;
    }
    (roots, sources)
}

fn read_pem(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| e.to_string())?;
    CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_roots_always_the_system_store_when_asked() {
        let missing = std::path::Path::new("/nonexistent/extra-ca.pem");
        let (_, web_only) = build(Some(missing), false);
        assert!(web_only.web > 100);
        assert_eq!((web_only.extra, web_only.system), (0, 0));
        assert!(web_only.extra_failed.is_some());
        assert!(config().is_ok());
    }
}
