//! `jot verify --jwks URL` against a tiny HTTP server on 127.0.0.1.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

use crate::harness::{keys, ok, run, token};

/// Serves `jwks` at /jwks.json, 2 MiB at /big (with and without Content-Length),
/// and 404 elsewhere, until the test process ends. Returns the base URL.
fn serve(jwks: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
            let big = "x".repeat(2 * 1024 * 1024);
            let response = match path.as_str() {
                "/jwks.json" => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{jwks}",
                    jwks.len()
                ),
                "/big" => format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{big}",
                    big.len()
                ),
                "/big-unsized" => format!("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{big}"),
                _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned(),
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    base
}

#[test]
fn fetches_a_local_jwks_once() {
    let k = keys();
    let jwks = ok(&["jwk", "set", &k.public("ES256"), &k.public("EdDSA")]);
    let base = serve(jwks);
    let url = format!("{base}/jwks.json");
    for alg in ["ES256", "EdDSA"] {
        let t = token(alg, &["--sub", "remote"]);
        let (code, out, err) = run(&["verify", "--jwks", &url, &t]);
        assert_eq!(code, 0, "{alg}: {err}");
        assert!(out.contains("remote"));
    }
    // A token signed by a key the set lacks is rejected (exit 1), not an error.
    let t = token("ES384", &[]);
    let (code, _, err) = run(&["verify", "--jwks", &url, &t]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn fetch_failures_are_errors() {
    let base = serve(String::from("{}"));
    let t = token("ES256", &[]);
    for (path, needle) in [
        ("/big", "larger than 1048576 bytes"),
        ("/big-unsized", "larger than 1048576 bytes"),
        ("/missing", "HTTP 404"),
        ("/jwks.json", "not a JWK Set"),
    ] {
        let url = format!("{base}{path}");
        let (code, _, err) = run(&["verify", "--jwks", &url, &t]);
        assert_eq!(code, 2, "{path}: {err}");
        assert!(err.contains(needle), "{path}: expected {needle:?} in {err}");
    }
    let (code, _, err) = run(&["verify", "--jwks", "http://example.com/jwks.json", &t]);
    assert_eq!(code, 2);
    assert!(err.contains("use https"), "{err}");
}
