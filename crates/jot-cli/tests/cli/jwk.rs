//! `jot jwk public | thumbprint | convert | set`.

use crate::harness::{json, keys, ok, run, run_stdin, scratch, token};

#[test]
fn thumbprint_rfc7638_example() {
    let dir = scratch();
    let path = dir.join("rfc.jwk");
    std::fs::write(
        &path,
        r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#,
    )
    .unwrap();
    let out = ok(&["jwk", "thumbprint", path.to_str().unwrap()]);
    assert_eq!(out, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\n");
    // The same key as PEM has the same thumbprint.
    let pem = dir.join("rfc.pem");
    std::fs::write(
        &pem,
        ok(&["jwk", "public", "--format", "pem", path.to_str().unwrap()]),
    )
    .unwrap();
    assert_eq!(ok(&["jwk", "thumbprint", pem.to_str().unwrap()]), out);
}

#[test]
fn public_part_of_every_kind() {
    let k = keys();
    for alg in ["ES256", "ES384", "ES512", "ES256K", "EdDSA"] {
        let v = json(&ok(&["jwk", "public", &k.private(alg)]));
        assert!(v.get("d").is_none(), "{alg}");
        assert_eq!(v["alg"], alg);
        assert_eq!(v["kid"], format!("{alg}-kid"));
        assert_eq!(v, json(&std::fs::read_to_string(k.public(alg)).unwrap()));
    }
    // An RSA PEM has no algorithm: the JWK has none unless --alg says so.
    let v = json(&ok(&["jwk", "public", &k.private("RS256")]));
    assert_eq!(v["kty"], "RSA");
    assert!(v.get("alg").is_none() && v.get("d").is_none());
    let v = json(&ok(&[
        "jwk",
        "public",
        "--alg",
        "PS512",
        &k.private("RS256"),
    ]));
    assert_eq!(v["alg"], "PS512");
    // From stdin.
    let pem = std::fs::read_to_string(k.public("RS256")).unwrap();
    let (code, out, _) = run_stdin(&["jwk", "public", "-"], &pem);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["kty"], "RSA");
    // A secret has no public part.
    let (code, _, err) = run(&["jwk", "public", &k.private("HS256")]);
    assert_eq!(code, 2);
    assert!(err.contains("no public part"), "{err}");
}

#[test]
fn convert_round_trips() {
    let k = keys();
    let dir = scratch();
    for alg in ["ES256", "EdDSA", "ES512", "RS256"] {
        let original = k.private(alg);
        let thumb = ok(&["jwk", "thumbprint", &original]);
        let pem = dir.join(format!("{alg}.pem"));
        std::fs::write(&pem, ok(&["jwk", "convert", "--to", "pem", &original])).unwrap();
        let pem_text = std::fs::read_to_string(&pem).unwrap();
        assert!(
            pem_text.starts_with("-----BEGIN PRIVATE KEY-----"),
            "{alg}: private stays private"
        );
        let jwk = dir.join(format!("{alg}.jwk"));
        std::fs::write(
            &jwk,
            ok(&[
                "jwk",
                "convert",
                "--to",
                "jwk",
                "--alg",
                alg,
                "--kid",
                "c",
                pem.to_str().unwrap(),
            ]),
        )
        .unwrap();
        let v = json(&std::fs::read_to_string(&jwk).unwrap());
        assert!(
            v["d"].is_string() && v["kid"] == "c" && v["alg"] == alg,
            "{v}"
        );
        assert_eq!(ok(&["jwk", "thumbprint", jwk.to_str().unwrap()]), thumb);
        // The converted key still signs tokens that the original's public part verifies.
        let public = ok(&["jwk", "convert", "--to", "pem", "--public", &original]);
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        let public_pem = dir.join(format!("{alg}.pub.pem"));
        std::fs::write(&public_pem, public).unwrap();
        let t = ok(&["encode", "--key", jwk.to_str().unwrap()]);
        let (code, _, err) = run(&[
            "verify",
            "--alg",
            alg,
            "--key",
            public_pem.to_str().unwrap(),
            t.trim(),
        ]);
        assert_eq!(code, 0, "{alg}: {err}");
        // The original public JWK has kid "{alg}-kid", so the token's kid "c" is refused.
        if alg != "RS256" {
            assert_eq!(crate::harness::verify(alg, t.trim(), &[]).0, 1);
        }
    }
    let v = json(&ok(&["jwk", "convert", "--to", "set", &k.private("EdDSA")]));
    assert_eq!(v["keys"].as_array().unwrap().len(), 1);
    assert!(
        v["keys"][0].get("d").is_none(),
        "a set from convert holds the public part"
    );
    let v = json(&ok(&["jwk", "convert", "--to", "jwk", &k.private("HS256")]));
    assert_eq!(v["kty"], "oct");
}

#[test]
fn set_of_several_keys_verifies_by_kid() {
    let k = keys();
    let out = ok(&[
        "jwk",
        "set",
        &k.private("ES256"),
        &k.public("EdDSA"),
        "--alg",
        "RS384",
        &k.public("RS256"),
    ]);
    let v = json(&out);
    let keys_ = v["keys"].as_array().unwrap();
    assert_eq!(keys_.len(), 3);
    assert!(keys_.iter().all(|j| j.get("d").is_none()));
    assert_eq!(keys_[2]["alg"], "RS384");
    let dir = scratch();
    let set = dir.join("set.json");
    std::fs::write(&set, &out).unwrap();
    for alg in ["ES256", "EdDSA"] {
        let t = token(alg, &[]);
        let (code, _, err) = run(&["verify", "--key", set.to_str().unwrap(), &t]);
        assert_eq!(code, 0, "{alg}: {err}");
        let (code, _, err) = run(&["verify", "--jwks", set.to_str().unwrap(), &t]);
        assert_eq!(code, 0, "{alg}: {err}");
    }
    // The RSA key has no kid: a kid-less RS384 token finds it as the only RS384 key.
    let t = ok(&["encode", "--alg", "RS384", "--key", &k.private("RS256")]);
    let (code, _, err) = run(&["verify", "--jwks", set.to_str().unwrap(), t.trim()]);
    assert_eq!(code, 0, "{err}");

    let (code, _, err) = run(&["jwk", "set", &k.private("HS256")]);
    assert_eq!(code, 2);
    assert!(err.contains("--private"), "{err}");
    let v = json(&ok(&[
        "jwk",
        "set",
        "--private",
        &k.private("HS256"),
        &k.private("ES384"),
    ]));
    assert!(v["keys"][0]["k"].is_string() && v["keys"][1]["d"].is_string());
}
