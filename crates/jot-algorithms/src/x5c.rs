//! Keys from a token's `x5c` header (RFC 7515 §4.1.6), trusted only through a
//! certificate path to a trust anchor the application configured.
//!
//! Path building and validation (signatures up the chain, validity periods,
//! basic constraints, name constraints, extended key usage) are `rustls-webpki`'s,
//! with the certificate signatures checked by the crypto provider (`algorithms`);
//! this module bounds the input, checks what webpki leaves to the application (the
//! leaf's key usage, the `x5t#S256` and `x5t` thumbprints, the path length) and binds
//! the leaf's public key to the token's algorithm.

mod algorithms;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use der::Decode as _;
use der::asn1::ObjectIdentifier;
use jot_codec::{Clock, Header, NumericDate, SystemClock, Verifier, VerifyError, base64url};
use rustls_pki_types::{
    CertificateDer, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};
use webpki::{EndEntityCert, KeyPurposeId, KeyPurposeIdIter, VerifiedPath};
use x509_cert::Certificate;
use x509_cert::ext::pkix::KeyUsage;

use crate::provider::Hash;
use crate::{Algorithm, AlgorithmFamily, KeyError, VerifyingKey};

/// Verifies tokens whose key comes from their `x5c` header, trusting only a
/// certificate path from the leaf (`x5c[0]`) to one of the trust anchors given to
/// [`X5cVerifier::new`].
///
/// For each token it:
/// 1. reads `x5c` from the **protected** header (base64, not base64url, DER; at most
///    [`max_certificates`](Self::max_certificates) of at most
///    [`max_certificate_len`](Self::max_certificate_len) bytes each);
/// 2. validates the path with `rustls-webpki` at the time of its [`Clock`]
///    (the system clock unless [`clock`](Self::clock) says otherwise): signatures,
///    validity periods, CA constraints, and the extended key usage policy
///    ([`extended_key_usage`](Self::extended_key_usage); none by default);
/// 3. requires the `digitalSignature` bit when the leaf has a key usage extension;
/// 4. requires `x5t#S256` (and `x5t`, SHA-1) to be the leaf's thumbprint when present,
///    and the leaf to be for the pinned [`subject_name`](Self::subject_name) if any;
/// 5. builds a [`VerifyingKey`] from the leaf's public key for the header's `alg`
///    (an algorithm from [`algorithms`](Self::algorithms), asymmetric only; a key that
///    does not fit the algorithm is refused) and verifies the signature.
///
/// The [`Verifier`] trait passes no time, so the verifier reads its own clock: give it
/// the clock you give `decode_with_clock`. Other verifiers ([`VerifyingKey`],
/// [`KeySet`](crate::KeySet)) never look at `x5c`.
///
/// ```
/// use jot_algorithms::{Algorithm, X5cError, X5cVerifier};
///
/// // Without a trust anchor there is nothing to trust a header's key with.
/// let none: [&[u8]; 0] = [];
/// assert!(matches!(X5cVerifier::new(none), Err(X5cError::NoTrustAnchors)));
///
/// // With one (the DER of a CA certificate the application trusts):
/// let anchor = std::fs::read("tests/data/rsa2048.cert.der")?;
/// let verifier = X5cVerifier::new([anchor])?
///     .algorithms([Algorithm::ES256, Algorithm::PS256])
///     .max_certificates(3);
/// // `jot_algorithms::decode(token, &verifier, &validation)` now accepts tokens whose
/// // `x5c` chains up to that certificate.
/// # let _ = verifier;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct X5cVerifier {
    anchors: Vec<TrustAnchor<'static>>,
    intermediates: Vec<CertificateDer<'static>>,
    algorithms: Vec<Algorithm>,
    eku: Option<ObjectIdentifier>,
    max_certificates: usize,
    max_certificate_len: usize,
    max_path_len: Option<usize>,
    subject_name: Option<ServerName<'static>>,
    clock: Arc<dyn Clock + Send + Sync>,
}

