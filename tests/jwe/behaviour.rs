//! What jot-jwe does beyond the vectors: every `alg` x `enc` round trip, the typed
//! keys, the refusals (JWS, wrong alg, `crit`, PBES2 bounds, zip bombs, bad epk).

use jot_algorithms::{Algorithm, SigningKey};
use jot_jwe::{
    Claims, ContentEncryption, Curve, DecryptionKey, DecryptionPolicy, EncryptionKey, Error,
    HeaderError, HeaderOptions, KeyAlgorithm, KeyError, Validation, base64url, decrypt, encrypt,
    sign_then_encrypt,
};

fn keys() -> Vec<DecryptionKey> {
    let mut keys = vec![
        DecryptionKey::generate(KeyAlgorithm::A128KW).unwrap(),
        DecryptionKey::generate(KeyAlgorithm::A192KW).unwrap(),
        DecryptionKey::generate(KeyAlgorithm::A256KW).unwrap(),
        DecryptionKey::generate(KeyAlgorithm::A128GCMKW).unwrap(),
        DecryptionKey::generate(KeyAlgorithm::A192GCMKW).unwrap(),
        DecryptionKey::generate(KeyAlgorithm::A256GCMKW).unwrap(),
        DecryptionKey::password(KeyAlgorithm::PBES2_HS256_A128KW, "pw").unwrap(),
        DecryptionKey::password(KeyAlgorithm::PBES2_HS384_A192KW, "pw").unwrap(),
        DecryptionKey::password(KeyAlgorithm::PBES2_HS512_A256KW, "pw").unwrap(),
    ];
    for alg in [
        KeyAlgorithm::ECDH_ES,
        KeyAlgorithm::ECDH_ES_A128KW,
        KeyAlgorithm::ECDH_ES_A192KW,
        KeyAlgorithm::ECDH_ES_A256KW,
    ] {
        for curve in [Curve::P256, Curve::P384, Curve::P521, Curve::X25519] {
            keys.push(DecryptionKey::generate_ec(alg, curve).unwrap());
        }
    }
    keys
}

#[test]
fn every_alg_and_enc_round_trips() {
    let rsa = DecryptionKey::generate_rsa(KeyAlgorithm::RSA_OAEP, 2048).unwrap();
    let mut rsa_jwk = rsa.to_jwk().unwrap();
    rsa_jwk.alg = None;
    let mut all = keys();
    all.push(DecryptionKey::from_jwk(KeyAlgorithm::RSA_OAEP, &rsa_jwk).unwrap());
    all.push(DecryptionKey::from_jwk(KeyAlgorithm::RSA_OAEP_256, &rsa_jwk).unwrap());
    let mut ran = 0;
    for key in &all {
        // Keys survive a JWK round trip (private and public).
        let key = DecryptionKey::from_jwk_infer(&key.to_jwk().unwrap()).unwrap();
        let to = EncryptionKey::from_jwk_infer(&key.encryption_key().to_jwk().unwrap()).unwrap();
        for enc in ContentEncryption::ALL {
            let opts = HeaderOptions::new().kid("k").compress();
            let token = encrypt(&to, enc, &opts, b"plain text").unwrap();
            let out = decrypt(&key, &token, &DecryptionPolicy::new())
                .unwrap_or_else(|e| panic!("{} {enc}: {e}", key.algorithm()));
            assert_eq!(out.plaintext, b"plain text");
            assert_eq!((out.header.alg, out.header.enc), (key.algorithm(), enc));
            assert!(out.header.compressed);
            ran += 1;
        }
    }
    for enc in ContentEncryption::ALL {
        let key = DecryptionKey::generate_dir(enc).unwrap();
        let token = encrypt(&key.encryption_key(), enc, &HeaderOptions::new(), b"x").unwrap();
        assert_eq!(
            decrypt(&key, &token, &DecryptionPolicy::new())
                .unwrap()
                .plaintext,
            b"x"
        );
        let other = ContentEncryption::ALL
            .into_iter()
            .find(|e| *e != enc)
            .unwrap();
        assert!(matches!(
            encrypt(&key.encryption_key(), other, &HeaderOptions::new(), b"x"),
            Err(Error::EncryptionNotAllowed { .. })
        ));
        ran += 1;
    }
    eprintln!("round trips: {ran}");
}

