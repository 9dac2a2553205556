//! The certificates a connection trusts, as Node trusts them: the web's roots (Mozilla's,
//! compiled in), the operating system's store (where a company's own CA is installed), and
//! the PEM file named by `NODE_EXTRA_CA_CERTS`. Read once per process, on the first
//! connection pool, and shared by every pool.

use std::sync::{Arc, OnceLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

/// What the roots were made from, for a test or a diagnosis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    pub web: usize,
    pub system: usize,
    pub extra: usize,
    /// Why `NODE_EXTRA_CA_CERTS` gave nothing, when it is set and did.
    pub extra_failed: Option<String>,
}

struct Trust {
    config: ClientConfig,
    sources: Sources,
}

static TRUST: OnceLock<Result<Trust, String>> = OnceLock::new();

/// The TLS configuration every pool uses.
pub fn config() -> Result<ClientConfig, String> {
    trust().map(|trust| trust.config.clone())
}

/// How many roots came from where.
pub fn sources() -> Result<Sources, String> {
    trust().map(|trust| trust.sources.clone())
}

fn trust() -> Result<&'static Trust, String> {
    TRUST
        .get_or_init(|| {
            let extra = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|path| !path.is_empty());
            build(extra.as_deref().map(std::path::Path::new))
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn build(extra: Option<&std::path::Path>) -> Result<Trust, String> {
    let mut roots = RootCertStore::empty();
    let mut sources = Sources::default();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    sources.web = roots.len();
    // A store that cannot be read in part still gives the certificates it could read.
    let system = rustls_native_certs::load_native_certs();
    let (added, _) = roots.add_parsable_certificates(system.certs);
    sources.system = added;
    if let Some(path) = extra {
        match read_pem(path) {
            Ok(certificates) if certificates.is_empty() => {
                sources.extra_failed = Some(format!("no certificate in {}", path.display()));
            }
            Ok(certificates) => {
                let (added, _) = roots.add_parsable_certificates(certificates);
                sources.extra = added;
            }
            Err(reason) => sources.extra_failed = Some(reason),
        }
        // Like Node, which has already printed its own warning for an unreadable file,
        // the pool goes on without them.
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Trust { config, sources })
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
    fn the_web_roots_always_and_a_missing_extra_file_is_reported() {
        let missing = std::path::Path::new("/nonexistent/extra-ca.pem");
        let trust = build(Some(missing)).expect("a configuration");
        assert!(trust.sources.web > 100);
        assert_eq!(trust.sources.extra, 0);
        assert!(trust.sources.extra_failed.is_some());
    }
}