/// Why an [`X5cVerifier`] could not be built, or refused a token's certificates.
/// Through the [`Verifier`] trait a refused certificate becomes
/// [`VerifyError::UnknownKey`] (no trusted key), an algorithm that is not allowed or
/// does not fit the key [`VerifyError::AlgorithmNotAllowed`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum X5cError {
    /// [`X5cVerifier::new`] was given no trust anchor.
    #[error("no trust anchor configured")]
    NoTrustAnchors,
    /// A configured trust anchor or intermediate is not a usable DER certificate.
    #[error("configured certificate {index} is not a usable X.509 certificate")]
    BadConfiguredCertificate {
        /// Its position in the list given.
        index: usize,
    },
    /// An extended key usage that is no dotted object identifier.
    #[error("not an object identifier")]
    InvalidOid,
    /// A pinned subject name that is neither a DNS name nor an IP address.
    #[error("not a DNS name or IP address")]
    InvalidSubjectName,
    /// The leaf's subject alternative names do not cover the pinned name.
    #[error("leaf certificate is not for the pinned name")]
    SubjectNameMismatch,
    /// The protected header has no `x5c`, or an empty one.
    #[error("no x5c in the protected header")]
    MissingX5c,
    /// The header's `alg` is not one the verifier allows.
    #[error("algorithm {alg} not allowed for x5c keys")]
    AlgorithmNotAllowed {
        /// The header's algorithm.
        alg: Algorithm,
    },
    /// More certificates than [`X5cVerifier::max_certificates`].
    #[error("x5c has {count} certificates, at most {max} allowed")]
    TooManyCertificates {
        /// How many the header has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A certificate larger than [`X5cVerifier::max_certificate_len`] (before or after
    /// base64 decoding).
    #[error("x5c certificate {index} is larger than {max} bytes")]
    CertificateTooLarge {
        /// Its position in `x5c`.
        index: usize,
        /// The limit, in DER bytes.
        max: usize,
    },
    /// A certificate that is not standard, padded base64.
    #[error("x5c certificate {index} is not valid base64")]
    Base64 {
        /// Its position in `x5c`.
        index: usize,
    },
    /// A certificate that is not a DER X.509 certificate.
    #[error("x5c certificate {index} is not a DER X.509 certificate")]
    MalformedCertificate {
        /// Its position in `x5c`.
        index: usize,
    },
    /// The path from the leaf to a trust anchor does not validate.
    #[error("certificate path invalid: {0}")]
    Path(#[from] PathError),
    /// The leaf has a key usage extension without `digitalSignature`.
    #[error("leaf certificate is not for digital signatures")]
    KeyUsage,
    /// `x5t#S256` or `x5t` is not the leaf certificate's thumbprint.
    #[error("{member} is not the leaf certificate's thumbprint")]
    ThumbprintMismatch {
        /// `"x5t#S256"` or `"x5t"`.
        member: &'static str,
    },
    /// The leaf's public key does not fit the header's `alg` (or is refused as a key).
    #[error("leaf key: {0}")]
    Key(#[from] KeyError),
}

/// Why `rustls-webpki` refused the certificate path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// No path leads to a configured trust anchor (unknown root, missing intermediate).
    #[error("unknown issuer")]
    UnknownIssuer,
    /// A certificate of the path expired before the verification time.
    #[error("certificate expired")]
    Expired,
    /// A certificate of the path is not valid yet at the verification time.
    #[error("certificate not valid yet")]
    NotValidYet,
    /// A certificate's signature does not verify with its issuer's key.
    #[error("bad certificate signature")]
    BadSignature,
    /// A certificate's extended key usage extension lacks the configured purpose.
    #[error("required extended key usage missing")]
    ExtendedKeyUsage,
    /// The path is longer than [`X5cVerifier::max_path_len`].
    #[error("path too long")]
    TooLong,
    /// Any other refusal (bad encoding, constraints, unsupported algorithm, ...).
    #[error("invalid certificate")]
    Invalid,
}

impl X5cVerifier {
    /// Default [`max_certificates`](Self::max_certificates).
    pub const DEFAULT_MAX_CERTIFICATES: usize = 5;
    /// Default [`max_certificate_len`](Self::max_certificate_len), in DER bytes.
    pub const DEFAULT_MAX_CERTIFICATE_LEN: usize = 8192;

    /// A verifier trusting the given trust anchors: DER certificates (usually root CAs).
    /// The list must not be empty. Accepts every asymmetric algorithm (never HMAC) until
    /// [`algorithms`](Self::algorithms) narrows it.
    pub fn new<I, C>(anchors: I) -> Result<Self, X5cError>
    where
        I: IntoIterator<Item = C>,
        C: AsRef<[u8]>,
    {
        let mut parsed = Vec::new();
        for (index, der) in anchors.into_iter().enumerate() {
            let der = CertificateDer::from(der.as_ref());
            let anchor = webpki::anchor_from_trusted_cert(&der)
                .map_err(|_| X5cError::BadConfiguredCertificate { index })?;
            parsed.push(anchor.to_owned());
        }
        if parsed.is_empty() {
            return Err(X5cError::NoTrustAnchors);
        }
        Ok(X5cVerifier {
            anchors: parsed,
            intermediates: Vec::new(),
            algorithms: Algorithm::ALL
                .iter()
                .copied()
                .filter(|&a| a.family() != AlgorithmFamily::Hmac && crate::supports(a))
                .collect(),
            eku: None,
            max_certificates: Self::DEFAULT_MAX_CERTIFICATES,
            max_certificate_len: Self::DEFAULT_MAX_CERTIFICATE_LEN,
            max_path_len: None,
            subject_name: None,
            clock: Arc::new(SystemClock),
        })
    }

    /// Intermediate CA certificates (DER) to build paths with, besides those the token
    /// carries in `x5c`. They are not trusted by themselves.
    pub fn intermediates<I, C>(mut self, certificates: I) -> Result<Self, X5cError>
    where
        I: IntoIterator<Item = C>,
        C: AsRef<[u8]>,
    {
        for (index, der) in certificates.into_iter().enumerate() {
            let der = der.as_ref();
            if Certificate::from_der(der).is_err() {
                return Err(X5cError::BadConfiguredCertificate { index });
            }
            self.intermediates.push(CertificateDer::from(der.to_vec()));
        }
        Ok(self)
    }

    /// The algorithms a token may name. HMAC algorithms are dropped: a certificate
    /// holds no secret.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms
            .into_iter()
            .filter(|a| a.family() != AlgorithmFamily::Hmac)
            .collect();
        self
    }

    /// An extended key usage policy (dotted OID, e.g. `"1.3.6.1.5.5.7.3.2"`): every
    /// certificate of the path that has an extended key usage extension, the leaf
    /// included, must list this purpose; a certificate without the extension is not
    /// restricted (RFC 5280 §4.2.1.12, as webpki applies it to TLS). Without a policy
    /// the extended key usage is not checked: no purpose is registered for signing JWTs.
    pub fn extended_key_usage(mut self, oid: &str) -> Result<Self, X5cError> {
        self.eku = Some(ObjectIdentifier::new(oid).map_err(|_| X5cError::InvalidOid)?);
        Ok(self)
    }

    /// The most certificates `x5c` may hold (default
    /// [`DEFAULT_MAX_CERTIFICATES`](Self::DEFAULT_MAX_CERTIFICATES)).
    pub fn max_certificates(mut self, max: usize) -> Self {
        self.max_certificates = max;
        self
    }

    /// The largest certificate `x5c` may hold, in DER bytes (default
    /// [`DEFAULT_MAX_CERTIFICATE_LEN`](Self::DEFAULT_MAX_CERTIFICATE_LEN)).
    pub fn max_certificate_len(mut self, max: usize) -> Self {
        self.max_certificate_len = max;
        self
    }

    /// The most certificates in a validated path below the trust anchor, the leaf
    /// included (no limit but webpki's own by default).
    pub fn max_path_len(mut self, max: usize) -> Self {
        self.max_path_len = Some(max);
        self
    }

    /// Pins the leaf to a name: a DNS name or an IP address its subject alternative
    /// names must cover (webpki's matching, wildcards included; the subject's common
    /// name is not consulted). Unpinned by default: any leaf the anchors vouch for.
    pub fn subject_name(mut self, name: &str) -> Result<Self, X5cError> {
        let name = ServerName::try_from(name).map_err(|_| X5cError::InvalidSubjectName)?;
        self.subject_name = Some(name.to_owned());
        Ok(self)
    }

    /// The clock whose time the certificates must be valid at: give the one the
    /// decode uses (the system clock by default).
    pub fn clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The trusted key of a token with this (protected) `header` and `alg`, with its
    /// certificates validated at `at`. [`Verifier::verify`] calls it with the time of
    /// the verifier's clock.
    ///
    /// A whole round, with a root and a leaf made by `rcgen`:
    ///
    /// ```
    /// use base64::Engine as _;
    /// use jot_algorithms::{
    ///     Algorithm, Claims, FixedClock, Header, NumericDate, SigningKey, Validation, X5cVerifier,
    ///     encode,
    /// };
    /// use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    ///
    /// // The trust anchor.
    /// let ca_key = KeyPair::generate()?;
    /// let mut ca = CertificateParams::new(Vec::<String>::new())?;
    /// ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    /// let root = ca.self_signed(&ca_key)?;
    /// // The signer's key and certificate.
    /// let key = SigningKey::generate(Algorithm::ES256)?;
    /// let pair = KeyPair::try_from(key.to_pkcs8_der()?.as_slice())?;
    /// let mut leaf = CertificateParams::new(vec!["signer.example".to_owned()])?;
    /// leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    /// let leaf = leaf.signed_by(&pair, &Issuer::new(ca, ca_key))?;
    ///
    /// let mut header = Header::jwt();
    /// header.x5c = Some(vec![base64::engine::general_purpose::STANDARD.encode(leaf.der())]);
    /// let now = 1_780_272_000;
    /// let exp = NumericDate::from_seconds(now + 300).ok_or("date")?;
    /// let token = encode(&key, &header, &Claims::new(()).subject("42").expires_at(exp))?;
    ///
    /// let verifier = X5cVerifier::new([root.der()])?.clock(FixedClock::at(now));
    /// let verified = jot_codec::decode_with_clock::<(), _, _>(
    ///     &token,
    ///     &verifier,
    ///     &Validation::new(),
    ///     &FixedClock::at(now),
    /// )?;
    /// assert_eq!(verified.claims.sub.as_deref(), Some("42"));
    ///
    /// // The key itself, for a header read some other way:
    /// let at = NumericDate::from_seconds(now).ok_or("date")?;
    /// let leaf_key = verifier.leaf_key(&header, Algorithm::ES256, at)?;
    /// assert_eq!(leaf_key.to_spki_der()?, key.verifying_key().to_spki_der()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn leaf_key(
        &self,
        header: &Header,
        alg: Algorithm,
        at: NumericDate,
    ) -> Result<VerifyingKey, X5cError> {
        if !self.algorithms.contains(&alg) {
            return Err(X5cError::AlgorithmNotAllowed { alg });
        }
        let chain = self.certificates(header)?;
        let (leaf, rest) = chain.split_first().ok_or(X5cError::MissingX5c)?;
        let leaf_cert =
            Certificate::from_der(leaf).map_err(|_| X5cError::MalformedCertificate { index: 0 })?;
        let end_entity = EndEntityCert::try_from(leaf)
            .map_err(|_| X5cError::MalformedCertificate { index: 0 })?;
        let mut intermediates = rest.to_vec();
        intermediates.extend(self.intermediates.iter().cloned());
        let time = UnixTime::since_unix_epoch(Duration::from_secs(at.seconds()));
        let max_path_len = self.max_path_len;
        let path_len = move |path: &VerifiedPath<'_>| match max_path_len {
            Some(max) if path.intermediate_certificates().count() + 1 > max => {
                Err(webpki::Error::MaximumPathDepthExceeded)
            }
            _ => Ok(()),
        };
        end_entity
            .verify_for_usage(
                SIGNATURE_ALGORITHMS,
                &self.anchors,
                &intermediates,
                time,
                Eku(self.eku.as_ref()),
                None,
                Some(&path_len),
            )
            .map_err(path_error)?;
        if let Some(name) = &self.subject_name {
            end_entity
                .verify_is_valid_for_subject_name(name)
                .map_err(|_| X5cError::SubjectNameMismatch)?;
        }
        check_key_usage(&leaf_cert)?;
        check_thumbprints(header, leaf)?;
        let spki = crate::certificate::certificate_spki(leaf)?;
        Ok(VerifyingKey::from_der(alg, spki)?)
    }

    /// Decodes `x5c` within the limits.
    fn certificates(&self, header: &Header) -> Result<Vec<CertificateDer<'static>>, X5cError> {
        let x5c = match header.x5c.as_deref() {
            Some(list) if !list.is_empty() => list,
            _ => return Err(X5cError::MissingX5c),
        };
        if x5c.len() > self.max_certificates {
            return Err(X5cError::TooManyCertificates {
                count: x5c.len(),
                max: self.max_certificates,
            });
        }
        let max = self.max_certificate_len;
        x5c.iter()
            .enumerate()
            .map(|(index, b64)| {
                // Longer than the base64 of `max` bytes: too large before decoding.
                if b64.len() > max.saturating_add(2) / 3 * 4 {
                    return Err(X5cError::CertificateTooLarge { index, max });
                }
                let der = STANDARD
                    .decode(b64)
                    .map_err(|_| X5cError::Base64 { index })?;
                if der.len() > max {
                    return Err(X5cError::CertificateTooLarge { index, max });
                }
                Ok(CertificateDer::from(der))
            })
            .collect()
    }
}

