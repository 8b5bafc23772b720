//! Every key format in: PKCS#8, SPKI, PKCS#1 and SEC1 PEM, DER, X.509, JWK and JWK Set.
//! PKCS#1 and SEC1 files come from openssl (jot exports PKCS#8/SPKI only); without
//! openssl those cases are skipped with a note.

use std::path::Path;

use crate::harness::{
    keys, ok, openssl, path_str, pem_to_der, run, run_openssl, scratch, token, verify,
};

/// Signs with `private` (for `alg`) and verifies with `public`.
fn sign_and_verify(alg: &str, private: &Path, public: &Path) {
    let t = ok(&[
        "encode",
        "--alg",
        alg,
        "--key",
        path_str(private),
        "--sub",
        "fmt",
    ]);
    let (code, out, err) = run(&["verify", "--alg", alg, "--key", path_str(public), t.trim()]);
    assert_eq!(
        code,
        0,
        "{alg} {} -> {}: {err}",
        private.display(),
        public.display()
    );
    assert!(out.contains("\"sub\": \"fmt\""));
}

#[test]
fn pkcs8_spki_and_der_for_every_asymmetric_algorithm() {
    let k = keys();
    let dir = scratch();
    for alg in [
        "RS256", "PS256", "ES256", "ES384", "ES512", "ES256K", "EdDSA",
    ] {
        let stem = alg.to_lowercase();
        let private_pem = dir.join(format!("{stem}.pem"));
        let public_pem = dir.join(format!("{stem}.pub.pem"));
        std::fs::write(
            &private_pem,
            ok(&["jwk", "convert", "--to", "pem", &k.private(alg)]),
        )
        .unwrap();
        std::fs::write(
            &public_pem,
            ok(&["jwk", "public", "--format", "pem", &k.private(alg)]),
        )
        .unwrap();
        let private_der = dir.join(format!("{stem}.der"));
        let public_der = dir.join(format!("{stem}.pub.der"));
        std::fs::write(
            &private_der,
            pem_to_der(&std::fs::read_to_string(&private_pem).unwrap()),
        )
        .unwrap();
        std::fs::write(
            &public_der,
            pem_to_der(&std::fs::read_to_string(&public_pem).unwrap()),
        )
        .unwrap();

        sign_and_verify(alg, &private_pem, &public_pem);
        sign_and_verify(alg, &private_der, &public_der);
        // A private key file also verifies (its public part is taken).
        sign_and_verify(alg, &private_der, &private_pem);
        // And the JWKs interoperate with the PEMs.
        if !alg.starts_with("RS") && !alg.starts_with("PS") {
            sign_and_verify(alg, &private_pem, Path::new(&k.public(alg)));
            sign_and_verify(alg, Path::new(&k.private(alg)), &public_der);
        }
    }
}

#[test]
fn jwk_and_jwk_set_with_kid_lookup() {
    let k = keys();
    let dir = scratch();
    let set = dir.join("set.json");
    std::fs::write(
        &set,
        ok(&[
            "jwk",
            "set",
            &k.public("ES256"),
            &k.public("ES384"),
            &k.public("EdDSA"),
        ]),
    )
    .unwrap();
    for alg in ["ES256", "ES384", "EdDSA"] {
        let t = token(alg, &[]);
        let (code, _, err) = run(&["verify", "--key", path_str(&set), &t]);
        assert_eq!(code, 0, "{alg}: {err}");
    }
    // A private JWK Set signs too, once --kid picks the key.
    let private_set = dir.join("private.json");
    std::fs::write(
        &private_set,
        ok(&[
            "jwk",
            "set",
            "--private",
            &k.private("ES256"),
            &k.private("EdDSA"),
        ]),
    )
    .unwrap();
    let (code, _, err) = run(&["encode", "--key", path_str(&private_set)]);
    assert_eq!(code, 2);
    assert!(err.contains("pick one with --kid"), "{err}");
    let t = ok(&[
        "encode",
        "--key",
        path_str(&private_set),
        "--kid",
        "EdDSA-kid",
    ]);
    let (code, _, err) = run(&["verify", "--key", path_str(&set), t.trim()]);
    assert_eq!(code, 0, "{err}");
    // HMAC from a JWK ("oct").
    let t = token("HS256", &[]);
    assert_eq!(verify("HS256", &t, &[]).0, 0);
}

