#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

use crate::{
    ContentEncryption, DecryptionKey, DecryptionKeySet, DecryptionPolicy, Error, HeaderError,
    HeaderOptions, JweJson, JweJsonError, KeyAlgorithm, Part, base64url, decrypt_json,
};

const ENC: ContentEncryption = ContentEncryption::A256GCM;

fn keys() -> [DecryptionKey; 3] {
    [
        DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)
            .unwrap()
            .with_kid("rsa"),
        DecryptionKey::generate(KeyAlgorithm::ECDH_ES_A256KW)
            .unwrap()
            .with_kid("ec"),
        DecryptionKey::generate(KeyAlgorithm::A256KW)
            .unwrap()
            .with_kid("kw"),
    ]
}

fn three(keys: &[DecryptionKey; 3], aad: Option<&[u8]>) -> Value {
    let to: Vec<_> = keys.iter().map(DecryptionKey::encryption_key).collect();
    let to: Vec<_> = to.iter().collect();
    let jwe = JweJson::encrypt(&to, ENC, &HeaderOptions::new(), aad, b"plaintext").unwrap();
    serde_json::from_str(&jwe.to_general_json()).unwrap()
}

fn open(key: &DecryptionKey, doc: &Value) -> Result<crate::DecryptedJson, Error> {
    decrypt_json(key, &doc.to_string(), &DecryptionPolicy::new())
}

#[test]
fn every_recipient_decrypts_its_own() {
    let keys = keys();
    let doc = three(&keys, Some(b"extra"));
    for (i, key) in keys.iter().enumerate() {
        let out = open(key, &doc).unwrap();
        assert_eq!(out.plaintext, b"plaintext");
        assert_eq!(out.recipient, i);
        assert_eq!(out.aad.as_deref(), Some(&b"extra"[..]));
        assert_eq!(out.header.alg, key.algorithm());
    }
    // Without kids on the keys: chosen by alg.
    let bare = DecryptionKey::from_jwk(KeyAlgorithm::A256KW, &keys[2].to_jwk().unwrap()).unwrap();
    assert_eq!(open(&bare, &doc).unwrap().recipient, 2);
    // A key set holding all three picks by kid (the first recipient).
    let set = DecryptionKeySet::from_keys(
        keys.iter()
            .map(|k| DecryptionKey::from_jwk_infer(&k.to_jwk().unwrap()).unwrap()),
    );
    let out = decrypt_json(&set, &doc.to_string(), &DecryptionPolicy::new()).unwrap();
    assert_eq!(
        (out.plaintext.as_slice(), out.recipient),
        (&b"plaintext"[..], 0)
    );
}

#[test]
fn flattened_round_trip_and_syntax() {
    let key = DecryptionKey::generate(KeyAlgorithm::ECDH_ES).unwrap();
    let jwe = JweJson::encrypt(
        &[&key.encryption_key()],
        ContentEncryption::A128CBC_HS256,
        &HeaderOptions::jwt().compress(),
        None,
        b"flat",
    )
    .unwrap();
    assert!(jwe.is_flattened());
    let flat: Value = serde_json::from_str(&jwe.to_flattened_json().unwrap()).unwrap();
    assert!(flat.get("recipients").is_none() && flat.get("encrypted_key").is_none());
    assert_eq!(flat["header"]["alg"], "ECDH-ES");
    let out = open(&key, &flat).unwrap();
    assert_eq!(out.plaintext, b"flat");
    assert!(out.header.compressed);
    assert_eq!(jwe.protected_header()["typ"], "JWT");
    assert_eq!(jwe.protected_header()["zip"], "DEF");
    assert!(jwe.unprotected_header().is_none() && jwe.aad_b64().is_none());
    let merged = jwe.recipient_header(0).unwrap();
    assert_eq!(
        (merged["alg"].as_str(), merged["enc"].as_str()),
        (Some("ECDH-ES"), Some("A128CBC-HS256"))
    );
    assert!(jwe.recipient_header(1).is_none());
    let general: Value = serde_json::from_str(&jwe.to_general_json()).unwrap();
    assert_eq!(open(&key, &general).unwrap().plaintext, b"flat");
    // Reparsed documents write out the same members.
    let again = JweJson::parse(&flat.to_string()).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&again.to_flattened_json().unwrap()).unwrap(),
        flat
    );
}

