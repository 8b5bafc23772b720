//! jot-jwe reads keys with jot-algorithms' one key reader: every file a JWS key
//! loads from, a JWE key loads from too (PEM with an `EC PARAMETERS` block as
//! `openssl ecparam -genkey` writes it, X.509 certificates for public keys, ...),
//! and every file one refuses, the other refuses with the same error.

use jot_algorithms::KeyMaterial;
use jot_jwe::{
    ContentEncryption, DecryptionKey, DecryptionPolicy, EncryptionKey, HeaderOptions, KeyAlgorithm,
    KeyError, decrypt, encrypt,
};

/// The key fixtures of jot-algorithms, made once with the openssl CLI.
const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/jot-algorithms/tests/data"
);

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn round_trip(to: &EncryptionKey, with: &DecryptionKey) {
    let token = encrypt(
        to,
        ContentEncryption::A128GCM,
        &HeaderOptions::new(),
        b"key formats",
    )
    .unwrap();
    let out = decrypt(with, &token, &DecryptionPolicy::new()).unwrap();
    assert_eq!(out.plaintext, b"key formats");
}

#[test]
fn ec_parameters_block_before_the_private_key_is_skipped() {
    let pem = read("p256.sec1.pem");
    assert!(pem.starts_with(b"-----BEGIN EC PARAMETERS-----"));
    let alg = KeyAlgorithm::ECDH_ES_A128KW;
    let key = DecryptionKey::from_pem(alg, &pem).unwrap();
    let public = EncryptionKey::from_pem(alg, read("p256.spki.pem")).unwrap();
    round_trip(&public, &key);
    // The public part of the same file is an encryption key too.
    round_trip(&EncryptionKey::from_pem(alg, &pem).unwrap(), &key);
}

#[test]
fn an_x509_certificate_gives_its_public_key() {
    for (alg, cert, private) in [
        (KeyAlgorithm::ECDH_ES, "p256.cert.pem", "p256.sec1.pem"),
        (
            KeyAlgorithm::RSA_OAEP_256,
            "rsa2048.cert.pem",
            "rsa2048.pkcs8.pem",
        ),
    ] {
        let key = DecryptionKey::from_pem(alg, read(private)).unwrap();
        let to = EncryptionKey::from_pem(alg, read(cert)).unwrap_or_else(|e| panic!("{cert}: {e}"));
        round_trip(&to, &key);
        assert_eq!(
            to.thumbprint().unwrap(),
            key.thumbprint().unwrap(),
            "{cert}"
        );
        // A certificate holds no private key.
        assert_eq!(
            DecryptionKey::from_pem(alg, read(cert)).unwrap_err(),
            KeyError::LooksLikePublicKey
        );
    }
    let der = EncryptionKey::from_der(KeyAlgorithm::RSA_OAEP, read("rsa2048.cert.der")).unwrap();
    let any =
        EncryptionKey::from_any_bytes(KeyAlgorithm::RSA_OAEP, read("rsa2048.cert.der")).unwrap();
    assert_eq!(der.to_jwk().unwrap(), any.to_jwk().unwrap());
}

/// Every fixture: jot-jwe refuses it as a key file exactly when jot-algorithms'
/// reader does, with the reader's error; the keys it reads are refused only for what
/// JWE cannot use (Ed25519, Ed448, secp256k1: no ECDH-ES on them).
#[test]
fn jwe_reads_exactly_what_the_key_reader_reads() {
    let mut names: Vec<String> = std::fs::read_dir(DATA)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    let mut read_by_both = 0;
    for name in &names {
        let bytes = read(name);
        let shared = if name.ends_with(".der") {
            KeyMaterial::from_der(&bytes)
        } else {
            KeyMaterial::from_pem(&bytes)
        };
        let alg = if name.starts_with("rsa") {
            KeyAlgorithm::RSA_OAEP_256
        } else {
            KeyAlgorithm::ECDH_ES
        };
        let jwe = if name.ends_with(".der") {
            EncryptionKey::from_der(alg, &bytes)
        } else {
            EncryptionKey::from_pem(alg, &bytes)
        };
        match (shared, jwe) {
            (Err(expected), Err(got)) => assert_eq!(got, KeyError::Material(expected), "{name}"),
            (Err(expected), Ok(_)) => {
                panic!("{name}: jot-jwe read what the reader refuses: {expected}")
            }
            (Ok(_), Ok(_)) => read_by_both += 1,
            (Ok(material), Err(got)) => {
                let jws_only = matches!(material.key_type(), "Ed25519" | "Ed448" | "secp256k1");
                // RSA keys below 2048 bits are read, then refused by the RSA backend.
                let weak = name.starts_with("rsa1024");
                assert!(
                    (jws_only && matches!(got, KeyError::Unsupported { .. }))
                        || (weak && matches!(got, KeyError::InvalidRsa { .. })),
                    "{name}: {got:?}"
                );
            }
        }
    }
    assert!(read_by_both >= 15, "{read_by_both} of {names:?}");
}

#[test]
fn x25519_keys_have_pem_and_thumbprints() {
    let alg = KeyAlgorithm::ECDH_ES_A256KW;
    let key = DecryptionKey::generate_ec(alg, jot_jwe::Curve::X25519).unwrap();
    let pem = key.to_pkcs8_pem().unwrap();
    let again = DecryptionKey::from_pem(alg, &pem).unwrap();
    let public_pem = key.encryption_key().to_pem().unwrap();
    let public = EncryptionKey::from_pem(alg, &public_pem).unwrap();
    round_trip(&public, &again);
    let jwk = public.to_jwk().unwrap();
    assert_eq!(
        (jwk.kty.as_str(), jwk.crv.as_deref()),
        ("OKP", Some("X25519"))
    );
    assert_eq!(public.thumbprint().unwrap(), jwk.thumbprint().unwrap());
    assert_eq!(again.thumbprint().unwrap(), public.thumbprint().unwrap());
    // The same PEM, read by the shared reader, is the same key.
    assert_eq!(
        KeyMaterial::from_pem(&public_pem)
            .unwrap()
            .to_jwk()
            .unwrap()
            .x,
        jwk.x
    );
}