#[test]
fn a_jwe_api_never_accepts_a_jws_and_vice_versa() {
    let key = DecryptionKey::generate(KeyAlgorithm::A256KW).unwrap();
    let signer = SigningKey::hmac(Algorithm::HS256, [1u8; 32]).unwrap();
    let jws = jot_algorithms::encode(&signer, &jot_codec::Header::jwt(), &Claims::new(())).unwrap();
    assert!(matches!(
        decrypt(&key, &jws, &DecryptionPolicy::new()),
        Err(Error::Signed)
    ));
    let jwe = sign_then_encrypt(
        &signer,
        &key.encryption_key(),
        ContentEncryption::A256GCM,
        &Claims::new(()),
    )
    .unwrap();
    assert!(matches!(
        jot_algorithms::decode::<()>(&jwe, &signer.verifying_key(), &Validation::new()),
        Err(jot_codec::Error::Encrypted)
    ));
    for bad in ["", "a.b", "a.b.c.d", "a.b.c.d.e.f"] {
        assert!(
            matches!(
                decrypt(&key, bad, &DecryptionPolicy::new()),
                Err(Error::Malformed { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn keys_are_typed() {
    let aes = DecryptionKey::generate(KeyAlgorithm::A128KW).unwrap();
    let gcm = DecryptionKey::symmetric(KeyAlgorithm::A128GCMKW, [0u8; 16]).unwrap();
    let token = encrypt(
        &aes.encryption_key(),
        ContentEncryption::A128GCM,
        &HeaderOptions::new(),
        b"x",
    )
    .unwrap();
    assert!(matches!(
        decrypt(&gcm, &token, &DecryptionPolicy::new()),
        Err(Error::AlgorithmNotAllowed {
            expected: KeyAlgorithm::A128GCMKW,
            found: KeyAlgorithm::A128KW
        })
    ));
    // The wrong secret of the right type fails as a plain decryption failure.
    let other = DecryptionKey::generate(KeyAlgorithm::A128KW).unwrap();
    assert!(matches!(
        decrypt(&other, &token, &DecryptionPolicy::new()),
        Err(Error::Decryption)
    ));
    // RSA1_5 only through the danger constructors.
    let rsa = DecryptionKey::generate_rsa(KeyAlgorithm::RSA_OAEP, 2048).unwrap();
    let mut jwk = rsa.to_jwk().unwrap();
    jwk.alg = Some("RSA1_5".into());
    assert_eq!(
        DecryptionKey::from_jwk_infer(&jwk).unwrap_err(),
        KeyError::DangerousAlgorithm
    );
    assert!(DecryptionKey::danger_rsa1_5_from_jwk(&jwk).is_ok());
    // Wrong sizes, public keys for decryption, signature keys.
    assert!(matches!(
        EncryptionKey::symmetric(KeyAlgorithm::A256KW, [0u8; 16]),
        Err(KeyError::WrongLength { .. })
    ));
    let public = rsa.encryption_key().to_jwk().unwrap();
    assert_eq!(
        DecryptionKey::from_jwk_infer(&public).unwrap_err(),
        KeyError::LooksLikePublicKey
    );
    let mut sig = public.clone();
    sig.key_use = Some("sig".into());
    assert!(matches!(
        EncryptionKey::from_jwk_infer(&sig),
        Err(KeyError::JwkUsage { .. })
    ));
    // An oct JWK whose alg is an enc is a dir key for exactly that enc.
    let dir = DecryptionKey::generate_dir(ContentEncryption::A128GCM).unwrap();
    let dir_jwk = dir.to_jwk().unwrap();
    assert_eq!(dir_jwk.alg.as_deref(), Some("A128GCM"));
    assert_eq!(
        DecryptionKey::from_jwk_infer(&dir_jwk)
            .unwrap()
            .content_encryption(),
        Some(ContentEncryption::A128GCM)
    );
}

/// Re-encodes the protected header of `token` with `edit` applied (the tag then
/// fails, but the header checks run first).
fn with_header(
    token: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>),
) -> String {
    let (head, rest) = token.split_once('.').unwrap();
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&base64url::decode(head).unwrap()).unwrap();
    edit(&mut map);
    format!(
        "{}.{rest}",
        base64url::encode(&serde_json::to_vec(&map).unwrap())
    )
}

#[test]
fn header_limits() {
    let key = DecryptionKey::password(KeyAlgorithm::PBES2_HS256_A128KW, "pw").unwrap();
    let token = encrypt(
        &key.encryption_key(),
        ContentEncryption::A128GCM,
        &HeaderOptions::new(),
        b"x",
    )
    .unwrap();
    let policy = DecryptionPolicy::new();
    let big = with_header(&token, |h| {
        h.insert("p2c".into(), 10_000_000.into());
    });
    assert!(matches!(
        decrypt(&key, &big, &policy),
        Err(Error::Header(HeaderError::Pbes2Iterations { .. }))
    ));
    let small = with_header(&token, |h| {
        h.insert("p2c".into(), 999.into());
    });
    assert!(matches!(
        decrypt(&key, &small, &policy),
        Err(Error::Header(HeaderError::Pbes2Iterations { .. }))
    ));
    let salt = with_header(&token, |h| {
        h.insert("p2s".into(), "AAAAAAAAAA".into());
    });
    assert!(matches!(
        decrypt(&key, &salt, &policy),
        Err(Error::Header(HeaderError::Pbes2Salt { len: 7 }))
    ));
    let crit = with_header(&token, |h| {
        h.insert("crit".into(), serde_json::json!(["x"]));
        h.insert("x".into(), 1.into());
    });
    assert!(matches!(
        decrypt(&key, &crit, &policy),
        Err(Error::Header(HeaderError::Critical { .. }))
    ));
    let zip = with_header(&token, |h| {
        h.insert("zip".into(), "GZIP".into());
    });
    assert!(matches!(
        decrypt(&key, &zip, &policy),
        Err(Error::Header(HeaderError::UnsupportedCompression { .. }))
    ));
    let dup = token.replacen(
        token.split('.').next().unwrap(),
        &base64url::encode(br#"{"alg":"dir","alg":"PBES2-HS256+A128KW","enc":"A128GCM"}"#),
        1,
    );
    assert!(matches!(
        decrypt(&key, &dup, &policy),
        Err(Error::DuplicateMember { .. })
    ));
    assert!(matches!(
        decrypt(
            &key,
            &token,
            &DecryptionPolicy::new().encryptions([ContentEncryption::A256GCM])
        ),
        Err(Error::EncryptionNotAllowed { .. })
    ));
    assert!(matches!(
        decrypt(&key, &token, &policy.max_token_len(10)),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn zip_bombs_are_capped() {
    let key = DecryptionKey::generate(KeyAlgorithm::A128KW).unwrap();
    let bomb = vec![0u8; 2_000_000];
    let token = encrypt(
        &key.encryption_key(),
        ContentEncryption::A128GCM,
        &HeaderOptions::new().compress(),
        &bomb,
    )
    .unwrap();
    assert!(token.len() < 10_000);
    assert!(matches!(
        decrypt(&key, &token, &DecryptionPolicy::new()),
        Err(Error::DecompressedTooLarge { max: 250_000 })
    ));
    let roomy = DecryptionPolicy::new().max_decompressed_len(2_000_000);
    assert_eq!(
        decrypt(&key, &token, &roomy).unwrap().plaintext.len(),
        2_000_000
    );
    assert!(matches!(
        decrypt(&key, &token, &DecryptionPolicy::new().refuse_compression()),
        Err(Error::Header(HeaderError::UnsupportedCompression { .. }))
    ));
}

#[test]
fn ephemeral_keys_are_checked() {
    let key = DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::P256).unwrap();
    let token = encrypt(
        &key.encryption_key(),
        ContentEncryption::A128GCM,
        &HeaderOptions::new(),
        b"x",
    )
    .unwrap();
    let p384 = DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::P384).unwrap();
    let p384_epk = serde_json::to_value(p384.encryption_key().to_jwk().unwrap()).unwrap();
    let policy = DecryptionPolicy::new();
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<Edit> = vec![
        Box::new(|epk| epk["y"] = epk["x"].clone()), // off the curve
        Box::new(move |epk| *epk = p384_epk.clone()), // another curve
        Box::new(|epk| epk["crv"] = "P-384".into()), // crv mismatch
        Box::new(|epk| epk["kty"] = "OKP".into()),   // kty mismatch
        Box::new(|epk| epk["x"] = "AAAA".into()),    // short coordinate
    ];
    for (i, case) in cases.iter().enumerate() {
        let bad = with_header(&token, |h| case(h.get_mut("epk").unwrap()));
        assert!(
            matches!(
                decrypt(&key, &bad, &policy),
                Err(Error::InvalidEphemeralKey { .. })
            ),
            "case {i}"
        );
    }
    // X25519: a low-order point gives the all-zero secret.
    let x = DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::X25519).unwrap();
    let token = encrypt(
        &x.encryption_key(),
        ContentEncryption::A128GCM,
        &HeaderOptions::new(),
        b"x",
    )
    .unwrap();
    let bad = with_header(&token, |h| {
        h["epk"]["x"] = base64url::encode(&[0u8; 32]).into()
    });
    assert!(matches!(
        decrypt(&x, &bad, &policy),
        Err(Error::InvalidEphemeralKey { .. })
    ));
}

#[test]
fn tampering_is_one_uniform_error() {
    for key in keys().into_iter().take(9) {
        let token = encrypt(
            &key.encryption_key(),
            ContentEncryption::A128CBC_HS256,
            &HeaderOptions::new(),
            b"hello",
        )
        .unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        for i in 1..5 {
            if parts[i].is_empty() {
                continue;
            }
            let mut bytes = base64url::decode(parts[i]).unwrap();
            bytes[0] ^= 1;
            let mut edited = parts.clone();
            let enc = base64url::encode(&bytes);
            edited[i] = &enc;
            let out = decrypt(&key, &edited.join("."), &DecryptionPolicy::new());
            assert!(
                matches!(out, Err(Error::Decryption)),
                "{} part {i}: {out:?}",
                key.algorithm()
            );
        }
    }
}

#[test]
fn pem_keys_load() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/jot-algorithms/tests/data/"
    );
    let read = |f: &str| std::fs::read(format!("{dir}{f}")).unwrap();
    for (alg, private, public) in [
        (
            KeyAlgorithm::RSA_OAEP_256,
            "rsa2048.pkcs8.pem",
            "rsa2048.spki.pem",
        ),
        (
            KeyAlgorithm::RSA_OAEP,
            "rsa2048.pkcs1.pem",
            "rsa2048.pkcs1-public.pem",
        ),
        (KeyAlgorithm::ECDH_ES, "p256.pkcs8.pem", "p256.spki.pem"),
        (
            KeyAlgorithm::ECDH_ES_A128KW,
            "p384.sec1.pem",
            "p384.spki.pem",
        ),
        (
            KeyAlgorithm::ECDH_ES_A256KW,
            "p521.pkcs8.pem",
            "p521.spki.pem",
        ),
    ] {
        let key = DecryptionKey::from_pem(alg, read(private))
            .unwrap_or_else(|e| panic!("{private}: {e}"));
        let to =
            EncryptionKey::from_pem(alg, read(public)).unwrap_or_else(|e| panic!("{public}: {e}"));
        let token = encrypt(
            &to,
            ContentEncryption::A256GCM,
            &HeaderOptions::new(),
            b"pem",
        )
        .unwrap();
        assert_eq!(
            decrypt(&key, &token, &DecryptionPolicy::new())
                .unwrap()
                .plaintext,
            b"pem"
        );
    }
    assert!(DecryptionKey::from_pem(KeyAlgorithm::RSA_OAEP, read("rsa1024.spki.pem")).is_err());
    assert!(matches!(
        DecryptionKey::from_pem(KeyAlgorithm::ECDH_ES, read("p256.spki.pem")),
        Err(KeyError::LooksLikePublicKey)
    ));
}
