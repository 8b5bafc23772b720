//! `jot serve --tls-cert --tls-key`: HTTPS on the real binary with a test CA made
//! by `openssl` — discovery, JWKS and a token over TLS, no plain HTTP on the TLS
//! port, the certificate replaced while serving, and a bad new pair refused while
//! the old one keeps serving.

use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::harness::{path_str, run_openssl};
use crate::support::Jot;

/// How often `jot serve` looks at the files, plus a margin.
const RELOAD_WITHIN: Duration = Duration::from_secs(2 + 6);

/// Makes a test CA in `dir` (`ca.pem`, `ca.key`).
fn make_ca(dir: &Path) {
    crate::deps::ensure_openssl().expect("openssl installed");
    run_openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=jot test CA",
        ],
    );
}

/// Makes `NAME.pem` (for 127.0.0.1, serial `serial`, subject `CN=NAME`, signed by
/// the CA) and its key `NAME.key` (PKCS#8) in `dir`.
fn make_server_cert(dir: &Path, name: &str, serial: &str) {
    let (key, csr, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    run_openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
    )
    .unwrap();
    run_openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            serial,
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            &pem,
        ],
    );
}

/// The DER of the first certificate in a PEM file.
fn der(path: &Path) -> Vec<u8> {
    CertificateDer::pem_file_iter(path)
        .unwrap()
        .next()
        .expect("a certificate")
        .unwrap()
        .to_vec()
}

/// Installs `from` in place of `to` atomically (a rename), so the server never
/// reads half a file.
fn replace(from: &Path, to: &Path) {
    let staged = to.with_extension("staged");
    std::fs::copy(from, &staged).unwrap();
    std::fs::rename(&staged, to).unwrap();
}

/// Does a TLS handshake with `addr` trusting only the CA, offering `h2` and
/// `http/1.1`: (the certificate the server presented, the protocol it chose).
fn handshake(addr: &str, ca: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(der(ca))).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)
            .expect("the TLS handshake completes");
    }
    let presented = conn.peer_certificates().expect("a certificate")[0].to_vec();
    (presented, conn.alpn_protocol().map(<[u8]>::to_vec))
}