#[test]
fn pkcs1_sec1_and_certificates_from_openssl() {
    if openssl().is_none() {
        eprintln!("note: openssl not on PATH; skipping the PKCS#1, SEC1 and X.509 cases");
        return;
    }
    let k = keys();
    let dir = scratch();
    let rsa = k.private("RS256");
    let ec = dir.join("ec.pem");
    std::fs::write(
        &ec,
        ok(&["jwk", "convert", "--to", "pem", &k.private("ES256")]),
    )
    .unwrap();
    let ec384 = dir.join("ec384.pem");
    std::fs::write(
        &ec384,
        ok(&["jwk", "convert", "--to", "pem", &k.private("ES384")]),
    )
    .unwrap();
    let ec = path_str(&ec);
    let ec384 = path_str(&ec384);
    // PKCS#1 RSAPrivateKey and RSAPublicKey, PEM and DER.
    run_openssl(
        &dir,
        &["pkey", "-in", &rsa, "-traditional", "-out", "rsa1.pem"],
    );
    run_openssl(
        &dir,
        &[
            "rsa",
            "-in",
            &rsa,
            "-RSAPublicKey_out",
            "-out",
            "rsa1.pub.pem",
        ],
    );
    run_openssl(
        &dir,
        &[
            "rsa",
            "-in",
            &rsa,
            "-traditional",
            "-outform",
            "DER",
            "-out",
            "rsa1.der",
        ],
    );
    run_openssl(
        &dir,
        &[
            "rsa",
            "-in",
            &rsa,
            "-RSAPublicKey_out",
            "-outform",
            "DER",
            "-out",
            "rsa1.pub.der",
        ],
    );
    // SEC1 ECPrivateKey, PEM and DER.
    run_openssl(&dir, &["ec", "-in", ec, "-out", "sec1.pem"]);
    run_openssl(
        &dir,
        &["ec", "-in", ec, "-outform", "DER", "-out", "sec1.der"],
    );
    run_openssl(&dir, &["ec", "-in", ec384, "-out", "sec1-384.pem"]);
    // Self-signed certificates.
    for (key, cert) in [(rsa.as_str(), "rsa.crt"), (ec, "ec.crt")] {
        run_openssl(
            &dir,
            &[
                "req", "-new", "-x509", "-key", key, "-subj", "/CN=jot", "-days", "1", "-out", cert,
            ],
        );
    }
    let pkcs1_pem = std::fs::read_to_string(dir.join("rsa1.pem")).unwrap();
    assert!(
        pkcs1_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
        "{pkcs1_pem}"
    );
    let sec1_pem = std::fs::read_to_string(dir.join("sec1.pem")).unwrap();
    assert!(
        sec1_pem.starts_with("-----BEGIN EC PRIVATE KEY-----"),
        "{sec1_pem}"
    );

    let f = |name: &str| dir.join(name);
    for alg in ["RS256", "PS512"] {
        sign_and_verify(alg, &f("rsa1.pem"), &f("rsa1.pub.pem"));
        sign_and_verify(alg, &f("rsa1.der"), &f("rsa1.pub.der"));
        sign_and_verify(alg, &f("rsa1.pem"), &f("rsa.crt"));
    }
    sign_and_verify("ES256", &f("sec1.pem"), Path::new(&k.public("ES256")));
    sign_and_verify("ES256", &f("sec1.der"), &f("ec.crt"));
    sign_and_verify("ES384", &f("sec1-384.pem"), Path::new(&k.public("ES384")));
    // The algorithm comes from the curve of a SEC1 key.
    let t = ok(&["encode", "--key", path_str(&f("sec1-384.pem"))]);
    let v = crate::harness::json(&ok(&["decode", "--json", t.trim()]));
    assert_eq!(v["header"]["alg"], "ES384");
}
