//! `jot serve` end to end: start the real binary on 127.0.0.1, follow what its banner
//! prints (a token from the token endpoint, `jot verify --jwks`), rotate the key with
//! `jot rotate-key --now` and check both tokens, then stop it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use crate::harness::{json, path_str, run, scratch};

/// The server process; killed when dropped so a failing test leaves nothing behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `jot serve` and reads its banner: (server, issuer URL, client id, secret).
fn start(data_dir: &str) -> (Server, String, String, String) {
    start_with(data_dir, &[])
}

/// [`start`] with more flags.
fn start_with(data_dir: &str, extra: &[&str]) -> (Server, String, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jot"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jot serve starts");
    let lines = banner_lines(&mut child);
    let server = Server(child);
    let (mut url, mut id, mut secret) = (None, None, None);
    loop {
        let line = next_line(&lines);
        if let Some(rest) = line.strip_prefix("jot issuer ") {
            url = rest.split_whitespace().next().map(String::from);
        } else if let Some(rest) = line.trim().strip_prefix("client_id:") {
            id = Some(rest.trim().to_owned());
        } else if let Some(rest) = line.trim().strip_prefix("client_secret:") {
            secret = Some(rest.trim().to_owned());
        }
        if line.contains("jot verify --jwks") {
            break;
        }
    }
    (
        server,
        url.expect("banner names the issuer URL"),
        id.expect("banner names the development client"),
        secret.expect("banner shows the client secret once"),
    )
}

/// `curl -s -u ID:SECRET -d grant_type=client_credentials URL/token`, by hand.
fn token(url: &str, id: &str, secret: &str) -> String {
    let authority = url.strip_prefix("http://").expect("http URL");
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{id}:{secret}"),
    );
    let body = "grant_type=client_credentials";
    let mut stream = TcpStream::connect(authority).expect("connect to the issuer");
    write!(
        stream,
        "POST /token HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Basic {basic}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let (_, body) = response.split_once("\r\n\r\n").expect("headers end");
    json(body)["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

fn verify(url: &str, token: &str) -> (i32, String, String) {
    let jwks = format!("{url}/.well-known/jwks.json");
    run(&[
        "verify", "--jwks", &jwks, "--iss", url, "--aud", url, "--typ", "at+jwt", "--json", token,
    ])
}

#[test]
fn banner_commands_work_and_rotation_keeps_old_tokens_valid() {
    let dir = scratch().join("jot-data");
    let data_dir = path_str(&dir);
    let (server, url, id, secret) = start(data_dir);

    let first = token(&url, &id, &secret);
    let (code, out, err) = verify(&url, &first);
    assert_eq!(code, 0, "{err}");
    let verified = json(&out);
    assert_eq!(verified["header"]["typ"], "at+jwt");
    assert_eq!(verified["claims"]["client_id"], id.as_str());
    assert_eq!(verified["claims"]["iss"], url.as_str());

    // A wrong secret is refused, and a token from elsewhere does not verify.
    let (code, _, _) = verify(&url, &format!("{first}x"));
    assert_eq!(code, 1);

    // A planned rotation publishes a next key, which a restart does not sign with
    // before its time; `--now` replaces the key at once.
    let (code, out, err) = run(&["rotate-key", "--data-dir", data_dir]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("next ES256 key ") && out.contains("stays published"),
        "{out}"
    );
    let (code, out, err) = run(&["rotate-key", "--data-dir", data_dir, "--now"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("signs now") && out.contains("stays published"),
        "{out}"
    );
    drop(server);

    // Restarted on the same data dir: same client, the new key signs, the old token
    // still verifies (its key stays published until it expires).
    let (_server, url2, _, _) = start_existing(data_dir);
    let second = token(&url2, &id, &secret);
    let kid = |t: &str| {
        let (_, out, _) = run(&["decode", "--json", t]);
        json(&out)["header"]["kid"]
            .as_str()
            .expect("kid")
            .to_owned()
    };
    assert_ne!(kid(&first), kid(&second));
    assert_eq!(verify(&url2, &second).0, 0);
    // The first token names the first server's URL as issuer: check it against that.
    let jwks = format!("{url2}/.well-known/jwks.json");
    let (code, _, err) = run(&[
        "verify", "--jwks", &jwks, "--iss", &url, "--aud", &url, "--typ", "at+jwt", &first,
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn token_lifetime_takes_the_duration_grammar() {
    let dir = scratch().join("jot-data");
    let (_server, url, id, secret) = start_with(path_str(&dir), &["--token-lifetime", "1h30m"]);
    let t = token(&url, &id, &secret);
    let (_, out, _) = run(&["decode", "--json", &t]);
    let claims = &json(&out)["claims"];
    let (exp, iat) = (
        claims["exp"].as_u64().unwrap(),
        claims["iat"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, 5400, "1h30m is 90 minutes");
    // Ambiguous: refused before the server starts (a server that started anyway is
    // stopped by the timeout, and the test fails).
    let out = crate::harness::jot()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            path_str(&dir),
        ])
        .args(["--token-lifetime", "1h30"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("1h30m or 1h30s"), "{err}");
}

/// A restart on a data dir that already has a client prints no secret.
fn start_existing(data_dir: &str) -> (Server, String, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jot"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir])
        .env_clear()
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jot serve starts");
    let lines = banner_lines(&mut child);
    let server = Server(child);
    let url = loop {
        let line = next_line(&lines);
        assert!(
            !line.contains("client_secret"),
            "a secret is printed only once: {line}"
        );
        if let Some(rest) = line.strip_prefix("jot issuer ") {
            break rest.split_whitespace().next().expect("URL").to_owned();
        }
    };
    (server, url, String::new(), String::new())
}

/// Reads the server's stderr on a thread (which keeps draining it, so the server never
/// blocks on a full pipe) and hands the lines over a channel.
fn banner_lines(child: &mut Child) -> Receiver<String> {
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// The next banner line, or a failure (not a hang) when the server says nothing.
fn next_line(lines: &Receiver<String>) -> String {
    lines
        .recv_timeout(Duration::from_secs(30))
        .expect("jot serve printed its banner within 30 s")
}
