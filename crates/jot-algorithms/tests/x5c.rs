//! `X5cVerifier`: tokens whose key comes from their `x5c` header, over certificate
//! chains (root → intermediate → leaf) made by `rcgen` when the test runs.

// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jot_algorithms::{
    Algorithm, Claims, Error, FixedClock, Header, NumericDate, PathError, SigningKey, Validation,
    VerifyingKey, X5cError, X5cVerifier, encode,
};
use jot_codec::decode_with_clock;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};

/// 2026-06-01T00:00:00Z: inside every validity period below.
const NOW: u64 = 1_780_272_000;
/// 2028-06-01: after the leaf expired (2027-01-01), before the CAs do (2040).
const AFTER_LEAF: u64 = 1_843_430_400;
/// 2024-06-01: before the leaf is valid (2025-01-01), after the CAs are (2020).
const BEFORE_LEAF: u64 = 1_717_200_000;

const RSA_PKCS8: &[u8] = include_bytes!("data/rsa2048.pkcs8.der");

struct Pki {
    root: Vec<u8>,
    intermediate: Vec<u8>,
    leaf: Vec<u8>,
    key: SigningKey,
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params
}

/// A chain whose leaf holds `key` (signing with `alg`), its parameters adjusted by
/// `tweak`: a P-256 root, a P-384 intermediate.
fn pki_with(alg: Algorithm, key_der: &[u8], tweak: impl FnOnce(&mut CertificateParams)) -> Pki {
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let inter_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let leaf_pair = match alg.as_str() {
        "ES256" => KeyPair::try_from(key_der).unwrap(),
        _ => KeyPair::from_pkcs8_der_and_sign_algo(
            &rustls_pki_types::PrivatePkcs8KeyDer::from(key_der),
            &rcgen::PKCS_RSA_SHA256,
        )
        .unwrap(),
    };
    let key = SigningKey::from_der(alg, key_der).unwrap();
    chain(root_key, inter_key, &leaf_pair, key, tweak)
}

/// A root → intermediate → leaf chain: the CAs sign with their keys' algorithms, the
/// leaf holds `leaf_pair`, the public half of `key`.
fn chain(
    root_key: KeyPair,
    inter_key: KeyPair,
    leaf_pair: &KeyPair,
    key: SigningKey,
    tweak: impl FnOnce(&mut CertificateParams),
) -> Pki {
    let root_params = ca_params("jot test root");
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);

    let inter_params = ca_params("jot test intermediate");
    let intermediate = inter_params.signed_by(&inter_key, &root_issuer).unwrap();
    let inter_issuer = Issuer::new(inter_params, inter_key);

    let mut leaf_params = CertificateParams::new(vec!["signer.example".to_owned()]).unwrap();
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "jot-test-signer.example");
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.not_before = date_time_ymd(2025, 1, 1);
    leaf_params.not_after = date_time_ymd(2027, 1, 1);
    tweak(&mut leaf_params);
    let leaf = leaf_params.signed_by(leaf_pair, &inter_issuer).unwrap();

    Pki {
        root: root.der().to_vec(),
        intermediate: intermediate.der().to_vec(),
        leaf: leaf.der().to_vec(),
        key,
    }
}

/// A chain whose CAs sign with `ca` and whose leaf holds a fresh `alg` key.
fn chain_signed_with(ca: &'static rcgen::SignatureAlgorithm, alg: Algorithm) -> Pki {
    let ca_key = || match ca {
        a if a == &rcgen::PKCS_RSA_SHA256
            || a == &rcgen::PKCS_RSA_SHA384
            || a == &rcgen::PKCS_RSA_SHA512 =>
        {
            KeyPair::from_pkcs8_der_and_sign_algo(
                &rustls_pki_types::PrivatePkcs8KeyDer::from(RSA_PKCS8),
                a,
            )
            .unwrap()
        }
        a => KeyPair::generate_for(a).unwrap(),
    };
    let key = SigningKey::generate(alg).unwrap();
    let leaf_pair = KeyPair::try_from(key.to_pkcs8_der().unwrap().as_slice()).unwrap();
    chain(ca_key(), ca_key(), &leaf_pair, key, |_| {})
}

fn make_pki(alg: Algorithm) -> Pki {
    pki_with(alg, &leaf_key_der(alg), |_| {})
}

fn leaf_key_der(alg: Algorithm) -> Vec<u8> {
    match alg {
        Algorithm::ES256 => SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .to_pkcs8_der()
            .unwrap(),
        _ => RSA_PKCS8.to_vec(),
    }
}

