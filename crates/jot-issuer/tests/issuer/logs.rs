//! Log forging: whatever a client sends (a client id, a parameter name, a
//! username), the log shows it escaped inside one field of one line, clipped
//! when nobody authenticated it.

use jot_issuer::{Login, store::MemoryStore};

use crate::browser::{Browser, start_login_on};
use crate::support::{Auth, capture_logs};

/// A newline and a fake event: what an attacker would like a terminal or a log
/// file to show as a line of its own.
const FORGED: &str = "x\n2026-01-01T00:00:00.000000Z  INFO jot_issuer: access token issued grant=\"client_credentials\" client_id=admin\x1b[2K\x1b[1A";

#[tokio::test]
async fn client_values_cannot_forge_log_lines() {
    let (logs, _guard) = capture_logs();
    let issuer = start_login_on(MemoryStore::new(), |b| b.login(Login::new())).await;
    let form = |pairs: &[(&str, &str)]| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    for path in ["/token", "/introspect", "/revoke"] {
        let reply = issuer
            .post(
                path,
                &form(&[
                    ("grant_type", "client_credentials"),
                    ("token", "t"),
                    ("client_id", FORGED),
                    ("client_secret", "guess"),
                ]),
                Auth::None,
            )
            .await;
        reply.assert_error(401, "invalid_client");
    }
    // A parameter name, repeated, comes back in the (debug-logged) error.
    issuer
        .post("/token", &form(&[(FORGED, "1"), (FORGED, "2")]), Auth::None)
        .await
        .assert_error(400, "invalid_request");
    // A username at the login form.
    let browser = Browser::new(&issuer);
    let page = browser.login_page().await;
    assert_eq!(
        browser.submit_login(&page, FORGED, "guess").await.status,
        200
    );

    let text = logs.text();
    // The attempts were logged…
    assert!(text.contains("unknown client"), "{text}");
    assert!(text.contains("login failed"), "{text}");
    assert!(text.contains("request refused"), "{text}");
    // …each on its own line, escaped: no raw escape byte, no forged line.
    assert!(!text.contains('\x1b'), "{text:?}");
    for line in text.lines() {
        assert!(!line.starts_with("2026-01-01"), "forged line: {line:?}");
        assert!(
            !(line.contains("access token issued") && line.contains("client_id=admin")),
            "forged event: {line:?}"
        );
    }
    // The unauthenticated value is clipped: the end of FORGED never shows.
    assert!(!text.contains("[2K"), "{text}");
    assert!(text.contains(r#"client_id="x\n2026-01-01"#), "{text}");
}
