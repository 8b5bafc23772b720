//! `jot user …` on a data directory, alone and while `jot serve` runs on it (each
//! change seen by the next sign-in), and the users `jot serve` makes itself: the
//! development user of a first start, `--user NAME:PASSWORD`.

use std::path::Path;

use serde_json::Value;

use crate::harness::{path_str, scratch, split};
use crate::support::{Jot, sign_in};

/// `jot args…` with a cleaned environment plus `env`, and `stdin`: (code, out, err).
fn jot(args: &[&str], env: &[(&str, &str)], stdin: &str) -> (i32, String, String) {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_jot"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("jot runs");
    split(out)
}

/// `jot user SUBCOMMAND args… --data-dir DIR`.
fn user(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> (i32, String, String) {
    let mut all = vec!["user"];
    all.extend_from_slice(args);
    all.extend(["--data-dir", path_str(dir)]);
    jot(&all, env, stdin)
}

fn list(dir: &Path) -> Vec<Value> {
    let (code, out, err) = user(dir, &["list", "--json"], &[], "");
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Value>(&out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
        .as_array()
        .expect("an array")
        .clone()
}

fn named<'a>(users: &'a [Value], username: &str) -> Option<&'a Value> {
    users.iter().find(|u| u["username"] == username)
}

#[test]
fn user_commands_never_create_a_data_directory() {
    let missing = scratch().join("no-such-dir");
    for args in [
        &["add", "alice", "--password-env", "PW"][..],
        &["list"],
        &["passwd", "alice", "--password-env", "PW"],
        &["disable", "alice"],
        &["enable", "alice"],
        &["remove", "alice"],
    ] {
        let (code, out, err) = user(&missing, args, &[("PW", "long enough")], "");
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains("no data directory at") && err.contains("jot serve"),
            "{args:?}: {err}"
        );
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
    }
    // The default is ./jot-data, refused the same way when absent.
    let cwd = scratch();
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_jot"))
        .env_clear()
        .current_dir(&cwd)
        .args(["user", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("./jot-data"));
    assert!(!cwd.join("jot-data").exists());
}