fn b64(der: &[u8]) -> String {
    STANDARD.encode(der)
}

impl Pki {
    /// The usual `x5c`: leaf, then intermediate.
    fn x5c(&self) -> Vec<String> {
        vec![b64(&self.leaf), b64(&self.intermediate)]
    }

    fn verifier(&self) -> X5cVerifier {
        X5cVerifier::new([&self.root])
            .unwrap()
            .clock(FixedClock::at(NOW))
    }

    fn token(&self, x5c: Vec<String>) -> String {
        self.token_with(|h| h.x5c = Some(x5c))
    }

    fn token_with(&self, edit: impl FnOnce(&mut Header)) -> String {
        let mut header = Header::jwt();
        edit(&mut header);
        encode(&self.key, &header, &claims()).unwrap()
    }
}

fn claims() -> Claims<()> {
    Claims::new(())
        .subject("42")
        .expires_at(NumericDate::from_seconds(NOW + 600).unwrap())
}

fn check(token: &str, verifier: &X5cVerifier) -> Result<(), Error> {
    decode_with_clock::<(), _, _>(token, verifier, &Validation::new(), &FixedClock::at(NOW))
        .map(|t| assert_eq!(t.claims.sub.as_deref(), Some("42")))
}

/// The detailed reason, as `leaf_key` reports it, for the token's own header.
fn reason(pki: &Pki, header: &Header, verifier: &X5cVerifier, at: u64) -> X5cError {
    verifier
        .leaf_key(
            header,
            pki.key.algorithm(),
            NumericDate::from_seconds(at).unwrap(),
        )
        .unwrap_err()
}

fn header(x5c: Vec<String>) -> Header {
    let mut h = Header::jwt();
    h.x5c = Some(x5c);
    h
}

/// The chain's token verifies, and the key `leaf_key` returns is the leaf's, for
/// the token's algorithm.
fn accepted_with_the_leaf_key(pki: &Pki, alg: Algorithm) {
    check(&pki.token(pki.x5c()), &pki.verifier()).unwrap();
    let key = pki
        .verifier()
        .leaf_key(
            &header(pki.x5c()),
            alg,
            NumericDate::from_seconds(NOW).unwrap(),
        )
        .unwrap();
    assert_eq!(key.algorithm(), alg);
    assert_eq!(
        key.to_spki_der().unwrap(),
        pki.key.verifying_key().to_spki_der().unwrap()
    );
}

fn unknown_key(r: Result<(), Error>) {
    assert!(matches!(r, Err(Error::UnknownKey { .. })), "{r:?}");
}

#[test]
fn a_chain_to_the_anchor_is_accepted_for_es256_rs256_and_ps256() {
    for alg in [Algorithm::ES256, Algorithm::RS256, Algorithm::PS256] {
        let pki = make_pki(alg);
        accepted_with_the_leaf_key(&pki, alg);
    }
}

#[test]
fn an_unknown_root_is_refused() {
    let pki = make_pki(Algorithm::ES256);
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let another = ca_params("another root").self_signed(&key).unwrap();
    let verifier = X5cVerifier::new([another.der()])
        .unwrap()
        .clock(FixedClock::at(NOW));
    unknown_key(check(&pki.token(pki.x5c()), &verifier));
    assert_eq!(
        reason(&pki, &header(pki.x5c()), &verifier, NOW),
        X5cError::Path(PathError::UnknownIssuer)
    );
    // A trusted root of the same name but another key: the intermediate's signature
    // does not verify.
    let namesake = make_pki(Algorithm::ES256);
    let verifier = X5cVerifier::new([&namesake.root])
        .unwrap()
        .clock(FixedClock::at(NOW));
    unknown_key(check(&pki.token(pki.x5c()), &verifier));
    assert_eq!(
        reason(&pki, &header(pki.x5c()), &verifier, NOW),
        X5cError::Path(PathError::BadSignature)
    );
    // A chain that carries its own root as well is still unknown.
    let with_root = vec![b64(&pki.leaf), b64(&pki.intermediate), b64(&pki.root)];
    unknown_key(check(&pki.token(with_root), &verifier));
}

