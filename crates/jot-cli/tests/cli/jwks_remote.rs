//! `jot verify --jwks URL` against a tiny HTTP server on 127.0.0.1.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

use crate::harness::{keys, ok, run, token};

/// Serves `jwks` at /jwks.json, a discovery document pointing to it, 2 MiB at /big (with and without Content-Length), a
/// redirect to a plain-HTTP URL of another host at /elsewhere, and 404 elsewhere, until the test process ends. Returns the base URL.
fn serve(jwks: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let returned = base.clone();
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
                "/.well-known/openid-configuration" => {
                    let doc = format!(r#"{{"issuer":"{base}","jwks_uri":"{base}/jwks.json"}}"#);
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{doc}",
                        doc.len()
                    )
                }
                "/jwks.json" => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{jwks}",
                    jwks.len()
                ),
                "/big" => format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{big}",
                    big.len()
                ),
                "/big-unsized" => format!("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{big}"),
                "/elsewhere" => "HTTP/1.1 302 Found\r\nLocation: http://example.com/jwks.json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned(),
                _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned(),
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    returned
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
        ("/missing", "HTTP status 404"),
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
    // Plain HTTP stays on this machine: a redirect elsewhere is not followed.
    let (code, _, err) = run(&["verify", "--jwks", &format!("{base}/elsewhere"), &t]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("request failed"), "{err}");
}

#[test]
fn secrets_in_a_remote_set_are_ignored() {
    let k = keys();
    let secret = std::fs::read_to_string(k.public("HS256")).unwrap();
    let set = format!(r#"{{"keys":[{}]}}"#, secret.trim());
    let url = format!("{}/jwks.json", serve(set.clone()));
    let t = token("HS256", &[]);
    // The same set from a file: the secret verifies (a local file is trusted).
    let dir = crate::harness::scratch();
    let file = dir.join("oct.jwks");
    std::fs::write(&file, &set).unwrap();
    let (code, _, err) = run(&["verify", "--jwks", crate::harness::path_str(&file), &t]);
    assert_eq!(code, 0, "{err}");
    // Published, it is no key at all: a JWK Set served over HTTP is public.
    let (code, _, err) = run(&["verify", "--jwks", &url, &t]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no usable key in the JWK Set"), "{err}");
}

#[test]
fn the_jwks_is_discovered_from_the_issuer() {
    let k = keys();
    let base = serve(ok(&["jwk", "set", &k.public("ES256")]));
    let issuer = format!("--iss={base}");
    let t = token("ES256", &[&issuer, "--sub", "found"]);
    // From the issuer's URL: it is then also the accepted issuer.
    let (code, out, err) = run(&["verify", "--issuer-url", &base, &t]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("found"));
    let other = token("ES256", &["--iss", "https://other.example"]);
    let (code, _, err) = run(&["verify", "--issuer-url", &base, &other]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("expected {base}, got https://other.example")),
        "{err}"
    );
    // From the discovery document's URL given to --jwks.
    let doc = format!("{base}/.well-known/openid-configuration");
    let (code, _, err) = run(&["verify", "--jwks", &doc, &t]);
    assert_eq!(code, 0, "{err}");
    // An issuer without a discovery document is an error.
    let (code, _, err) = run(&["verify", "--issuer-url", &format!("{base}/nowhere"), &t]);
    assert_eq!(code, 2, "{err}");
}