#[test]
fn tampering_is_the_uniform_error() {
    let keys = keys();
    let doc = three(&keys, Some(b"extra"));
    let other_protected = base64url::encode(br#"{"enc":"A256GCM","x":1}"#);
    let tampered = [
        ("protected", json!(other_protected)),
        ("aad", json!(base64url::encode(b"Extra"))),
        ("iv", json!(base64url::encode(&[0u8; 12]))),
        ("tag", json!(base64url::encode(&[0u8; 16]))),
    ];
    for (name, value) in tampered {
        let mut bad = doc.clone();
        bad[name] = value;
        for key in &keys {
            assert!(matches!(open(key, &bad), Err(Error::Decryption)), "{name}");
        }
    }
    // An absent IV or tag is an empty one: the same uniform error.
    for name in ["iv", "tag"] {
        let mut bad = doc.clone();
        bad.as_object_mut().unwrap().remove(name);
        assert!(
            matches!(open(&keys[2], &bad), Err(Error::Decryption)),
            "{name}"
        );
    }
    // Removing the aad changes the authenticated data too.
    let mut bad = doc.clone();
    bad.as_object_mut().unwrap().remove("aad");
    assert!(matches!(open(&keys[0], &bad), Err(Error::Decryption)));
    // Another recipient's encrypted key under one's own header.
    let mut bad = doc.clone();
    bad["recipients"][2]["encrypted_key"] = doc["recipients"][1]["encrypted_key"].clone();
    assert!(matches!(open(&keys[2], &bad), Err(Error::Decryption)));
}

#[test]
fn header_sets_must_be_disjoint_and_crit_zip_protected() {
    let keys = keys();
    let doc = three(&keys, None);
    let check = |edit: &dyn Fn(&mut Value), want: &dyn Fn(&Error) -> bool| {
        let mut bad = doc.clone();
        edit(&mut bad);
        let err = JweJson::parse(&bad.to_string()).unwrap_err();
        assert!(want(&err), "{err:?}");
    };
    check(
        &|d| d["unprotected"] = json!({"enc": "A256GCM"}),
        &|e| matches!(e, Error::JweJson(JweJsonError::HeaderConflict { name, .. }) if name == "enc"),
    );
    check(
        &|d| {
            d["unprotected"] = json!({"cty": "x"});
            d["recipients"][1]["header"]["cty"] = json!("y");
        },
        &|e| matches!(e, Error::JweJson(JweJsonError::HeaderConflict { name, recipient: 1 }) if name == "cty"),
    );
    check(
        &|d| d["unprotected"] = json!({"crit": ["x"], "x": 1}),
        &|e| matches!(e, Error::JweJson(JweJsonError::UnprotectedCrit)),
    );
    check(
        &|d| d["recipients"][0]["header"]["crit"] = json!(["x"]),
        &|e| matches!(e, Error::JweJson(JweJsonError::UnprotectedCrit)),
    );
    check(
        &|d| d["recipients"][0]["header"]["zip"] = json!("DEF"),
        &|e| matches!(e, Error::Header(HeaderError::UnprotectedZip)),
    );
    check(
        &|d| d["protected"] = json!(base64url::encode(b"{}")),
        &|e| {
            matches!(
                e,
                Error::JweJson(JweJsonError::MissingParameter { name: "enc", .. })
            )
        },
    );
    check(
        &|d| {
            d["protected"] = json!(base64url::encode(b"{}"));
            for (i, enc) in ["A256GCM", "A256GCM", "A128GCM"].iter().enumerate() {
                d["recipients"][i]["header"]["enc"] = json!(enc);
            }
        },
        &|e| matches!(e, Error::JweJson(JweJsonError::EncDiffers)),
    );
}

#[test]
fn malformed_documents_are_refused() {
    let keys = keys();
    let doc = three(&keys, None);
    let parse = |s: &str| JweJson::parse(s).unwrap_err();
    assert!(matches!(parse("{"), Error::Json { .. }));
    assert!(matches!(parse("[]"), Error::Json { .. }));
    assert!(matches!(
        parse(r#"{"payload":"e30","signature":""}"#),
        Error::Signed
    ));
    assert!(matches!(
        parse(r#"{"iv":""}"#),
        Error::JweJson(JweJsonError::MissingMember { name: "ciphertext" })
    ));
    assert!(matches!(
        parse(r#"{"ciphertext":1}"#),
        Error::JweJson(JweJsonError::InvalidMember { name: "ciphertext" })
    ));
    // Duplicates at the top, in a recipient, deep in an epk.
    let text = doc.to_string();
    let dup_top = text.replacen('{', r#"{"iv":"AAAA","#, 1);
    assert!(matches!(parse(&dup_top), Error::DuplicateMember { name } if name == "iv"));
    let dup_deep = text.replacen(r#""crv":"#, r#""crv":"P-256","crv":"#, 1);
    assert!(matches!(parse(&dup_deep), Error::DuplicateMember { name } if name == "crv"));
    // Mixed syntax, empty and too many recipients.
    let mut bad = doc.clone();
    bad["encrypted_key"] = json!("");
    assert!(matches!(
        parse(&bad.to_string()),
        Error::JweJson(JweJsonError::MixedSyntax)
    ));
    bad = doc.clone();
    bad["recipients"] = json!([]);
    assert!(matches!(
        parse(&bad.to_string()),
        Error::JweJson(JweJsonError::NoRecipients)
    ));
    bad["recipients"] = json!(vec![doc["recipients"][2].clone(); 17]);
    assert!(matches!(
        parse(&bad.to_string()),
        Error::JweJson(JweJsonError::TooManyRecipients { max: 16 })
    ));
    bad["recipients"] = json!(vec![doc["recipients"][2].clone(); 16]);
    assert_eq!(open(&keys[2], &bad).unwrap().plaintext, b"plaintext");
    bad = doc.clone();
    bad["aad"] = json!("a+b");
    assert!(matches!(
        parse(&bad.to_string()),
        Error::Base64 { part: Part::Aad }
    ));
    // Size limit, before parsing.
    assert!(matches!(
        JweJson::parse_with_limit(&text, 100),
        Err(Error::TooLarge { max: 100, .. })
    ));
}

#[test]
fn no_recipient_for_the_key() {
    let keys = keys();
    let doc = three(&keys, None);
    let stranger = DecryptionKey::generate(KeyAlgorithm::A128KW).unwrap();
    assert!(matches!(
        open(&stranger, &doc),
        Err(Error::JweJson(JweJsonError::NoRecipient { recipients: 3 }))
    ));
    // Same alg, another kid: not a candidate.
    let other_kw = DecryptionKey::generate(KeyAlgorithm::A256KW)
        .unwrap()
        .with_kid("kw2");
    assert!(matches!(
        open(&other_kw, &doc),
        Err(Error::JweJson(JweJsonError::NoRecipient { .. }))
    ));
    // Same alg, no kid: the recipient is tried once, and fails uniformly.
    let kw_no_kid = DecryptionKey::generate(KeyAlgorithm::A256KW).unwrap();
    assert!(matches!(open(&kw_no_kid, &doc), Err(Error::Decryption)));
    let set = DecryptionKeySet::from_keys([other_kw]);
    assert!(matches!(
        decrypt_json(&set, &doc.to_string(), &DecryptionPolicy::new()),
        Err(Error::JweJson(JweJsonError::NoRecipient { .. }))
    ));
    assert_eq!(
        Error::from(JweJsonError::NoRecipient { recipients: 3 }).public_description(),
        "unknown key"
    );
}

#[test]
fn encrypt_bounds() {
    let kw = DecryptionKey::generate(KeyAlgorithm::A128KW).unwrap();
    let to = kw.encryption_key();
    let opts = HeaderOptions::new();
    let err = |r: Result<JweJson, Error>| r.unwrap_err();
    assert!(matches!(
        err(JweJson::encrypt(&[], ENC, &opts, None, b"")),
        Error::JweJson(JweJsonError::NoRecipients)
    ));
    assert!(matches!(
        err(JweJson::encrypt(&[&to; 17], ENC, &opts, None, b"")),
        Error::JweJson(JweJsonError::TooManyRecipients { max: 16 })
    ));
    assert!(JweJson::encrypt(&[&to; 16], ENC, &opts, None, b"").is_ok());
    let ecdh = DecryptionKey::generate(KeyAlgorithm::ECDH_ES).unwrap();
    assert!(matches!(
        err(JweJson::encrypt(
            &[&to, &ecdh.encryption_key()],
            ENC,
            &opts,
            None,
            b""
        )),
        Error::JweJson(JweJsonError::DirectWithSeveral {
            alg: KeyAlgorithm::ECDH_ES
        })
    ));
    assert!(matches!(
        err(JweJson::encrypt(
            &[&to, &to],
            ENC,
            &opts.clone().kid("k"),
            None,
            b""
        )),
        Error::JweJson(JweJsonError::SharedKid)
    ));
    assert!(matches!(
        err(JweJson::encrypt(
            &[&to],
            ENC,
            &opts.clone().member("alg", "x"),
            None,
            b""
        )),
        Error::DuplicateMember { .. }
    ));
    let two = JweJson::encrypt(&[&to, &to], ENC, &opts, None, b"").unwrap();
    assert!(matches!(
        two.to_flattened_json(),
        Err(Error::JweJson(JweJsonError::TooManyRecipients { max: 1 }))
    ));
}