impl Verifier for X5cVerifier {
    /// Reads the protected header from the signing input (only the protected header
    /// is signed, so an unprotected `x5c` is never looked at), finds the trusted
    /// key with [`X5cVerifier::leaf_key`] at the clock's time, and verifies.
    fn verify(
        &self,
        alg: Algorithm,
        _kid: Option<&str>,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        let header = protected_header(signing_input).ok_or(VerifyError::UnknownKey)?;
        let key = self
            .leaf_key(&header, alg, self.clock.now())
            .map_err(|e| match e {
                X5cError::AlgorithmNotAllowed { .. } | X5cError::Key(_) => {
                    VerifyError::AlgorithmNotAllowed
                }
                _ => VerifyError::UnknownKey,
            })?;
        key.verify(alg, None, signing_input, signature)
    }
}

impl fmt::Debug for X5cVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X5cVerifier")
            .field("anchors", &self.anchors.len())
            .field("intermediates", &self.intermediates.len())
            .field("algorithms", &self.algorithms)
            .field("eku", &self.eku)
            .field("max_certificates", &self.max_certificates)
            .field("max_certificate_len", &self.max_certificate_len)
            .field("max_path_len", &self.max_path_len)
            .field("subject_name", &self.subject_name)
            .finish_non_exhaustive()
    }
}

