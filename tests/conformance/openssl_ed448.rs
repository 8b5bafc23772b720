//! Ed448 interop with OpenSSL, both ways: keys made by `openssl genpkey -algorithm
//! ed448` import into jot and their `openssl pkeyutl -sign -rawin` signatures verify
//! (as JWTs too); keys and signatures made by jot are read and verified by openssl.
//! Ed448 is deterministic, so both sides must also produce the same bytes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jot_algorithms::{
    Algorithm, Claims, Header, OkpCurve, Signer, SigningKey, Validation, Verifier, VerifyError,
    VerifyingKey, base64url, decode, encode,
};

use crate::deps::{OPENSSL, ensure_openssl};

/// A fresh directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!("jot-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs openssl in `dir`, returning its output whatever the exit status.
fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new(OPENSSL)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs")
}

/// Runs openssl in `dir`; panics unless it succeeds.
fn openssl_ok(dir: &Path, args: &[&str]) {
    let out = openssl(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn openssl_keys_and_signatures_work_in_jot() {
    ensure_openssl().expect("openssl installed");
    let tmp = TempDir::new("ed448-openssl");
    let dir = &tmp.0;
    openssl_ok(dir, &["genpkey", "-algorithm", "ed448", "-out", "key.pem"]);
    openssl_ok(
        dir,
        &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
    );
    openssl_ok(
        dir,
        &[
            "pkey", "-in", "key.pem", "-outform", "DER", "-out", "key.der",
        ],
    );
    openssl_ok(
        dir,
        &[
            "pkey", "-pubin", "-in", "pub.pem", "-outform", "DER", "-out", "pub.der",
        ],
    );

    // A JWT whose signature openssl makes over the JWS signing input.
    let header = base64url::encode(br#"{"alg":"EdDSA","typ":"JWT"}"#);
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let payload = base64url::encode(format!(r#"{{"sub":"openssl","exp":{exp}}}"#).as_bytes());
    let input = format!("{header}.{payload}");
    std::fs::write(tmp.path("input"), &input).unwrap();
    openssl_ok(
        dir,
        &[
            "pkeyutl", "-sign", "-rawin", "-inkey", "key.pem", "-in", "input", "-out", "sig",
        ],
    );
    let sig = std::fs::read(tmp.path("sig")).unwrap();
    assert_eq!(sig.len(), 114);

    let read = |file: &str| std::fs::read(tmp.path(file)).unwrap();
    let private = SigningKey::from_pem_infer(read("key.pem")).unwrap();
    assert_eq!(private.algorithm(), Algorithm::EdDSA);
    assert_eq!(private.to_jwk().unwrap().crv.as_deref(), Some("Ed448"));
    let from_der = SigningKey::from_der(Algorithm::EdDSA, read("key.der")).unwrap();
    assert_eq!(from_der.to_pkcs8_der().unwrap(), read("key.der"));
    for public in [
        VerifyingKey::from_pem_infer(read("pub.pem")).unwrap(),
        VerifyingKey::from_der(Algorithm::EdDSA, read("pub.der")).unwrap(),
        private.verifying_key(),
    ] {
        assert_eq!(public.thumbprint(), private.thumbprint());
        assert_eq!(
            public.verify(Algorithm::EdDSA, None, input.as_bytes(), &sig),
            Ok(())
        );
        let mut tampered = sig.clone();
        tampered[80] ^= 0x04;
        assert_eq!(
            public.verify(Algorithm::EdDSA, None, input.as_bytes(), &tampered),
            Err(VerifyError::InvalidSignature)
        );
        let token = format!("{input}.{}", base64url::encode(&sig));
        let verified = decode::<()>(&token, &public, &Validation::new()).unwrap();
        assert_eq!(verified.claims.sub.as_deref(), Some("openssl"));
    }
    // Deterministic: jot's signature with openssl's key is openssl's.
    let mut ours = Vec::new();
    private.sign(input.as_bytes(), &mut ours).unwrap();
    assert_eq!(ours, sig);
}

#[test]
fn jot_keys_and_signatures_work_in_openssl() {
    ensure_openssl().expect("openssl installed");
    let tmp = TempDir::new("ed448-jot");
    let dir = &tmp.0;
    let key = SigningKey::generate_eddsa(OkpCurve::Ed448).unwrap();
    std::fs::write(tmp.path("key.pem"), key.to_pkcs8_pem().unwrap()).unwrap();
    std::fs::write(tmp.path("pub.pem"), key.verifying_key().to_pem().unwrap()).unwrap();
    std::fs::write(
        tmp.path("pub.der"),
        key.verifying_key().to_spki_der().unwrap(),
    )
    .unwrap();

    let token = encode(
        &key,
        &Header::jwt(),
        &Claims::new(()).subject("jot").valid_for(600),
    )
    .unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    std::fs::write(tmp.path("input"), input).unwrap();
    std::fs::write(tmp.path("sig"), base64url::decode(sig).unwrap()).unwrap();
    let mut tampered = base64url::decode(sig).unwrap();
    tampered[3] ^= 0x01;
    std::fs::write(tmp.path("tampered"), tampered).unwrap();

    for (pubkey, form) in [("pub.pem", "PEM"), ("pub.der", "DER")] {
        openssl_ok(
            dir,
            &[
                "pkeyutl", "-verify", "-rawin", "-pubin", "-keyform", form, "-inkey", pubkey,
                "-in", "input", "-sigfile", "sig",
            ],
        );
        let refused = openssl(
            dir,
            &[
                "pkeyutl", "-verify", "-rawin", "-pubin", "-keyform", form, "-inkey", pubkey,
                "-in", "input", "-sigfile", "tampered",
            ],
        );
        assert!(
            !refused.status.success(),
            "openssl accepted a tampered signature"
        );
    }

    // openssl reads jot's PKCS#8 key: its public key and its signature are jot's.
    openssl_ok(
        dir,
        &["pkey", "-in", "key.pem", "-pubout", "-out", "derived.pem"],
    );
    assert_eq!(
        std::fs::read(tmp.path("derived.pem")).unwrap(),
        std::fs::read(tmp.path("pub.pem")).unwrap()
    );
    openssl_ok(
        dir,
        &[
            "pkeyutl",
            "-sign",
            "-rawin",
            "-inkey",
            "key.pem",
            "-in",
            "input",
            "-out",
            "openssl.sig",
        ],
    );
    assert_eq!(
        std::fs::read(tmp.path("openssl.sig")).unwrap(),
        base64url::decode(sig).unwrap()
    );
}