#[test]
fn validity_is_checked_at_the_verification_time() {
    let pki = make_pki(Algorithm::ES256);
    let h = header(pki.x5c());
    let verifier = pki.verifier();
    assert_eq!(
        reason(&pki, &h, &verifier, AFTER_LEAF),
        X5cError::Path(PathError::Expired)
    );
    assert_eq!(
        reason(&pki, &h, &verifier, BEFORE_LEAF),
        X5cError::Path(PathError::NotValidYet)
    );
    // Through `decode`: the verifier's clock decides, not the system clock.
    let token = pki.token(pki.x5c());
    unknown_key(check(
        &token,
        &verifier.clone().clock(FixedClock::at(AFTER_LEAF)),
    ));
    unknown_key(check(
        &token,
        &verifier.clone().clock(FixedClock::at(BEFORE_LEAF)),
    ));
    check(&token, &verifier).unwrap();
}

#[test]
fn a_missing_intermediate_is_refused_unless_configured() {
    let pki = make_pki(Algorithm::ES256);
    let token = pki.token(vec![b64(&pki.leaf)]);
    unknown_key(check(&token, &pki.verifier()));
    assert_eq!(
        reason(&pki, &header(vec![b64(&pki.leaf)]), &pki.verifier(), NOW),
        X5cError::Path(PathError::UnknownIssuer)
    );
    let configured = pki.verifier().intermediates([&pki.intermediate]).unwrap();
    check(&token, &configured).unwrap();
}

#[test]
fn thumbprints_must_name_the_leaf() {
    let pki = make_pki(Algorithm::ES256);
    // Computed with the RustCrypto hashes, independently of the provider under test.
    use sha2::Digest as _;
    let sha256 = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&pki.leaf));
    let sha1 = URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(&pki.leaf));
    let inter_sha256 = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&pki.intermediate));
    let good = pki.token_with(|h| {
        h.x5c = Some(pki.x5c());
        h.x5t_s256 = Some(sha256.clone());
        h.x5t = Some(sha1.clone());
    });
    check(&good, &pki.verifier()).unwrap();

    for (s256, s1, member) in [
        (Some(inter_sha256), None, "x5t#S256"),
        (Some("not-a-thumbprint".to_owned()), None, "x5t#S256"),
        (Some(sha256.clone()), Some(sha256.clone()), "x5t"),
    ] {
        let mut h = header(pki.x5c());
        h.x5t_s256 = s256;
        h.x5t = s1;
        assert_eq!(
            reason(&pki, &h, &pki.verifier(), NOW),
            X5cError::ThumbprintMismatch { member }
        );
        unknown_key(check(&pki.token_with(|t| *t = h.clone()), &pki.verifier()));
    }
}

#[test]
fn a_tampered_certificate_is_refused() {
    let pki = make_pki(Algorithm::ES256);
    // The leaf's signature (its last bytes) altered.
    let mut leaf = pki.leaf.clone();
    let last = leaf.len() - 1;
    leaf[last] ^= 0x01;
    let x5c = vec![b64(&leaf), b64(&pki.intermediate)];
    assert_eq!(
        reason(&pki, &header(x5c.clone()), &pki.verifier(), NOW),
        X5cError::Path(PathError::BadSignature)
    );
    unknown_key(check(&pki.token(x5c), &pki.verifier()));
    // The leaf swapped for the leaf of another chain (its intermediate a namesake).
    let other = pki_with(Algorithm::ES256, &leaf_key_der(Algorithm::ES256), |_| {});
    let x5c = vec![b64(&other.leaf), b64(&pki.intermediate)];
    unknown_key(check(&pki.token(x5c), &pki.verifier()));
    // A valid chain in the header of a token signed by another key.
    let forged = encode(&other.key, &header(pki.x5c()), &claims()).unwrap();
    let r = check(&forged, &pki.verifier());
    assert!(matches!(r, Err(Error::InvalidSignature)), "{r:?}");
}

#[test]
fn a_leaf_without_digital_signature_is_refused() {
    let pki = pki_with(Algorithm::ES256, &leaf_key_der(Algorithm::ES256), |p| {
        p.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    });
    assert_eq!(
        reason(&pki, &header(pki.x5c()), &pki.verifier(), NOW),
        X5cError::KeyUsage
    );
    unknown_key(check(&pki.token(pki.x5c()), &pki.verifier()));
    // No key usage extension at all: allowed (RFC 5280 §4.2.1.3).
    let pki = pki_with(Algorithm::ES256, &leaf_key_der(Algorithm::ES256), |p| {
        p.key_usages = Vec::new();
    });
    check(&pki.token(pki.x5c()), &pki.verifier()).unwrap();
}