/// The certificate signature algorithms accepted along the path, on the build's
/// crypto provider (no SHA-1).
static SIGNATURE_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = algorithms::ALL;

/// The extended key usage policy: none, or one purpose required where the
/// extension is present.
struct Eku<'a>(Option<&'a ObjectIdentifier>);

impl webpki::ExtendedKeyUsageValidator for Eku<'_> {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let Some(oid) = self.0 else {
            return Ok(());
        };
        let wanted = KeyPurposeId::new(oid.as_bytes());
        let mut empty = true;
        for purpose in iter {
            empty = false;
            if purpose? == wanted {
                return Ok(());
            }
        }
        if empty {
            // No extension: the certificate is not restricted.
            return Ok(());
        }
        // The unit variant: the context one needs the purpose as `&'static` bytes.
        #[allow(deprecated)]
        Err(webpki::Error::RequiredEkuNotFound)
    }
}

// Also maps webpki's deprecated unit variants, which it still returns.
#[allow(deprecated)]
fn path_error(e: webpki::Error) -> PathError {
    use webpki::Error as E;
    match e {
        E::UnknownIssuer => PathError::UnknownIssuer,
        E::CertExpired { .. } => PathError::Expired,
        E::CertNotValidYet { .. } => PathError::NotValidYet,
        E::InvalidSignatureForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => PathError::BadSignature,
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => PathError::ExtendedKeyUsage,
        E::MaximumPathDepthExceeded => PathError::TooLong,
        _ => PathError::Invalid,
    }
}

