//! `jot keygen`: formats, key ids, file modes and no silent overwrite.

use std::os::unix::fs::PermissionsExt as _;

use crate::harness::{json, ok, run, scratch};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn files_have_private_modes_and_are_not_overwritten() {
    let dir = scratch();
    let private = dir.join("k.jwk");
    let public = dir.join("k.pub.jwk");
    let (p, q) = (private.to_str().unwrap(), public.to_str().unwrap());
    let (code, out, err) = run(&["keygen", "ES256", "--out", p, "--public-out", q]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "both parts went to files");
    assert_eq!(mode(&private), 0o600);
    assert_eq!(mode(&public) & 0o600, 0o600);
    assert_eq!(
        mode(&public) & 0o022,
        0,
        "public key not group/world writable"
    );
    let before = std::fs::read(&private).unwrap();

    let (code, _, err) = run(&["keygen", "ES256", "--out", p]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists (use --force"), "{err}");
    assert_eq!(std::fs::read(&private).unwrap(), before, "untouched");

    let (code, _, err) = run(&["keygen", "EdDSA", "--public-out", q]);
    assert_eq!(code, 2, "the public file is not overwritten either: {err}");

    // --force replaces the file, still 0600, even if it was wider before.
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, out, err) = run(&["keygen", "ES384", "--out", p, "--force"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&private), 0o600);
    assert_eq!(
        json(&std::fs::read_to_string(&private).unwrap())["alg"],
        "ES384"
    );
    assert_eq!(json(&out)["alg"], "ES384", "public part on stdout");
    assert!(json(&out).get("d").is_none());
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 2, "no temporary file left behind");
}

#[test]
fn jwk_output_has_alg_kid_and_private_members() {
    let v = json(&ok(&["keygen", "EdDSA", "--kid", "ed-1"]));
    assert_eq!(v["kty"], "OKP");
    assert_eq!(v["alg"], "EdDSA");
    assert_eq!(v["kid"], "ed-1");
    assert!(v["d"].is_string());

    let v = json(&ok(&["keygen", "HS512"]));
    assert_eq!(v["kty"], "oct");
    assert_eq!(v["alg"], "HS512");
    assert_eq!(
        v["kid"].as_str().unwrap().len(),
        43,
        "kid defaults to the thumbprint"
    );
    // 64 random bytes, base64url.
    assert_eq!(v["k"].as_str().unwrap().len(), 86);
    let v = json(&ok(&["keygen", "ES256", "--no-kid"]));
    assert!(v.get("kid").is_none());
}

#[test]
fn kid_thumbprint_matches_jwk_thumbprint() {
    let dir = scratch();
    let private = dir.join("k.jwk");
    let out = ok(&[
        "keygen",
        "ES256K",
        "--kid-thumbprint",
        "--out",
        private.to_str().unwrap(),
    ]);
    let kid = json(&out)["kid"].as_str().unwrap().to_owned();
    assert_eq!(kid.len(), 43);
    let thumb = ok(&["jwk", "thumbprint", private.to_str().unwrap()]);
    assert_eq!(thumb.trim_end(), kid);
    let (code, _, _) = run(&["keygen", "ES256", "--kid", "a", "--kid-thumbprint"]);
    assert_eq!(code, 2, "conflicting options");
    let (code, _, _) = run(&["keygen", "ES256", "--kid", "a", "--no-kid"]);
    assert_eq!(code, 2, "conflicting options");
}

#[test]
fn pem_format() {
    let pem = ok(&["keygen", "ES512", "--format", "pem"]);
    assert!(
        pem.starts_with("-----BEGIN PRIVATE KEY-----\n")
            && pem.ends_with("-----END PRIVATE KEY-----\n")
    );
    let dir = scratch();
    let private = dir.join("k.pem");
    let public = ok(&[
        "keygen",
        "EdDSA",
        "--format",
        "pem",
        "--out",
        private.to_str().unwrap(),
    ]);
    assert!(
        public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
        "{public}"
    );
    let (code, _, err) = run(&["keygen", "HS256", "--format", "pem"]);
    assert_eq!(code, 2);
    assert!(err.contains("no PEM form"), "{err}");
    let (code, _, err) = run(&["keygen", "ES256", "--bits", "4096"]);
    assert_eq!(code, 2);
    assert!(err.contains("RSA keys only"), "{err}");
    let (code, _, err) = run(&["keygen", "RS256", "--bits", "1024"]);
    assert_eq!(code, 2);
    assert!(err.contains("too small"), "{err}");
}

#[test]
fn eddsa_keys_on_either_curve() {
    let v = json(&ok(&["keygen", "EdDSA", "--curve", "Ed448", "--kid", "e"]));
    assert_eq!(
        (v["kty"].as_str(), v["crv"].as_str()),
        (Some("OKP"), Some("Ed448"))
    );
    assert_eq!(v["alg"], "EdDSA");
    // 57 bytes in base64url: 76 characters.
    assert_eq!(v["x"].as_str().unwrap().len(), 76);
    assert_eq!(v["d"].as_str().unwrap().len(), 76);
    let v = json(&ok(&["keygen", "EdDSA", "--curve", "ed25519"]));
    assert_eq!(v["crv"], "Ed25519");
    assert_eq!(json(&ok(&["keygen", "EdDSA"]))["crv"], "Ed25519");

    // An Ed448 key signs and verifies through the CLI, PEM files and all.
    let dir = scratch();
    let (key, public) = (dir.join("ed448.pem"), dir.join("ed448.pub.pem"));
    let (k, p) = (key.to_str().unwrap(), public.to_str().unwrap());
    ok(&[
        "keygen",
        "EdDSA",
        "--curve",
        "Ed448",
        "--format",
        "pem",
        "--out",
        k,
        "--public-out",
        p,
    ]);
    let token = ok(&["encode", "--alg", "EdDSA", "--key", k, "--sub", "ed448"]);
    let token = token.trim();
    let signature = token.rsplit('.').next().unwrap();
    assert_eq!(signature.len(), 152, "114-byte Ed448 signature");
    let (code, _, err) = run(&["verify", "--alg", "EdDSA", "--key", p, token]);
    assert_eq!(code, 0, "{err}");

    for (args, needle) in [
        (&["keygen", "ES256", "--curve", "Ed448"][..], "EdDSA keys"),
        (&["keygen", "EdDSA", "--curve", "X25519"][..], "EdDSA keys"),
        (
            &["keygen", "ECDH-ES", "--curve", "Ed448"][..],
            "for EdDSA keys",
        ),
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