#[test]
fn the_extended_key_usage_policy_is_applied() {
    let pki = pki_with(Algorithm::ES256, &leaf_key_der(Algorithm::ES256), |p| {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    });
    let token = pki.token(pki.x5c());
    // Not checked by default.
    check(&token, &pki.verifier()).unwrap();
    let server_auth = pki
        .verifier()
        .extended_key_usage("1.3.6.1.5.5.7.3.1")
        .unwrap();
    check(&token, &server_auth).unwrap();
    let client_auth = pki
        .verifier()
        .extended_key_usage("1.3.6.1.5.5.7.3.2")
        .unwrap();
    unknown_key(check(&token, &client_auth));
    assert_eq!(
        reason(&pki, &header(pki.x5c()), &client_auth, NOW),
        X5cError::Path(PathError::ExtendedKeyUsage)
    );
    // A leaf without the extension is not restricted.
    let plain = make_pki(Algorithm::ES256);
    let client_auth = plain
        .verifier()
        .extended_key_usage("1.3.6.1.5.5.7.3.2")
        .unwrap();
    check(&plain.token(plain.x5c()), &client_auth).unwrap();
    assert_eq!(
        pki.verifier()
            .extended_key_usage("server auth")
            .unwrap_err(),
        X5cError::InvalidOid
    );
}

#[test]
fn an_algorithm_that_does_not_fit_the_leaf_is_refused() {
    let ec = make_pki(Algorithm::ES256);
    let verifier = ec.verifier();
    // RS256 header over an EC leaf.
    assert!(matches!(
        verifier.leaf_key(
            &header(ec.x5c()),
            Algorithm::RS256,
            NumericDate::from_seconds(NOW).unwrap()
        ),
        Err(X5cError::Key(_))
    ));
    // HS256: never, whatever the secret.
    assert_eq!(
        verifier
            .leaf_key(
                &header(ec.x5c()),
                Algorithm::HS256,
                NumericDate::from_seconds(NOW).unwrap()
            )
            .unwrap_err(),
        X5cError::AlgorithmNotAllowed {
            alg: Algorithm::HS256
        }
    );
    let secret = SigningKey::hmac(Algorithm::HS256, [7u8; 32]).unwrap();
    let mut h = header(ec.x5c());
    h.typ = Some("JWT".into());
    let hs = encode(&secret, &h, &claims()).unwrap();
    assert!(matches!(
        check(&hs, &verifier),
        Err(Error::AlgorithmNotAllowed { .. })
    ));
    // An RS256 token by an RSA key carrying the EC chain.
    let rsa = SigningKey::from_der(Algorithm::RS256, RSA_PKCS8).unwrap();
    let rs = encode(&rsa, &h, &claims()).unwrap();
    assert!(matches!(
        check(&rs, &verifier),
        Err(Error::AlgorithmNotAllowed { .. })
    ));
    // The allow-list narrows further.
    let es384_only = ec.verifier().algorithms([Algorithm::ES384]);
    assert!(matches!(
        check(&ec.token(ec.x5c()), &es384_only),
        Err(Error::AlgorithmNotAllowed { .. })
    ));
}

#[test]
fn without_anchors_there_is_no_x5c_verifier_and_keys_ignore_x5c() {
    let none: [&[u8]; 0] = [];
    assert_eq!(
        X5cVerifier::new(none).unwrap_err(),
        X5cError::NoTrustAnchors
    );
    assert_eq!(
        X5cVerifier::new([b"not a certificate"]).unwrap_err(),
        X5cError::BadConfiguredCertificate { index: 0 }
    );
    // A plain key never takes the header's certificate: the real key decides.
    let pki = make_pki(Algorithm::ES256);
    let real = VerifyingKey::from_der_infer(
        SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .verifying_key()
            .to_spki_der()
            .unwrap(),
    )
    .unwrap();
    let r = decode_with_clock::<(), _, _>(
        &pki.token(pki.x5c()),
        &real,
        &Validation::new(),
        &FixedClock::at(NOW),
    );
    assert!(matches!(r, Err(Error::InvalidSignature)), "{r:?}");
    // A token without x5c has no key for the x5c verifier.
    unknown_key(check(&pki.token_with(|_| {}), &pki.verifier()));
    assert_eq!(
        reason(&pki, &Header::jwt(), &pki.verifier(), NOW),
        X5cError::MissingX5c
    );
    assert_eq!(
        reason(&pki, &header(Vec::new()), &pki.verifier(), NOW),
        X5cError::MissingX5c
    );
}

