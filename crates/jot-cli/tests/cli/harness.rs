//! Running the real `jot` binary with a cleaned environment, and the keys the tests
//! share (made once by `jot keygen` itself; RSA generation is the slow part).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

/// Every algorithm, with the lower-case stem used for its key files.
pub(crate) const ALGS: [&str; 19] = [
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "ES256K",
    "EdDSA",
    "Ed25519",
    "Ed448",
    "ML-DSA-44",
    "ML-DSA-65",
    "ML-DSA-87",
];

/// `jot` with an empty environment but PATH and HOME.
pub(crate) fn jot() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jot"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", keys().dir());
    cmd
}

/// Runs `jot args...`, expects exit 0 and returns stdout.
pub(crate) fn ok(args: &[&str]) -> String {
    let out = jot().args(args).output().expect("jot runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "jot {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs `jot args...` and returns (exit code, stdout, stderr).
pub(crate) fn run(args: &[&str]) -> (i32, String, String) {
    split(jot().args(args).output().expect("jot runs"))
}

/// Runs `jot args...` with `stdin` and returns (exit code, stdout, stderr).
pub(crate) fn run_stdin(args: &[&str], stdin: &str) -> (i32, String, String) {
    split(
        jot()
            .args(args)
            .write_stdin(stdin)
            .output()
            .expect("jot runs"),
    )
}

pub(crate) fn split(out: Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Parses JSON output.
pub(crate) fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// Runs a Python script with `request` as JSON on stdin and returns the JSON it
/// prints; fails the test, with Python's stderr, when the script fails. `what` names
/// the peer in that message.
pub(crate) fn python_json(script: &str, request: &Value, what: &str) -> Value {
    jot_test_support::python::python_json(script, request, what)
}

/// Seconds since the epoch.
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// A fresh directory under cargo's target tmp dir (kept: cargo clean removes it).
pub(crate) fn scratch() -> PathBuf {
    tempfile::Builder::new()
        .prefix("jot-cli-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir")
        .keep()
}

pub(crate) fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The shared keys.
pub(crate) struct Keys {
    dir: PathBuf,
}

/// Keys for every algorithm, made once by `jot keygen`:
/// - `{alg}.jwk` / `{alg}.pub.jwk` for every non-RSA algorithm (kid `{alg}-kid`);
/// - `rsa.pem` / `rsa.pub.pem`, one RSA key (PKCS#8 / SPKI) used for every RS* and PS*;
/// - `secret.txt`, a 64-byte HMAC secret (plus a newline, which jot ignores).
///
/// They are made once per build of the binary and shared on disk, so test runners
/// that start a process per test (nextest) do not generate them again each time.
pub(crate) fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let bin = env!("CARGO_BIN_EXE_jot");
        let stamp = std::fs::metadata(bin)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("jot-cli-keys-{stamp}"));
        if !dir.join("complete").is_file() {
            let fresh = scratch();
            generate_keys(bin, &fresh);
            std::fs::write(fresh.join("complete"), "").expect("write marker");
            // Another test process may have won the race; its keys are as good.
            if std::fs::rename(&fresh, &dir).is_err() {
                let _ = std::fs::remove_dir_all(&fresh);
            }
        }
        assert!(
            dir.join("complete").is_file(),
            "shared keys in {}",
            dir.display()
        );
        Keys { dir }
    })
}

fn generate_keys(bin: &str, dir: &Path) {
    let keygen = |args: &[&str]| {
        let out = std::process::Command::new(bin)
            .env_clear()
            .arg("keygen")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("jot keygen runs");
        assert!(
            out.status.success(),
            "keygen {args:?}: {}",
            text(&out.stderr)
        );
    };
    for alg in ALGS.iter().filter(|a| !is_rsa(a)) {
        let stem = alg.to_lowercase();
        let (private, public) = (format!("{stem}.jwk"), format!("{stem}.pub.jwk"));
        let kid = format!("{alg}-kid");
        if alg.starts_with("HS") {
            keygen(&[alg, "--kid", &kid, "--out", &private]);
        } else {
            keygen(&[
                alg,
                "--kid",
                &kid,
                "--out",
                &private,
                "--public-out",
                &public,
            ]);
        }
    }
    keygen(&[
        "RS256",
        "--format",
        "pem",
        "--out",
        "rsa.pem",
        "--public-out",
        "rsa.pub.pem",
    ]);
    std::fs::write(
        dir.join("secret.txt"),
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
    )
    .expect("write secret");
}

pub(crate) fn is_rsa(alg: &str) -> bool {
    alg.starts_with("RS") || alg.starts_with("PS")
}

impl Keys {
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The private key file for `alg` (the RSA PEM for RS*/PS*).
    pub(crate) fn private(&self, alg: &str) -> String {
        let name = if is_rsa(alg) {
            "rsa.pem".to_owned()
        } else {
            format!("{}.jwk", alg.to_lowercase())
        };
        self.file(&name)
    }

    /// The public key file for `alg` (the private JWK for HS*).
    pub(crate) fn public(&self, alg: &str) -> String {
        let name = if is_rsa(alg) {
            "rsa.pub.pem".to_owned()
        } else if alg.starts_with("HS") {
            format!("{}.jwk", alg.to_lowercase())
        } else {
            format!("{}.pub.jwk", alg.to_lowercase())
        };
        self.file(&name)
    }

    /// The HMAC secret file.
    pub(crate) fn secret(&self) -> String {
        self.file("secret.txt")
    }

    pub(crate) fn file(&self, name: &str) -> String {
        path_str(&self.dir.join(name)).to_owned()
    }
}

/// A token for `alg`, signed with the shared key, with extra encode arguments.
pub(crate) fn token(alg: &str, extra: &[&str]) -> String {
    let k = keys();
    let key = k.private(alg);
    let mut args = vec!["encode", "--alg", alg, "--key", &key];
    args.extend_from_slice(extra);
    ok(&args).trim_end().to_owned()
}

/// `jot verify` of `token` with the shared public key of `alg`, plus extra arguments.
pub(crate) fn verify(alg: &str, token: &str, extra: &[&str]) -> (i32, String, String) {
    let k = keys();
    let key = k.public(alg);
    let mut args = vec!["verify", "--alg", alg, "--key", &key];
    args.extend_from_slice(extra);
    args.push(token);
    run(&args)
}

/// `openssl` on PATH, if any.
pub(crate) fn openssl() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("openssl"))
            .find(|p| p.is_file())
    })
}

/// Runs openssl with `args` in `dir`; panics on failure.
pub(crate) fn run_openssl(dir: &Path, args: &[&str]) {
    let bin = openssl().expect("openssl on PATH");
    let out = std::process::Command::new(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        text(&out.stderr)
    );
}

/// The DER inside a PEM file.
pub(crate) fn pem_to_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body is base64")
}
