//! Decryption with a [`DecryptionKeySet`]: the key is chosen by the token's `kid`,
//! else by its `alg` (and `enc`, `epk` curve); ambiguous, public and signature-only
//! keys are set aside; a wrong key is the same `Error::Decryption` as with one key.

use jot_algorithms::{Algorithm, SigningKey};
use jot_jwe::{
    Claims, ContentEncryption, Curve, DecryptionKey, DecryptionKeySet, DecryptionPolicy,
    EncryptionKey, Error, FixedClock, HeaderOptions, JwkSet, KeyAlgorithm, KeyError, Validation,
    decrypt, decrypt_claims, decrypt_then_verify, encrypt, sign_then_encrypt,
};

const ENC: ContentEncryption = ContentEncryption::A256GCM;

fn policy() -> DecryptionPolicy {
    DecryptionPolicy::new()
}

fn seal(to: &EncryptionKey, plaintext: &[u8]) -> String {
    let enc = to.content_encryption().unwrap_or(ENC);
    encrypt(to, enc, &HeaderOptions::new(), plaintext).unwrap()
}

/// One key of each family, each with a kid.
fn families() -> Vec<DecryptionKey> {
    vec![
        DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)
            .unwrap()
            .with_kid("rsa"),
        DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::P256)
            .unwrap()
            .with_kid("ec"),
        DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES_A256KW, Curve::X25519)
            .unwrap()
            .with_kid("x25519"),
        DecryptionKey::generate(KeyAlgorithm::A256KW)
            .unwrap()
            .with_kid("kw"),
        DecryptionKey::generate_dir(ContentEncryption::A128CBC_HS256)
            .unwrap()
            .with_kid("dir"),
    ]
}

#[test]
fn a_set_of_several_families_picks_each_key_by_kid() {
    let keys = families();
    let recipients: Vec<EncryptionKey> = keys.iter().map(DecryptionKey::encryption_key).collect();
    let set = DecryptionKeySet::from_keys(keys);
    assert_eq!(set.len(), 5);
    assert!(set.unusable().is_empty());
    for to in &recipients {
        let kid = to.kid().unwrap();
        let token = seal(to, kid.as_bytes());
        let out = decrypt(&set, &token, &policy()).unwrap_or_else(|e| panic!("{kid}: {e}"));
        assert_eq!(out.plaintext, kid.as_bytes());
        assert_eq!(out.header.kid.as_deref(), Some(kid));
    }
    // The same set, through a JWK Set document of private keys.
    let jwks = set.to_jwk_set().unwrap().to_json();
    let again = DecryptionKeySet::from_jwks_json(&jwks).unwrap();
    assert_eq!(again.kids(), ["rsa", "ec", "x25519", "kw", "dir"]);
    for to in &recipients {
        let token = seal(to, b"again");
        assert_eq!(
            decrypt(&again, &token, &policy()).unwrap().plaintext,
            b"again"
        );
    }
}

#[test]
fn without_a_kid_the_one_key_for_the_alg_is_used() {
    let rsa = DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256).unwrap();
    let p256 = DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::P256).unwrap();
    let x25519 = DecryptionKey::generate_ec(KeyAlgorithm::ECDH_ES, Curve::X25519).unwrap();
    let dir128 = DecryptionKey::generate_dir(ContentEncryption::A128GCM).unwrap();
    let dir256 = DecryptionKey::generate_dir(ContentEncryption::A256GCM).unwrap();
    let to: Vec<EncryptionKey> = [&rsa, &p256, &x25519, &dir128, &dir256]
        .iter()
        .map(|k| k.encryption_key())
        .collect();
    let set = DecryptionKeySet::from_keys([rsa, p256, x25519, dir128, dir256]);
    // Two ECDH-ES keys, told apart by the epk's curve; two dir keys, by their enc.
    for (i, to) in to.iter().enumerate() {
        let token = seal(to, &[i as u8]);
        assert!(!token.is_empty());
        let out = decrypt(&set, &token, &policy()).unwrap_or_else(|e| panic!("#{i}: {e}"));
        assert_eq!(out.plaintext, [i as u8]);
        assert_eq!(out.header.kid, None);
    }
    // No key for A256KW at all.
    let other = DecryptionKey::generate(KeyAlgorithm::A256KW).unwrap();
    let token = seal(&other.encryption_key(), b"x");
    assert!(matches!(
        decrypt(&set, &token, &policy()),
        Err(Error::NoKeyForAlgorithm {
            alg: KeyAlgorithm::A256KW,
            kid: None
        })
    ));
}