#[test]
fn certificate_count_size_and_encoding_are_bounded() {
    let pki = make_pki(Algorithm::ES256);
    let v = pki.verifier();
    let three = vec![b64(&pki.leaf), b64(&pki.intermediate), b64(&pki.root)];
    assert_eq!(
        reason(
            &pki,
            &header(three.clone()),
            &v.clone().max_certificates(2),
            NOW
        ),
        X5cError::TooManyCertificates { count: 3, max: 2 }
    );
    unknown_key(check(&pki.token(three), &v.clone().max_certificates(2)));
    assert_eq!(
        reason(
            &pki,
            &header(pki.x5c()),
            &v.clone().max_certificate_len(100),
            NOW
        ),
        X5cError::CertificateTooLarge { index: 0, max: 100 }
    );
    let huge = vec!["A".repeat(40_000)];
    assert_eq!(
        reason(&pki, &header(huge), &v, NOW),
        X5cError::CertificateTooLarge {
            index: 0,
            max: X5cVerifier::DEFAULT_MAX_CERTIFICATE_LEN
        }
    );
    // base64url, missing padding, whitespace: not the standard base64 of RFC 7515 §4.1.6.
    let url = URL_SAFE_NO_PAD.encode(&pki.leaf);
    let unpadded = b64(&pki.leaf).trim_end_matches('=').to_owned();
    let spaced = format!("{} ", b64(&pki.leaf));
    for bad in [url, unpadded, spaced, "%%%%".to_owned()] {
        if bad == b64(&pki.leaf) {
            continue; // no character of base64url differs for this certificate
        }
        let x5c = vec![b64(&pki.leaf), bad];
        assert_eq!(
            reason(&pki, &header(x5c.clone()), &v, NOW),
            X5cError::Base64 { index: 1 }
        );
        unknown_key(check(&pki.token(x5c), &v));
    }
    // Base64 of something that is no certificate.
    assert_eq!(
        reason(&pki, &header(vec![b64(b"junk")]), &v, NOW),
        X5cError::MalformedCertificate { index: 0 }
    );
}

#[test]
fn the_path_length_can_be_limited() {
    let pki = make_pki(Algorithm::ES256);
    let token = pki.token(pki.x5c());
    check(&token, &pki.verifier().max_path_len(2)).unwrap();
    unknown_key(check(&token, &pki.verifier().max_path_len(1)));
    assert_eq!(
        reason(
            &pki,
            &header(pki.x5c()),
            &pki.verifier().max_path_len(1),
            NOW
        ),
        X5cError::Path(PathError::TooLong)
    );
}

#[test]
fn the_leaf_can_be_pinned_to_a_name() {
    let pki = make_pki(Algorithm::ES256);
    let token = pki.token(pki.x5c());
    check(
        &token,
        &pki.verifier().subject_name("signer.example").unwrap(),
    )
    .unwrap();
    let other = pki.verifier().subject_name("other.example").unwrap();
    unknown_key(check(&token, &other));
    assert_eq!(
        reason(&pki, &header(pki.x5c()), &other, NOW),
        X5cError::SubjectNameMismatch
    );
    // The common name is not a subject alternative name.
    let cn = pki
        .verifier()
        .subject_name("jot-test-signer.example")
        .unwrap();
    unknown_key(check(&token, &cn));
    assert_eq!(
        pki.verifier().subject_name("not a name").unwrap_err(),
        X5cError::InvalidSubjectName
    );
}

#[test]
fn ed25519_p384_and_rsa_chains_are_accepted() {
    let cases = [
        (&rcgen::PKCS_ED25519, Algorithm::EdDSA),
        (&rcgen::PKCS_ECDSA_P384_SHA384, Algorithm::ES384),
        (&rcgen::PKCS_RSA_SHA256, Algorithm::ES256),
        (&rcgen::PKCS_RSA_SHA384, Algorithm::EdDSA),
        (&rcgen::PKCS_RSA_SHA512, Algorithm::ES384),
    ];
    for (ca, alg) in cases {
        let pki = chain_signed_with(ca, alg);
        accepted_with_the_leaf_key(&pki, alg);
        // The intermediate's signature (by the root) altered: the path breaks.
        let mut intermediate = pki.intermediate.clone();
        let last = intermediate.len() - 1;
        intermediate[last] ^= 0x01;
        let x5c = vec![b64(&pki.leaf), b64(&intermediate)];
        assert_eq!(
            reason(&pki, &header(x5c.clone()), &pki.verifier(), NOW),
            X5cError::Path(PathError::BadSignature),
            "{alg}"
        );
        unknown_key(check(&pki.token(x5c), &pki.verifier()));
    }
}