#[test]
fn users_are_added_listed_changed_disabled_and_removed() {
    let dir = scratch().join("jot-data");
    std::fs::create_dir(&dir).unwrap();
    let secret = [("ALICE_PW", "correct horse battery")];

    let (code, out, err) = user(
        &dir,
        &[
            "add",
            "alice",
            "--password-env",
            "ALICE_PW",
            "--name",
            "Alice Example",
            "--email",
            "alice@example.com",
            "--email-verified",
        ],
        &secret,
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("added user alice (sub "), "{out}");
    assert!(
        !out.contains("correct horse"),
        "a given password is never printed"
    );

    // Refusals: exit 1 and a reason; the store is unchanged.
    for (args, env, stdin, why) in [
        (
            &["add", "alice", "--password-env", "ALICE_PW"][..],
            &secret[..],
            "",
            "exists",
        ),
        (
            &["add", "ALICE", "--password-env", "ALICE_PW"],
            &secret,
            "",
            "exists",
        ),
        (
            &["add", "shorty", "--password-stdin"],
            &[],
            "short\n",
            "password",
        ),
        (
            &["passwd", "nobody", "--password-env", "ALICE_PW"],
            &secret,
            "",
            "nobody",
        ),
        (&["disable", "nobody"], &[], "", "nobody"),
        (&["remove", "nobody"], &[], "", "nobody"),
    ] {
        let (code, out, err) = user(&dir, args, env, stdin);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains("refused"), "{args:?}: {err}");
        assert!(err.to_lowercase().contains(why), "{args:?}: {err}");
    }
    // Usage and setting errors: exit 2.
    let (code, _, err) = user(
        &dir,
        &["add", "dave", "--password-env", "UNSET_VAR"],
        &[],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("UNSET_VAR"), "{err}");
    let (code, _, err) = user(&dir, &["passwd", "alice"], &[], "");
    assert_eq!(code, 2, "passwd needs a password option: {err}");
    let (code, _, _) = user(
        &dir,
        &["add", "x", "--password-env", "A", "--password-stdin"],
        &[],
        "",
    );
    assert_eq!(code, 2, "one password source at a time");

    // No password option: a random one, printed once.
    let (code, out, err) = user(&dir, &["add", "bob"], &[], "");
    assert_eq!(code, 0, "{err}");
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("the generated password is printed")
        .to_owned();
    assert!(generated.len() >= 20, "{generated}");
    assert!(err.contains("shown only now"), "{err}");
    // From stdin: the first line, without its line ending.
    let (code, _, err) = user(
        &dir,
        &["add", "carol", "--password-stdin"],
        &[],
        "carol's password\r\nignored\n",
    );
    assert_eq!(code, 0, "{err}");

    let users = list(&dir);
    assert_eq!(users.len(), 3);
    let alice = named(&users, "alice").unwrap();
    assert_eq!(alice["name"], "Alice Example");
    assert_eq!(alice["email"], "alice@example.com");
    assert_eq!(alice["email_verified"], true);
    assert_eq!(alice["disabled"], false);
    let sub = alice["sub"].as_str().unwrap().to_owned();
    assert!(sub.len() >= 16 && sub != "alice", "a random sub: {sub}");
    assert_eq!(named(&users, "bob").unwrap()["name"], Value::Null);
    for user in &users {
        let keys: Vec<_> = user.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "disabled",
                "email",
                "email_verified",
                "name",
                "sub",
                "username"
            ],
            "never a password or hash"
        );
    }

    // The human list: a header and one aligned line per user.
    let (code, out, err) = user(&dir, &["list"], &[], "");
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("USERNAME") && lines[0].contains("EMAIL"),
        "{out}"
    );
    let alice_line = lines.iter().find(|l| l.starts_with("alice ")).unwrap();
    for part in [
        "Alice Example",
        "alice@example.com (verified)",
        "active",
        &sub,
    ] {
        assert!(alice_line.contains(part), "{alice_line}");
    }

    // Only argon2id hashes on disk, never a password.
    let on_disk = all_text(&dir);
    assert!(on_disk.contains("$argon2id$"), "argon2id hashes");
    for password in ["correct horse battery", &generated, "carol's password"] {
        assert!(!on_disk.contains(password), "{password} stored in clear");
    }

    let (code, out, err) = user(
        &dir,
        &["passwd", "alice", "--password-stdin"],
        &[],
        "a brand new password\n",
    );
    assert_eq!(
        (code, out.trim()),
        (0, "password of alice changed"),
        "{err}"
    );
    let (code, _, err) = user(&dir, &["disable", "alice"], &[], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(named(&list(&dir), "alice").unwrap()["disabled"], true);
    let (_, out, _) = user(&dir, &["list"], &[], "");
    assert!(
        out.lines()
            .any(|l| l.starts_with("alice ") && l.contains("disabled")),
        "{out}"
    );
    let (code, _, err) = user(&dir, &["enable", "alice"], &[], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(named(&list(&dir), "alice").unwrap()["disabled"], false);
    assert_eq!(
        named(&list(&dir), "alice").unwrap()["sub"],
        sub.as_str(),
        "sub is stable"
    );

    let (code, out, err) = user(&dir, &["remove", "bob"], &[], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("bob removed"), "{out}");
    let users = list(&dir);
    assert!(named(&users, "bob").is_none());
    assert_eq!(users.len(), 2);
    let (code, _, _) = user(&dir, &["remove", "bob"], &[], "");
    assert_eq!(code, 1, "removing twice is refused");
}

/// `jot user` changes a running server's data directory: the next sign-in sees them.
#[tokio::test(flavor = "multi_thread")]
async fn user_commands_work_while_jot_serve_runs() {
    let mut jot = Jot::start(None, &["--user", "erin:erin's first password"], &[]);
    let lines = jot.read_until(|l| l.contains("jot verify --jwks"));
    assert!(
        !lines.iter().any(|l| l.contains("development user")),
        "a user was given: no development user\n{}",
        lines.join("\n")
    );
    let data = jot.dir().join("jot-data");
    let url = jot.url.clone();
    let users = list(&data);
    assert_eq!(users.len(), 1, "{users:?}");
    assert!(sign_in(&url, "erin", "erin's first password").await.is_ok());

    let (code, _, err) = user(
        &data,
        &["add", "frank", "--password-env", "PW", "--name", "Frank"],
        &[("PW", "frank's password")],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let home = sign_in(&url, "frank", "frank's password")
        .await
        .expect("frank signs in");
    assert!(home.contains("Signed in as Frank"), "{home}");

    let (code, _, err) = user(
        &data,
        &["passwd", "frank", "--password-env", "PW"],
        &[("PW", "frank's new password")],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let refused = sign_in(&url, "frank", "frank's password")
        .await
        .unwrap_err();
    assert!(refused.contains("Wrong username or password"), "{refused}");
    assert!(sign_in(&url, "frank", "frank's new password").await.is_ok());

    let (code, _, err) = user(&data, &["disable", "frank"], &[], "");
    assert_eq!(code, 0, "{err}");
    let refused = sign_in(&url, "frank", "frank's new password")
        .await
        .unwrap_err();
    assert!(refused.contains("Wrong username or password"), "{refused}");

    let (code, _, err) = user(&data, &["remove", "erin"], &[], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        sign_in(&url, "erin", "erin's first password")
            .await
            .is_err()
    );
}

/// A first start with no user creates `dev` and prints its password once, with
/// the URL to open; signing in with it works; a restart prints no password.
#[tokio::test(flavor = "multi_thread")]
async fn first_start_prints_the_development_users_password_once() {
    let dir = scratch();
    let mut jot = Jot::start_in(&dir, None, &[], &[]);
    let banner = jot
        .read_until(|l| l.contains("jot verify --jwks"))
        .join("\n");
    let url = jot.url.clone();
    assert!(
        banner.contains(&format!("Home page and sign-in: {url}/")),
        "{banner}"
    );
    assert!(
        banner.contains("A development user was created"),
        "{banner}"
    );
    assert!(banner.contains("username: dev"), "{banner}");
    assert!(
        banner.contains(&format!("Open {url}/ in a browser and sign in")),
        "{banner}"
    );
    assert!(
        banner.contains("client_secret:"),
        "the development client too: {banner}"
    );
    let password = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("the password line")
        .to_owned();
    let home = sign_in(&url, "dev", &password).await.expect("dev signs in");
    assert!(
        home.contains("id=\"id-token\"")
            && home.contains("Signed in as Development User")
            && home.contains("dev@example.com"),
        "{home}"
    );
    drop(jot);

    let mut again = Jot::start_in(&dir, None, &[], &[]);
    let banner = again.read_until(|l| l.contains("JWKS:")).join("\n");
    assert!(!banner.contains("password"), "{banner}");
    let users = list(&dir.join("jot-data"));
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["username"], "dev");
}

/// Every file under `dir`, as one text.
fn all_text(dir: &Path) -> String {
    let mut text = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
            }
        }
    }
    text
}
