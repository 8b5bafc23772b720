//! Private keys at rest through the real binary: `jot keygen kek`, `jot serve
//! --kek-file` sealing a data directory's keys (and refusing to start without
//! the KEK, or with another), `jot rotate-kek` on a data directory and on
//! PostgreSQL, and `jot rotate-key` with its `--now` and `--drop-old`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use jot_test_support::postgres;

use crate::harness::{path_str, scratch, split};
use crate::support::Jot;

/// `jot args…` with a cleaned environment plus `env`: (code, stdout, stderr).
fn jot(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_jot"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("jot runs");
    split(out)
}

/// A new KEK in a file of `dir` (by `jot keygen kek --out`).
fn kek_file(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let (code, out, err) = jot(&["keygen", "kek", "--out", path_str(&path)], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.starts_with("KEK ") && err.contains(name), "{err}");
    path
}

/// The private key files of a data directory.
fn key_files(data: &Path) -> Vec<String> {
    std::fs::read_dir(data.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".key.pem"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

const SEALED: &str = "-----BEGIN JOT SEALED PRIVATE KEY-----";

#[test]
fn keygen_kek_prints_32_random_bytes_or_writes_a_private_file() {
    let (code, first, err) = jot(&["keygen", "kek"], &[]);
    assert_eq!(code, 0, "{err}");
    let first = first.strip_suffix('\n').expect("one line");
    assert_eq!(first.len(), 43, "{first}");
    assert!(
        first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "base64url: {first}"
    );
    let (_, second, _) = jot(&["keygen", "KEK"], &[]);
    assert_ne!(first, second.trim(), "random");

    let dir = scratch();
    let path = kek_file(&dir, "kek");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap().trim().len(), 43);
    let (code, _, err) = jot(&["keygen", "kek", "--out", path_str(&path)], &[]);
    assert_eq!(code, 2, "never overwritten without --force: {err}");
    for flag in [
        &["--kid", "x"][..],
        &["--format", "pem"],
        &["--bits", "2048"],
    ] {
        let mut args = vec!["keygen", "kek"];
        args.extend_from_slice(flag);
        let (code, _, err) = jot(&args, &[]);
        assert_eq!(code, 2, "{flag:?}");
        assert!(
            err.contains("does not apply to a key-encryption key"),
            "{err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_directory_sealed_by_kek_file_needs_it_and_rotate_kek_moves_it() {
    let dir = scratch();
    let (old, new) = (kek_file(&dir, "old.kek"), kek_file(&dir, "new.kek"));
    let data = dir.join("jot-data");
    let data_dir = path_str(&data);

    // Started with the KEK: the private key on disk is sealed, tokens flow.
    let server = Jot::start_in(&dir, None, &["--kek-file", path_str(&old)], &[]);
    let files = key_files(&data);
    assert_eq!(files.len(), 1);
    assert!(files[0].starts_with(SEALED), "{}", files[0]);
    drop(server);

    // A planned rotation needs the KEK too; the next key is sealed with it.
    let (code, _, err) = jot(&["rotate-key", "--data-dir", data_dir], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("sealed with a key-encryption key"), "{err}");
    let (code, out, err) = jot(
        &[
            "rotate-key",
            "--data-dir",
            data_dir,
            "--kek-file",
            path_str(&old),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("next ES256 key"), "{out}");
    assert!(key_files(&data).iter().all(|f| f.starts_with(SEALED)));
    assert_eq!(key_files(&data).len(), 2);

    // Without the KEK, or with another, jot serve stops with the reason.
    let start = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir];
        args.extend_from_slice(extra);
        jot(&args, env)
    };
    let (code, _, err) = start(&[], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("is sealed with a key-encryption key"), "{err}");
    let (code, _, err) = start(&[], &["--kek-file", path_str(&new)]);
    assert_eq!(code, 2);
    assert!(err.contains("not with the KEK given"), "{err}");

    // jot rotate-kek: the new KEK is required; the keys move to it.
    let (code, _, err) = jot(
        &[
            "rotate-kek",
            "--data-dir",
            data_dir,
            "--kek-file",
            path_str(&old),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--new-kek-file") && err.contains("JOT_NEW_KEK"),
        "{err}"
    );
    let new_text = std::fs::read_to_string(&new).unwrap();
    let (code, out, err) = jot(
        &[
            "rotate-kek",
            "--data-dir",
            data_dir,
            "--kek-file",
            path_str(&old),
        ],
        &[("JOT_NEW_KEK", new_text.trim())],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("2 private key(s) sealed under KEK "),
        "{out}"
    );
    // Again: nothing left to do.
    let (code, out, _) = jot(
        &[
            "rotate-kek",
            "--data-dir",
            data_dir,
            "--kek-file",
            path_str(&old),
            "--new-kek-file",
            path_str(&new),
        ],
        &[],
    );
    assert_eq!(code, 0);
    assert!(
        out.starts_with("0 private key(s)") && out.contains("(2 already were)"),
        "{out}"
    );
    let (code, _, err) = start(&[], &["--kek-file", path_str(&old)]);
    assert_eq!(code, 2, "the old KEK opens nothing any more: {err}");
    let server = Jot::start_in(&dir, None, &[], &[("JOT_KEK", new_text.trim())]);
    drop(server);

    // --drop-old goes with --now only.
    let (code, _, err) = jot(
        &["rotate-key", "--data-dir", data_dir, "--drop-old"],
        &[("JOT_KEK", new_text.trim())],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--now"), "{err}");
    let (code, out, err) = jot(
        &["rotate-key", "--data-dir", data_dir, "--now", "--drop-old"],
        &[("JOT_KEK", new_text.trim())],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("signs now") && out.contains("removed from the JWK Set"),
        "{out}"
    );
    let published = std::fs::read_dir(data.join("keys"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert_eq!(published, 1, "the next key dropped, the old key removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_kek_on_postgres_through_the_binary() {
    let db = postgres::shared().database();
    let dir = scratch();
    let (old, new) = (kek_file(&dir, "old.kek"), kek_file(&dir, "new.kek"));
    let server = Jot::start_with(&["--store", db.url(), "--kek-file", path_str(&old)], &[]);
    drop(server);
    let sealed = || {
        db.psql(&format!(
            "SELECT count(*) FROM jot_keys WHERE private_pem LIKE '{SEALED}%'"
        ))
    };
    assert_eq!(sealed(), "1");
    let (code, out, err) = jot(
        &[
            "rotate-kek",
            "--store",
            db.url(),
            "--kek-file",
            path_str(&old),
            "--new-kek-file",
            path_str(&new),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let new_id = kek_id(&new);
    assert!(
        out.starts_with(&format!("1 private key(s) sealed under KEK {new_id} ")),
        "{out}"
    );
    assert_eq!(sealed(), "1");
    let (code, _, err) = jot(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--store",
            db.url(),
            "--kek-file",
            path_str(&old),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("not with the KEK given"), "{err}");
    let server = Jot::start_with(&["--store", db.url(), "--kek-file", path_str(&new)], &[]);
    drop(server);
}

/// The id `jot` prints for the KEK in `file`.
fn kek_id(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    jot_issuer::kek::Kek::from_base64url(&text).unwrap().id()
}