/// `digitalSignature` must be set when the leaf states its key usage (RFC 5280
/// §4.2.1.3); webpki leaves the end entity's key usage to the application.
fn check_key_usage(leaf: &Certificate) -> Result<(), X5cError> {
    let Some(extensions) = leaf.tbs_certificate().extensions() else {
        return Ok(());
    };
    for ext in extensions {
        if ext.extn_id == KEY_USAGE {
            let usage = KeyUsage::from_der(ext.extn_value.as_bytes())
                .map_err(|_| X5cError::MalformedCertificate { index: 0 })?;
            if !usage.digital_signature() {
                return Err(X5cError::KeyUsage);
            }
        }
    }
    Ok(())
}

/// id-ce-keyUsage, 2.5.29.15 (a constant: `new_unwrap` is evaluated at compile time).
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");

/// `x5t#S256` and `x5t` (base64url of the DER's SHA-256 and SHA-1) must name the
/// leaf when present. SHA-1 serves only to compare with what the header claims; the
/// trust comes from the path.
fn check_thumbprints(header: &Header, leaf: &[u8]) -> Result<(), X5cError> {
    let checks = [
        (header.x5t_s256.as_deref(), Hash::Sha256, "x5t#S256"),
        (header.x5t.as_deref(), Hash::Sha1, "x5t"),
    ];
    for (claimed, algorithm, member) in checks {
        if let Some(claimed) = claimed {
            let actual = crate::provider::digest(algorithm, leaf);
            if base64url::decode(claimed).ok().as_deref() != Some(actual.as_ref()) {
                return Err(X5cError::ThumbprintMismatch { member });
            }
        }
    }
    Ok(())
}

/// The protected header: the first segment of the signing input.
fn protected_header(signing_input: &[u8]) -> Option<Header> {
    let first = signing_input.split(|&b| b == b'.').next()?;
    let json = base64url::decode(std::str::from_utf8(first).ok()?).ok()?;
    serde_json::from_slice(&json).ok()
}
