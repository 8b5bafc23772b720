//! Keys: a rotation to another algorithm reaches discovery; `jot rotate-key`
//! never makes an issuer where there was none; a lost private key stops the start
//! unless `--replace-missing-key` (or `replace_missing_key = true`) says to rotate.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{SVC, token};
use crate::harness::{json, path_str, run, scratch};
use crate::support::{Jot, http};

async fn get_json(url: &str) -> Value {
    let response = http().get(url).send().await.expect("the server answers");
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.expect("JSON")
}

/// The `alg` of a token's header.
fn alg(token: &str) -> String {
    let (_, out, _) = run(&["decode", "--json", token]);
    json(&out)["header"]["alg"]
        .as_str()
        .expect("alg")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_to_rs256_is_advertised_by_the_running_server() {
    let dir = scratch();
    let jot = Jot::start_in(&dir, None, &["--client", SVC], &[]);
    let client = http();
    let discovery = format!("{}/.well-known/openid-configuration", jot.url);
    let algs = |doc: &Value| -> Vec<String> {
        doc["id_token_signing_alg_values_supported"]
            .as_array()
            .expect("an array")
            .iter()
            .map(|a| a.as_str().expect("a string").to_owned())
            .collect()
    };
    assert_eq!(algs(&get_json(&discovery).await), ["ES256"]);
    let before = token(&client, &jot.url, "svc", "svc-secret-123").await;
    assert_eq!(alg(&before), "ES256");

    let data = dir.join("jot-data");
    // A planned rotation publishes the RS256 key first: discovery lists it as soon
    // as the server reloads its keys, while tokens are still signed with ES256.
    let (code, out, err) = run(&[
        "rotate-key",
        "--alg",
        "RS256",
        "--data-dir",
        path_str(&data),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("next RS256 key"), "{out}");
    let published = wait_for_algs(&discovery, algs, |a| a.iter().any(|x| x == "RS256")).await;
    assert!(published.contains(&"ES256".to_owned()), "{published:?}");
    let during = token(&client, &jot.url, "svc", "svc-secret-123").await;
    assert_eq!(alg(&during), "ES256");

    // The emergency switch signs with RS256 at once (from the next tick on).
    let (code, out, err) = run(&[
        "rotate-key",
        "--now",
        "--alg",
        "RS256",
        "--data-dir",
        path_str(&data),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("new RS256 key"), "{out}");
    let advertised = wait_for_algs(&discovery, algs, |a| {
        a.first().map(String::as_str) == Some("RS256")
    })
    .await;
    // The old key stays published until its tokens expire: both, current first.
    assert_eq!(advertised, ["RS256", "ES256"]);
    let after = token(&client, &jot.url, "svc", "svc-secret-123").await;
    assert_eq!(alg(&after), "RS256");
    let oauth = get_json(&format!(
        "{}/.well-known/oauth-authorization-server",
        jot.url
    ))
    .await;
    assert_eq!(algs(&oauth), ["RS256", "ES256"]);
}

/// Polls discovery (the server reloads its keys every 30 s) until `done` holds for
/// its algorithms, for at most 90 s.
async fn wait_for_algs(
    discovery: &str,
    algs: impl Fn(&Value) -> Vec<String>,
    done: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let advertised = algs(&get_json(discovery).await);
        if done(&advertised) {
            return advertised;
        }
        assert!(
            Instant::now() < deadline,
            "discovery still says {advertised:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Every path under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            out.push(
                path.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn rotate_key_never_makes_an_issuer() {
    let root = scratch();
    // A mistyped directory: exit 2, nothing created.
    let typo = root.join("jot-dtaa");
    let (code, out, err) = run(&["rotate-key", "--data-dir", path_str(&typo)]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("no issuer at") && err.contains("no data directory"),
        "{err}"
    );
    assert!(err.contains("jot serve"), "{err}");
    assert!(!typo.exists(), "rotate-key created {}", typo.display());

    // A directory that is not an issuer's: left as it is.
    let empty = root.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, err) = run(&["rotate-key", "--data-dir", path_str(&empty)]);
    assert_eq!(code, 2, "{err}");
    assert!(tree(&empty).is_empty(), "{:?}", tree(&empty));

    // A data directory with users but no key yet (`jot user add` before the
    // first `jot serve`): no key is made.
    let users = root.join("users-only");
    std::fs::create_dir(&users).unwrap();
    let out = crate::harness::jot()
        .args(["user", "add", "alice", "--password-env", "PW", "--data-dir"])
        .arg(&users)
        .env("PW", "correct horse battery")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let before = tree(&users);
    let (code, _, err) = run(&["rotate-key", "--data-dir", path_str(&users)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no signing key"), "{err}");
    assert_eq!(tree(&users), before);
}

/// The kid of the current key, from a token.
fn kid(token: &str) -> String {
    let (_, out, _) = run(&["decode", "--json", token]);
    json(&out)["header"]["kid"]
        .as_str()
        .expect("kid")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_private_key_stops_the_start_unless_told_to_rotate() {
    let dir = scratch();
    let jot = Jot::start_in(&dir, None, &["--client", SVC], &[]);
    let client = http();
    let first = kid(&token(&client, &jot.url, "svc", "svc-secret-123").await);
    drop(jot);
    let keys = dir.join("jot-data/keys");
    for entry in std::fs::read_dir(&keys).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".key.pem") {
            std::fs::remove_file(path).unwrap();
        }
    }

    let serve = |extra: &[&str]| {
        crate::harness::jot()
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir.join("jot-data"))
            .args(extra)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    };
    let out = serve(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&first) && err.contains("lost its private key"),
        "{err}"
    );
    assert!(err.contains("--replace-missing-key"), "{err}");
    assert!(
        !std::fs::read_dir(&keys).unwrap().any(|e| e
            .unwrap()
            .path()
            .to_string_lossy()
            .ends_with(".key.pem")),
        "a refused start made no key"
    );

    // Told to, it rotates: a new key signs, the old public key stays published.
    for (config, args) in [
        (None, &["--replace-missing-key"][..]),
        (Some("replace_missing_key = true\n"), &[]),
    ] {
        let mut all = vec!["--client", SVC];
        all.extend_from_slice(args);
        let jot = Jot::start_in(&dir, config, &all, &[]);
        let kid = kid(&token(&client, &jot.url, "svc", "svc-secret-123").await);
        assert_ne!(kid, first);
        let jwks = get_json(&format!("{}/.well-known/jwks.json", jot.url)).await;
        let kids: Vec<_> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect();
        assert!(kids.contains(&kid) && kids.contains(&first), "{kids:?}");
        drop(jot);
        // The second round starts on a key with its private part: nothing to replace.
        for entry in std::fs::read_dir(&keys).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".key.pem") {
                std::fs::remove_file(path).unwrap();
            }
        }
    }
}