#[test]
fn without_a_kid_two_keys_for_the_alg_are_not_tried() {
    let a = DecryptionKey::generate(KeyAlgorithm::A256KW).unwrap();
    let b = DecryptionKey::generate(KeyAlgorithm::A256KW).unwrap();
    let token = seal(&a.encryption_key(), b"x");
    let set = DecryptionKeySet::from_keys([a, b]);
    let err = decrypt(&set, &token, &policy()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::AmbiguousKey {
                alg: KeyAlgorithm::A256KW
            }
        ),
        "{err}"
    );
    assert_eq!(err.public_description(), "unknown key");
}

#[test]
fn an_unknown_kid_or_alg_under_a_kid_is_named() {
    let set = DecryptionKeySet::from_keys(families());
    let stranger = DecryptionKey::generate(KeyAlgorithm::A256KW)
        .unwrap()
        .with_kid("gone");
    let token = seal(&stranger.encryption_key(), b"x");
    match decrypt(&set, &token, &policy()) {
        Err(Error::UnknownKid { kid }) => assert_eq!(kid, "gone"),
        other => panic!("{other:?}"),
    }
    // kid "kw" exists, but for A256KW, not A128KW.
    let a128 = DecryptionKey::generate(KeyAlgorithm::A128KW)
        .unwrap()
        .with_kid("kw");
    let token = seal(&a128.encryption_key(), b"x");
    match decrypt(&set, &token, &policy()) {
        Err(Error::NoKeyForAlgorithm { alg, kid }) => {
            assert_eq!((alg, kid.as_deref()), (KeyAlgorithm::A128KW, Some("kw")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_wrong_key_under_the_right_kid_is_the_uniform_decryption_error() {
    // Same kid and algorithm, other secret: the chosen key fails like a single key.
    for alg in [
        KeyAlgorithm::A256KW,
        KeyAlgorithm::RSA_OAEP_256,
        KeyAlgorithm::ECDH_ES_A128KW,
    ] {
        let sender = DecryptionKey::generate(alg).unwrap().with_kid("k");
        let ours = DecryptionKey::generate(alg).unwrap().with_kid("k");
        let token = seal(&sender.encryption_key(), b"secret");
        let single = decrypt(&ours, &token, &policy()).unwrap_err();
        let set = DecryptionKeySet::from_keys([ours]);
        let with_set = decrypt(&set, &token, &policy()).unwrap_err();
        assert!(matches!(with_set, Error::Decryption), "{alg}: {with_set}");
        assert_eq!(with_set.to_string(), single.to_string(), "{alg}");
    }
    // A tampered tag: the same error too.
    let key = DecryptionKey::generate(KeyAlgorithm::A256KW)
        .unwrap()
        .with_kid("k");
    let token = seal(&key.encryption_key(), b"secret");
    // A character well inside the tag (the last one carries padding bits).
    let at = token.len() - 5;
    let flipped = if &token[at..=at] == "A" { "B" } else { "A" };
    let token = format!("{}{flipped}{}", &token[..at], &token[at + 1..]);
    let set = DecryptionKeySet::from_keys([key]);
    assert!(matches!(
        decrypt(&set, &token, &policy()),
        Err(Error::Decryption)
    ));
}

#[test]
fn duplicate_kids_are_refused_for_that_kid() {
    let a = DecryptionKey::generate(KeyAlgorithm::A256KW)
        .unwrap()
        .with_kid("dup");
    let b = DecryptionKey::generate(KeyAlgorithm::A256KW)
        .unwrap()
        .with_kid("dup");
    let c = DecryptionKey::generate(KeyAlgorithm::A128KW)
        .unwrap()
        .with_kid("fine");
    let (to_a, to_c) = (a.encryption_key(), c.encryption_key());
    let set = DecryptionKeySet::from_keys([a, b, c]);
    assert_eq!(set.len(), 1);
    let aside: Vec<_> = set
        .unusable()
        .iter()
        .map(|u| (u.index, u.kid.as_deref(), u.error.clone()))
        .collect();
    assert_eq!(
        aside,
        [
            (0, Some("dup"), KeyError::DuplicateKid),
            (1, Some("dup"), KeyError::DuplicateKid)
        ]
    );
    assert!(matches!(
        decrypt(&set, &seal(&to_a, b"x"), &policy()),
        Err(Error::UnknownKid { .. })
    ));
    assert_eq!(
        decrypt(&set, &seal(&to_c, b"ok"), &policy())
            .unwrap()
            .plaintext,
        b"ok"
    );
    // One RSA key under one kid for RSA-OAEP and RSA-OAEP-256 is one key: kept.
    let rsa = DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)
        .unwrap()
        .with_kid("r");
    let mut jwk = rsa.to_jwk().unwrap();
    jwk.alg = Some("RSA-OAEP".into());
    let oaep = DecryptionKey::from_jwk_infer(&jwk).unwrap();
    let to_oaep = oaep.encryption_key();
    let set = DecryptionKeySet::from_keys([rsa, oaep]);
    assert!(set.unusable().is_empty());
    assert_eq!(
        decrypt(&set, &seal(&to_oaep, b"oaep"), &policy())
            .unwrap()
            .plaintext,
        b"oaep"
    );
}

#[test]
fn public_signature_and_unsupported_keys_are_set_aside() {
    let good = DecryptionKey::generate(KeyAlgorithm::ECDH_ES_A128KW)
        .unwrap()
        .with_kid("good");
    let to_good = good.encryption_key();
    let mut set = JwkSet::new();
    set.keys.push(good.to_jwk().unwrap());
    // 1: the public half of a decryption key.
    let public = DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)
        .unwrap()
        .with_kid("public");
    set.keys.push(public.encryption_key().to_jwk().unwrap());
    // 2: a private key marked for signatures.
    let mut sig = DecryptionKey::generate(KeyAlgorithm::ECDH_ES)
        .unwrap()
        .with_kid("sig")
        .to_jwk()
        .unwrap();
    sig.key_use = Some("sig".into());
    set.keys.push(sig);
    // 3: key_ops without decrypt or unwrapKey.
    let mut ops = DecryptionKey::generate(KeyAlgorithm::A256KW)
        .unwrap()
        .with_kid("ops")
        .to_jwk()
        .unwrap();
    ops.key_use = None;
    ops.key_ops = Some(vec!["encrypt".into(), "wrapKey".into()]);
    set.keys.push(ops);
    // 4: a signing key (Ed25519, alg EdDSA).
    set.keys.push(
        SigningKey::generate(Algorithm::EdDSA)
            .unwrap()
            .with_kid("ed")
            .to_jwk()
            .unwrap(),
    );
    // 5: an unknown key type.
    set.keys
        .push(serde_json::from_str(r#"{"kty":"XYZ","kid":"xyz","alg":"A256KW"}"#).unwrap());
    // 6: no alg.
    let mut no_alg = DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)
        .unwrap()
        .with_kid("no-alg")
        .to_jwk()
        .unwrap();
    no_alg.alg = None;
    set.keys.push(no_alg.clone());

    let keys = DecryptionKeySet::from_jwks_json(&set.to_json()).unwrap();
    assert_eq!(keys.kids(), ["good"]);
    let aside: Vec<_> = keys.unusable().iter().map(|u| u.index).collect();
    assert_eq!(aside, [1, 2, 3, 4, 5, 6]);
    let errors: Vec<_> = keys.unusable().iter().map(|u| u.error.clone()).collect();
    assert_eq!(errors[0], KeyError::LooksLikePublicKey);
    assert_eq!(errors[1], KeyError::JwkUsage { needed: "decrypt" });
    assert_eq!(errors[2], KeyError::JwkUsage { needed: "decrypt" });
    assert_eq!(errors[5], KeyError::AlgorithmRequired);
    assert_eq!(
        decrypt(&keys, &seal(&to_good, b"ok"), &policy())
            .unwrap()
            .plaintext,
        b"ok"
    );
    // A token to the public key's kid finds no key: it was set aside.
    let token = seal(&public.encryption_key(), b"x");
    assert!(matches!(
        decrypt(&keys, &token, &policy()),
        Err(Error::UnknownKid { .. })
    ));
    // With an assumed algorithm, the key without alg is used.
    let assumed = DecryptionKeySet::from_jwk_set_assuming(&set, &[KeyAlgorithm::RSA_OAEP_256]);
    assert_eq!(assumed.kids(), ["good", "no-alg"]);
}

#[test]
fn encrypted_and_nested_jwts_decrypt_with_a_set() {
    let keys = families();
    let to_ec = keys[1].encryption_key();
    let to_dir = keys[4].encryption_key();
    let set = DecryptionKeySet::from_keys(keys);
    let clock = FixedClock::at(1_700_000_000);

    let claims = Claims::new(()).subject("7").issued_now(&clock, 600);
    let token = jot_jwe::encrypt_claims(
        &to_dir,
        ContentEncryption::A128CBC_HS256,
        &HeaderOptions::jwt(),
        &claims,
    )
    .unwrap();
    let out = decrypt_claims::<()>(&set, &token, &policy(), &Validation::new(), &clock).unwrap();
    assert_eq!(out.claims.sub.as_deref(), Some("7"));

    let signer = SigningKey::generate(Algorithm::ES256).unwrap();
    let claims = Claims::new(()).subject("42").valid_for(600);
    let token = sign_then_encrypt(&signer, &to_ec, ENC, &claims).unwrap();
    let nested =
        decrypt_then_verify::<()>(&set, &signer.verifying_key(), &token, &Validation::new())
            .unwrap();
    assert_eq!(nested.token.claims.sub.as_deref(), Some("42"));
    assert_eq!(nested.jwe_header.kid.as_deref(), Some("ec"));
}
