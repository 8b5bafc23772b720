//! Interop with Authlib (Python), an OpenID Connect client library written
//! elsewhere: `authlib_client.py` runs discovery, code + PKCE + nonce, the login
//! form and the consent page, ID-token validation against the JWK Set, userinfo,
//! refresh and RP-initiated logout against the real `jot serve`, configured by a
//! config file that registers the client and the user.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::deps;
use crate::support::{Jot, free_port};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/login/authlib_client.py");

#[test]
fn authlib_completes_the_code_flow_and_validates_the_id_token() {
    if let Err(e) = deps::ensure_python(&[deps::AUTHLIB, deps::REQUESTS]) {
        panic!("the Authlib interop test needs Authlib and requests: {e}");
    }
    // A loopback redirect URI nobody listens on: the script reads the code from the
    // redirect and never follows it.
    let client_port = free_port();
    let redirect_uri = format!("http://127.0.0.1:{client_port}/callback");
    let post_logout = format!("http://127.0.0.1:{client_port}/");
    let config = format!(
        r#"
[[client]]
id = "authlib"
secret_env = "AUTHLIB_SECRET"
redirect_uris = ["{redirect_uri}"]
post_logout_redirect_uris = ["{post_logout}"]
scopes = ["openid", "profile", "email", "offline_access"]
first_party = false

[[user]]
username = "bob"
password = "bob's long password"
name = "Bob Example"
email = "bob@example.com"
email_verified = true
"#
    );
    let secret = "a client secret of the authlib client";
    let jot = Jot::start(Some(&config), &[], &[("AUTHLIB_SECRET", secret)]);
    let input = json!({
        "issuer": jot.url,
        "client_id": "authlib",
        "client_secret": secret,
        "redirect_uri": redirect_uri,
        "post_logout_redirect_uri": post_logout,
        "username": "bob",
        "password": "bob's long password",
    });

    let mut child = Command::new("python3")
        .arg(SCRIPT)
        .current_dir(jot.dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write the settings");
    let out = child.wait_with_output().expect("the script ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "authlib_client.py failed ({}):\n{stderr}\n{stdout}",
        out.status
    );
    let seen: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("the script printed no JSON ({e}): {stdout}"));

    assert_eq!(seen["discovery"], true);
    assert_eq!(
        seen["consent_shown"], true,
        "a third-party client asks consent"
    );
    let id_token = &seen["id_token"];
    assert_eq!(id_token["aud"], "authlib");
    assert_eq!(id_token["alg"], "ES256");
    assert_eq!(
        (id_token["nonce_ok"].clone(), id_token["at_hash_ok"].clone()),
        (json!(true), json!(true))
    );
    let sub = id_token["sub"].as_str().expect("a sub");
    assert!(
        !sub.is_empty() && sub != "bob",
        "sub is a stable random id, not the username"
    );
    let userinfo = &seen["userinfo"];
    assert_eq!(userinfo["sub"], sub);
    assert_eq!(userinfo["name"], "Bob Example");
    assert_eq!(userinfo["email"], "bob@example.com");
    assert_eq!(userinfo["email_verified"], true);
    assert_eq!(seen["refreshed"], true);
    assert_eq!(seen["logged_out"], true);
    assert_eq!(seen["refresh_after_logout"], "invalid_grant");
    drop(jot);
}