/// Handshakes until the server presents `expected`, for at most [`RELOAD_WITHIN`].
fn wait_for_cert(addr: &str, ca: &Path, expected: &[u8]) {
    let deadline = Instant::now() + RELOAD_WITHIN;
    while handshake(addr, ca).0 != expected {
        assert!(
            Instant::now() < deadline,
            "the new certificate was not served within {RELOAD_WITHIN:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// An HTTPS client trusting only the test CA.
fn https(ca: &Path) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap()
}

/// Discovery, JWKS and a client_credentials token over HTTPS.
async fn issuer_works(client: &reqwest::Client, url: &str) {
    let discovery: serde_json::Value = client
        .get(format!("{url}/.well-known/openid-configuration"))
        .send()
        .await
        .expect("discovery over HTTPS")
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], url);
    assert!(
        discovery["token_endpoint"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let jwks: serde_json::Value = client
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!jwks["keys"].as_array().unwrap().is_empty());
    let token = client
        .post(format!("{url}/token"))
        .basic_auth("svc", Some("svc-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    let token: serde_json::Value = token.json().await.unwrap();
    assert_eq!(
        token["access_token"].as_str().unwrap().split('.').count(),
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn jot_serve_speaks_https_and_reloads_its_certificate() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    make_ca(dir);
    make_server_cert(dir, "first", "1");
    make_server_cert(dir, "second", "2");
    // The second key as SEC1 (`EC PRIVATE KEY`), the first stays PKCS#8.
    run_openssl(dir, &["ec", "-in", "second.key", "-out", "second.sec1.key"]);
    let sec1 = std::fs::read_to_string(dir.join("second.sec1.key")).unwrap();
    assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"), "{sec1}");
    let (cert, key, ca) = (
        dir.join("cert.pem"),
        dir.join("key.pem"),
        dir.join("ca.pem"),
    );
    std::fs::copy(dir.join("first.pem"), &cert).unwrap();
    std::fs::copy(dir.join("first.key"), &key).unwrap();

    let mut jot = Jot::start(
        None,
        &[
            "--tls-cert",
            path_str(&cert),
            "--tls-key",
            path_str(&key),
            "--client",
            "svc:svc-secret",
        ],
        &[],
    );
    let port = jot.url.rsplit(':').next().unwrap().to_owned();
    assert_eq!(
        jot.url,
        format!("https://127.0.0.1:{port}"),
        "{}",
        jot.banner
    );
    let addr = format!("127.0.0.1:{port}");
    let client = https(&ca);
    issuer_works(&client, &jot.url).await;
    let (presented, alpn) = handshake(&addr, &ca);
    assert_eq!(presented, der(&dir.join("first.pem")));
    assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]), "HTTP/1.1 only");

    // Plain HTTP on the TLS port gets no answer.
    let plain = reqwest::Client::new()
        .get(format!("http://{addr}/.well-known/openid-configuration"))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP was answered: {plain:?}");

    // A new pair (another serial and subject, a SEC1 key) is served soon after.
    replace(&dir.join("second.sec1.key"), &key);
    replace(&dir.join("second.pem"), &cert);
    let second = der(&dir.join("second.pem"));
    wait_for_cert(&addr, &ca, &second);
    issuer_works(&https(&ca), &jot.url).await;

    // A certificate without its key: an error is logged, the second pair stays.
    replace(&dir.join("first.pem"), &cert);
    let logged = jot.read_until(|line| line.contains("ERROR"));
    let error = logged.last().unwrap();
    assert!(error.contains("previous one is kept"), "{error}");
    assert_eq!(handshake(&addr, &ca).0, second);
    issuer_works(&https(&ca), &jot.url).await;

    // Fixing the key file brings the first pair back.
    replace(&dir.join("first.key"), &key);
    wait_for_cert(&addr, &ca, &der(&dir.join("first.pem")));
}

#[test]
fn a_certificate_without_its_key_or_half_the_flags_refuse_to_start() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    make_ca(dir);
    make_server_cert(dir, "one", "1");
    make_server_cert(dir, "two", "2");
    let data = dir.join("data");
    let serve = |args: &[&str]| {
        crate::harness::jot()
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--data-dir",
                path_str(&data),
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let out = serve(&[
        "--tls-cert",
        path_str(&dir.join("one.pem")),
        "--tls-key",
        path_str(&dir.join("two.key")),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("TLS") && stderr.contains("one.pem"),
        "{stderr}"
    );
    let out = serve(&["--tls-cert", path_str(&dir.join("one.pem"))]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("--tls-key"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_handshake_is_held_to_the_header_timeout_and_gives_up_its_place() {
    use std::io::{Read as _, Write as _};
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    make_ca(dir);
    make_server_cert(dir, "server", "1");
    let (cert, key, ca) = (
        dir.join("server.pem"),
        dir.join("server.key"),
        dir.join("ca.pem"),
    );
    let jot = Jot::start(
        None,
        &[
            "--tls-cert",
            path_str(&cert),
            "--tls-key",
            path_str(&key),
            "--client",
            "svc:svc-secret",
            "--header-timeout",
            "1s",
            "--max-connections",
            "1",
        ],
        &[],
    );
    let addr = jot.url.strip_prefix("https://").unwrap().to_owned();
    // A client that begins a handshake (half a record) and never finishes it is
    // closed at the header timeout.
    let mut stalled = TcpStream::connect(&addr).unwrap();
    stalled
        .write_all(&[0x16, 0x03, 0x01, 0x01, 0x00, 0x01])
        .unwrap();
    stalled
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    // Closed (end of stream or reset), not the 10 s read timeout.
    let read = stalled.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(5),
        "not closed in time: {read:?} after {waited:?}"
    );
    assert!(
        waited >= Duration::from_millis(800),
        "closed too early: {waited:?}"
    );
    // A silent connection in its handshake holds the only place; a real client
    // takes it over.
    let _silent = TcpStream::connect(&addr).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    issuer_works(&https(&ca), &jot.url).await;
}
