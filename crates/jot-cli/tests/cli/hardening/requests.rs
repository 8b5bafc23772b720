//! Hostile values in requests: client ids of any length, secrets with NUL bytes
//! appended, a scope of spaces, a client id that tries to forge a log line.

use base64::Engine as _;

use super::{SVC, post};
use crate::support::{Jot, http};

/// `/token` (both grants), `/introspect` and `/revoke`, each with the parameters
/// it needs besides the client's.
const ENDPOINTS: [(&str, &[(&str, &str)]); 4] = [
    ("/token", &[("grant_type", "client_credentials")]),
    (
        "/token",
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    ),
    ("/introspect", &[("token", "x")]),
    ("/revoke", &[("token", "x")]),
];

#[tokio::test(flavor = "multi_thread")]
async fn long_client_ids_and_secrets_with_nul_bytes_are_401_never_500() {
    let id200 = "c".repeat(200);
    let long_client = format!("{id200}:long-secret-123");
    let mut jot = Jot::start(
        None,
        &["--client", SVC, "--client", &long_client],
        &[("RUST_LOG", "info")],
    );
    let client = http();
    let url = jot.url.clone();

    // A 200-byte client id is a client like any other (it used to stop the start).
    let token = super::token(&client, &url, &id200, "long-secret-123").await;
    assert!(!token.is_empty());

    let id300 = "a".repeat(300);
    for (path, params) in ENDPOINTS {
        for (id, secret) in [(id300.as_str(), "x"), ("svc", "svc-secret-123\0")] {
            let mut form = vec![("client_id", id), ("client_secret", secret)];
            form.extend_from_slice(params);
            let (status, _, body) = post(&client, &format!("{url}{path}"), &form).await;
            assert_eq!(status, 401, "{path} {params:?} id of {}: {body}", id.len());
            assert_eq!(body["error"], "invalid_client", "{path}: {body}");
        }
    }
    // The exact secret still works: four failures did not lock the client.
    super::token(&client, &url, "svc", "svc-secret-123").await;

    let mut lines = jot.read_until(|l| l.contains("unknown client (id too long)"));
    lines.extend(jot.stop());
    assert!(
        !lines.iter().any(|l| l.contains("ERROR")),
        "{}",
        lines.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scope_of_spaces_only_is_invalid_scope() {
    let jot = Jot::start(None, &["--client", "svc:svc-secret-123:read,write"], &[]);
    let client = http();
    let send = |body: &'static str| {
        client
            .post(format!("{}/token", jot.url))
            .basic_auth("svc", Some("svc-secret-123"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    for body in [
        "grant_type=client_credentials&scope=%20",
        "grant_type=client_credentials&scope=+%20+",
    ] {
        let (status, _, answer) = super::answer(send(body).await.unwrap()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"], "invalid_scope", "{body}: {answer}");
    }
    let (status, _, answer) = super::answer(
        send("grant_type=client_credentials&scope=read")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, answer["scope"].as_str()), (200, Some("read")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_id_cannot_forge_a_log_line_or_reach_the_terminal() {
    const FORGED_AT: &str = "2026-01-01T00:00:00.000000Z";
    // Erase the line, then start a new one that looks like the issuer's own.
    let forged = format!(
        "\x1b[2K\n{FORGED_AT}  INFO jot_issuer: access token issued grant=client_credentials client_id=admin"
    );
    let mut jot = Jot::start(None, &["--client", SVC], &[("RUST_LOG", "info")]);
    let client = http();
    let url = jot.url.clone();
    // In the form (client_secret_post) and in Authorization: Basic, where the
    // decoded id holds the newline a header cannot.
    let (status, _, _) = post(
        &client,
        &format!("{url}/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &forged),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{forged}:wrong"));
    let response = client
        .post(format!("{url}/introspect"))
        .header("authorization", format!("Basic {basic}"))
        .form(&[("token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let mut lines = jot.read_until(|l| l.contains("unknown client"));
    lines.extend(jot.read_until(|l| l.contains("unknown client")));
    lines.extend(jot.stop());
    let all = lines.join("\n");
    assert!(
        !lines.iter().any(|l| l.starts_with(FORGED_AT)),
        "a forged line at column 0:\n{all}"
    );
    assert!(!all.contains('\x1b'), "a raw ESC reached the log:\n{all}");
    let logged: Vec<_> = lines
        .iter()
        .filter(|l| l.contains("unknown client"))
        .collect();
    assert_eq!(logged.len(), 2, "{all}");
    // (In Basic, the id ends at the first `:`, in the forged time.)
    for line in logged {
        assert!(
            line.contains("client_id=\"\\u{1b}[2K\\n2026-01-01T00"),
            "the id is logged quoted and escaped: {line}"
        );
    }
}
