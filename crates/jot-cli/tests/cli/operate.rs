//! `jot serve` as an operator runs it, through the real binary: `/healthz` and
//! `/readyz`, Prometheus metrics (off by default; `--metrics` on the main address,
//! `--admin-addr` on a listener of their own, or the config file), trusted
//! proxies (`--trusted-proxy`, `trusted_proxies`), and `--log-format json`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Jot, free_port, http};

const CLIENT: &str = "svc";
const SECRET: &str = "svc-secret-0123456789abcdef";
const CLIENT_ARG: &str = "svc:svc-secret-0123456789abcdef:read";

/// `POST /token` for `client_credentials` as `id`/`secret`, with extra headers:
/// the status.
async fn token_status(url: &str, id: &str, secret: &str, headers: &[(&str, &str)]) -> u16 {
    let mut request = http()
        .post(format!("{url}/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .send()
        .await
        .expect("the token endpoint answers")
        .status()
        .as_u16()
}

/// `GET url`: (status, content type, body).
async fn get(url: &str) -> (u16, String, String) {
    let response = http().get(url).send().await.expect("the server answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.text().await.unwrap_or_default(),
    )
}

/// The value of the series `name{labels}` in a scrape, 0 when absent.
fn series(scrape: &str, name: &str, labels: &str) -> f64 {
    let prefix = format!("{name}{{{labels}}} ");
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0.0, |v| v.trim().parse().expect("a number"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_are_served_and_metrics_are_off_by_default() {
    let jot = Jot::start(None, &["--client", CLIENT_ARG], &[]);
    assert_eq!(
        get(&format!("{}/healthz", jot.url)).await,
        (200, "text/plain; charset=utf-8".into(), "ok\n".into())
    );
    assert_eq!(get(&format!("{}/readyz", jot.url)).await.0, 200);
    assert_eq!(token_status(&jot.url, CLIENT, SECRET, &[]).await, 200);
    assert_eq!(get(&format!("{}/metrics", jot.url)).await.0, 404);

    // The data directory gone: alive, not ready.
    std::fs::remove_dir_all(jot.dir().join("jot-data")).expect("remove the data directory");
    assert_eq!(get(&format!("{}/readyz", jot.url)).await.0, 503);
    assert_eq!(get(&format!("{}/healthz", jot.url)).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_the_main_address_count_requests_tokens_and_failures() {
    let jot = Jot::start(None, &["--client", CLIENT_ARG, "--metrics"], &[]);
    for _ in 0..3 {
        assert_eq!(token_status(&jot.url, CLIENT, SECRET, &[]).await, 200);
    }
    assert_eq!(token_status(&jot.url, CLIENT, "wrong", &[]).await, 401);
    assert_eq!(get(&format!("{}/readyz", jot.url)).await.0, 200);

    let (status, content_type, scrape) = get(&format!("{}/metrics", jot.url)).await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let count = |name: &str, labels: &str| series(&scrape, name, labels);
    assert_eq!(
        count(
            "jot_issuer_http_requests_total",
            r#"endpoint="/token",status="200""#
        ),
        3.0,
        "{scrape}"
    );
    assert_eq!(
        count(
            "jot_issuer_http_requests_total",
            r#"endpoint="/token",status="401""#
        ),
        1.0
    );
    assert_eq!(
        count(
            "jot_issuer_http_requests_total",
            r#"endpoint="/readyz",status="200""#
        ),
        1.0
    );
    assert_eq!(
        count(
            "jot_issuer_tokens_issued_total",
            r#"grant="client_credentials""#
        ),
        3.0
    );
    assert_eq!(
        count(
            "jot_issuer_client_auth_failures_total",
            r#"reason="invalid""#
        ),
        1.0
    );
    assert!(
        count(
            "jot_issuer_store_operation_duration_seconds_count",
            r#"operation="get_client""#
        ) >= 4.0
    );
    assert!(
        count(
            "jot_issuer_http_request_duration_seconds_bucket",
            r#"endpoint="/token",le="+Inf""#
        ) >= 4.0
    );
    for help in [
        "# HELP jot_issuer_http_requests_total ",
        "# TYPE jot_issuer_http_request_duration_seconds histogram",
    ] {
        assert!(scrape.contains(help), "{help}: {scrape}");
    }
    // Bounded labels: no client id, no address.
    assert!(
        !scrape.contains(CLIENT) && !scrape.contains("127.0.0.1"),
        "{scrape}"
    );

    // The counters move with the next requests.
    assert_eq!(token_status(&jot.url, CLIENT, SECRET, &[]).await, 200);
    let (_, _, later) = get(&format!("{}/metrics", jot.url)).await;
    assert_eq!(
        series(
            &later,
            "jot_issuer_tokens_issued_total",
            r#"grant="client_credentials""#
        ),
        4.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_address_serves_metrics_and_health_and_nothing_else() {
    let admin = format!("127.0.0.1:{}", free_port());
    let jot = Jot::start(None, &["--client", CLIENT_ARG, "--admin-addr", &admin], &[]);
    let admin = format!("http://{admin}");
    assert_eq!(token_status(&jot.url, CLIENT, SECRET, &[]).await, 200);
    assert_eq!(get(&format!("{admin}/healthz")).await.0, 200);
    assert_eq!(get(&format!("{admin}/readyz")).await.0, 200);
    let (status, _, scrape) = get(&format!("{admin}/metrics")).await;
    assert_eq!(status, 200);
    assert_eq!(
        series(
            &scrape,
            "jot_issuer_tokens_issued_total",
            r#"grant="client_credentials""#
        ),
        1.0,
        "{scrape}"
    );
    // Not on the main address (no --metrics); the admin address serves no issuer.
    assert_eq!(get(&format!("{}/metrics", jot.url)).await.0, 404);
    assert_eq!(get(&format!("{admin}/.well-known/jwks.json")).await.0, 404);
}

/// Whether more wrong secrets from the address `headers` forward are answered 429
/// within three tries. Locks are counted in whole seconds, so the first 1 s lock may
/// already be over when the next request's second begins; the failure that then
/// gets through doubles the lock, and the try after it is refused.
async fn throttled_soon(url: &str, headers: &[(&str, &str)]) -> bool {
    for i in 0..3 {
        let id = format!("guess-late-{i}");
        if token_status(url, &id, "wrong", headers).await == 429 {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_believed_from_trusted_proxies_only() {
    // The test client connects from 127.0.0.1: a trusted proxy here.
    let trusting = Jot::start(
        None,
        &["--client", CLIENT_ARG, "--trusted-proxy", "127.0.0.1/32"],
        &[],
    );
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    // Twenty failures per client address are free (new client ids each time).
    for i in 0..21 {
        let id = format!("guess-{i}");
        assert_eq!(
            token_status(&trusting.url, &id, "wrong", &from("6.6.6.6, 203.0.113.7")).await,
            401
        );
    }
    assert!(
        throttled_soon(&trusting.url, &from("203.0.113.7")).await,
        "the forwarded client address is throttled"
    );
    assert_eq!(
        token_status(&trusting.url, CLIENT, SECRET, &from("203.0.113.8")).await,
        200,
        "another client address is not"
    );
    assert_eq!(
        token_status(&trusting.url, "guess-y", "wrong", &from("6.6.6.6")).await,
        401,
        "the spoofed left entry was never counted"
    );

    // The config file's list names other proxies: the header is ignored, the
    // peer's own address is throttled whatever it forwards.
    let config = "trusted_proxies = [\"10.0.0.0/8\"]\n";
    let other = Jot::start(Some(config), &["--client", CLIENT_ARG], &[]);
    for i in 0..21 {
        let ip = format!("192.0.2.{i}");
        let headers = [("x-forwarded-for", ip.as_str())];
        assert_eq!(
            token_status(&other.url, &format!("guess-{i}"), "wrong", &headers).await,
            401
        );
    }
    assert!(throttled_soon(&other.url, &from("192.0.2.250")).await);

    // A block that is not one is refused at start, naming it.
    let empty = tempfile::tempdir().expect("a temporary directory");
    let out = Command::new(env!("CARGO_BIN_EXE_jot"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--trusted-proxy",
            "10.0.0.1/8",
        ])
        .env_clear()
        .current_dir(empty.path())
        .output()
        .expect("jot runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid trusted proxy \"10.0.0.1/8\""),
        "{err}"
    );
}

#[test]
fn json_logs_are_one_object_a_line_around_the_human_banner() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jot"))
        .args(["serve", "--addr", "127.0.0.1:0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(dir.path().join("jot-data"))
        .env_clear()
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jot serve starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut lines = Vec::new();
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no \"issuer listening\" line:\n{}", lines.join("\n")));
        let done = line.contains("issuer listening");
        lines.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();

    // The banner: one block of human lines; every other line a JSON event.
    let human: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].starts_with('{'))
        .collect();
    let (first, last) = (human[0], human[human.len() - 1]);
    assert_eq!(
        last - first + 1,
        human.len(),
        "one block:\n{}",
        lines.join("\n")
    );
    assert!(
        lines[first..=last]
            .iter()
            .any(|l| l.starts_with("jot issuer http://127.0.0.1:")),
        "{}",
        lines.join("\n")
    );
    let events: Vec<Value> = lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        first > 0,
        "events before the banner (the first key, the users)"
    );
    assert!(last + 1 < lines.len(), "events after it");
    for event in &events {
        assert!(event["level"].is_string(), "{event}");
        assert!(event["target"].is_string(), "{event}");
        assert!(event["fields"]["message"].is_string(), "{event}");
        assert!(event["timestamp"].is_string(), "{event}");
    }
    let listening = events.last().expect("an event");
    assert_eq!(listening["level"], "INFO");
    assert_eq!(listening["target"], "jot::serve");
    assert!(
        listening["fields"]["addr"]
            .as_str()
            .is_some_and(|a| a.starts_with("127.0.0.1:"))
    );
}

#[test]
fn the_config_file_turns_on_json_logs_and_the_admin_listener() {
    let admin = format!("127.0.0.1:{}", free_port());
    let config = format!("log_format = \"json\"\nadmin_addr = \"{admin}\"\n");
    let mut jot = Jot::start(Some(&config), &[], &[("RUST_LOG", "info")]);
    let after = jot.read_until(|line| line.contains("admin listener"));
    let events: Vec<Value> = after
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["fields"]["message"] == "issuer listening"),
        "{after:?}"
    );
    let announced = events.last().expect("an event");
    assert_eq!(announced["fields"]["addr"], admin.as_str());
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (status, _, scrape) = runtime.block_on(get(&format!("http://{admin}/metrics")));
    assert_eq!(status, 200);
    // The store calls of the start were measured already.
    assert!(
        scrape
            .contains("jot_issuer_store_operation_duration_seconds_count{operation=\"load_keys\"}"),
        "{scrape}"
    );
}
