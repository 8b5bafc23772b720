//! `jot serve` against what an attacker on the network sends, through the real
//! binary on 127.0.0.1: hostile client ids, secrets, scopes and log lines
//! (`requests`), slow senders and a full server (`connections`), wrong secrets in
//! parallel (`starvation`), keys and rotation (`keys`), and the policies between
//! clients (`policies`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use reqwest::header::HeaderMap;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

mod connections;
mod keys;
mod policies;
mod requests;
mod starvation;

/// The client most tests register: `--client svc:svc-secret-123`.
const SVC: &str = "svc:svc-secret-123";

/// POSTs `form` to `url` (`client_secret_post` when the form names the client):
/// (status, headers, JSON body or `Null`).
async fn post(
    client: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> (u16, HeaderMap, Value) {
    let response = client
        .post(url)
        .form(form)
        .send()
        .await
        .expect("the server answers");
    answer(response).await
}

/// (status, headers, JSON body or `Null`) of a response.
async fn answer(response: reqwest::Response) -> (u16, HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a body");
    (
        status,
        headers,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

/// An access token for `id`/`secret` by `client_credentials`.
async fn token(client: &reqwest::Client, url: &str, id: &str, secret: &str) -> String {
    let (status, _, body) = post(
        client,
        &format!("{url}/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// The address of an issuer URL (`http://127.0.0.1:PORT`).
fn socket_addr(url: &str) -> SocketAddr {
    url.strip_prefix("http://")
        .and_then(|a| a.parse().ok())
        .expect("an http://IP:PORT URL")
}

/// A loopback source address: `127.0.0.N` on Linux, where all of 127/8 is
/// loopback (so that the per-address throttling sees many clients), else
/// `127.0.0.1`.
fn loopback(n: u8) -> IpAddr {
    if cfg!(target_os = "linux") {
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, n.max(1)))
    } else {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    }
}

/// Sends `request` (a whole HTTP/1.1 request with `Connection: close`) from
/// `from` and returns the status of the answer (0 if none).
async fn raw_status(addr: SocketAddr, from: IpAddr, request: &[u8]) -> u16 {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.bind(SocketAddr::new(from, 0)).expect("bind");
    let Ok(mut stream) = socket.connect(addr).await else {
        return 0;
    };
    if stream.write_all(request).await.is_err() {
        return 0;
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response)
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}
