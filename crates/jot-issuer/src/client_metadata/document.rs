//! A fetched client metadata document, checked and turned into the public
//! [`ClientRecord`] the authorization code flow uses.

use serde_json::{Map, Value};

use super::ClientMetadataError;
use crate::redirect;
use crate::store::ClientRecord;

/// The most redirect URIs a document may list.
const MAX_REDIRECT_URIS: usize = 20;

/// Checks the document `body` fetched from `url` and returns its client:
/// public, with the document's redirect URIs, its name followed by the URL's
/// host, and the OpenID Connect scopes plus `extra_scopes` (narrowed to the
/// document's `scope`, when it has one).
pub(crate) fn client_record(
    url: &str,
    body: &[u8],
    extra_scopes: &[String],
    now: u64,
) -> Result<ClientRecord, ClientMetadataError> {
    let invalid = |reason| ClientMetadataError::Invalid { reason };
    let value: Value = serde_json::from_slice(body).map_err(|_| invalid("not JSON"))?;
    let doc = value.as_object().ok_or(invalid("not a JSON object"))?;
    if doc.get("client_id").and_then(Value::as_str) != Some(url) {
        return Err(ClientMetadataError::ClientIdMismatch);
    }
    if doc.contains_key("client_secret") || doc.contains_key("client_secret_expires_at") {
        return Err(ClientMetadataError::Confidential);
    }
    match doc.get("token_endpoint_auth_method") {
        None => {}
        Some(Value::String(method)) if method == "none" => {}
        Some(_) => return Err(ClientMetadataError::Confidential),
    }
    let redirect_uris = strings(doc, "redirect_uris").ok_or(invalid(
        "redirect_uris is missing or not an array of strings",
    ))?;
    if redirect_uris.is_empty() || redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(invalid("redirect_uris is empty or lists more than 20 URIs"));
    }
    for uri in &redirect_uris {
        redirect::check_registered(uri, None)
            .map_err(|_| invalid("a redirect URI is not usable (https, http on loopback, or a private-use scheme; no fragment)"))?;
    }
    if doc.contains_key("grant_types")
        && !strings(doc, "grant_types").is_some_and(|g| g.iter().any(|g| g == "authorization_code"))
    {
        return Err(invalid("grant_types does not include authorization_code"));
    }
    if doc.contains_key("response_types")
        && !strings(doc, "response_types").is_some_and(|r| r.iter().any(|r| r == "code"))
    {
        return Err(invalid("response_types does not include code"));
    }
    for key in ["client_uri", "logo_uri"] {
        if doc.get(key).is_some_and(|v| !v.is_string()) {
            return Err(invalid("client_uri and logo_uri are strings"));
        }
    }
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let name = match doc.get("client_name") {
        None => None,
        Some(Value::String(name))
            if !name.is_empty() && name.len() <= 128 && !name.chars().any(char::is_control) =>
        {
            // The host goes with the name, so a document cannot pass for another client.
            Some(format!("{name} ({host})"))
        }
        Some(_) => {
            return Err(invalid(
                "client_name is empty, longer than 128 bytes or has a control character",
            ));
        }
    };
    let mut scopes: Vec<String> = crate::oidc::STANDARD_SCOPES
        .iter()
        .map(|(s, _)| (*s).to_owned())
        .chain(extra_scopes.iter().cloned())
        .collect();
    match doc.get("scope") {
        None => {}
        Some(Value::String(asked)) => {
            let asked: Vec<&str> = asked.split(' ').filter(|s| !s.is_empty()).collect();
            scopes.retain(|s| asked.contains(&s.as_str()));
        }
        Some(_) => return Err(invalid("scope is not a string")),
    }
    Ok(ClientRecord {
        client_id: url.to_owned(),
        secret_hash: String::new(),
        scopes,
        audience: Vec::new(),
        created_at: now,
        name: name.or(Some(host)),
        public: true,
        redirect_uris,
        post_logout_redirect_uris: Vec::new(),
        first_party: false,
        introspect: false,
        token_exchange: false,
    })
}

/// A member that is an array of strings.
fn strings(doc: &Map<String, Value>, key: &str) -> Option<Vec<String>> {
    doc.get(key)?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const URL: &str = "https://app.example/client.json";

    fn check(doc: Value) -> Result<ClientRecord, ClientMetadataError> {
        client_record(URL, doc.to_string().as_bytes(), &["mcp".to_owned()], 7)
    }

    fn good() -> Value {
        json!({
            "client_id": URL,
            "client_name": "App",
            "redirect_uris": ["https://app.example/cb", "http://127.0.0.1/cb"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        })
    }

    #[test]
    fn a_good_document_is_a_public_client() {
        let client = check(good()).unwrap();
        assert!(client.public && !client.first_party);
        assert_eq!(client.client_id, URL);
        assert_eq!(client.name.as_deref(), Some("App (app.example)"));
        assert_eq!(
            client.redirect_uris,
            ["https://app.example/cb", "http://127.0.0.1/cb"]
        );
        assert_eq!(
            client.scopes,
            ["openid", "profile", "email", "offline_access", "mcp"]
        );
        assert!(client.secret_hash.is_empty());
        let mut narrowed = good();
        narrowed["scope"] = json!("openid mcp other");
        assert_eq!(check(narrowed).unwrap().scopes, ["openid", "mcp"]);
    }

    #[test]
    fn broken_rules_are_refused() {
        let with = |key: &str, value: Value| {
            let mut doc = good();
            doc[key] = value;
            check(doc).unwrap_err()
        };
        let without = |key: &str| {
            let mut doc = good();
            doc.as_object_mut().unwrap().remove(key);
            check(doc)
        };
        assert!(matches!(
            with("client_id", json!("https://other.example/client.json")),
            ClientMetadataError::ClientIdMismatch
        ));
        assert!(matches!(
            without("client_id"),
            Err(ClientMetadataError::ClientIdMismatch)
        ));
        assert!(matches!(
            with("client_secret", json!("s")),
            ClientMetadataError::Confidential
        ));
        assert!(matches!(
            with("token_endpoint_auth_method", json!("client_secret_basic")),
            ClientMetadataError::Confidential
        ));
        assert!(matches!(
            with("token_endpoint_auth_method", json!("client_secret_post")),
            ClientMetadataError::Confidential
        ));
        assert!(matches!(
            without("redirect_uris"),
            Err(ClientMetadataError::Invalid { .. })
        ));
        assert!(matches!(
            with("redirect_uris", json!([])),
            ClientMetadataError::Invalid { .. }
        ));
        assert!(matches!(
            with("redirect_uris", json!(["https://app.example/cb#x"])),
            ClientMetadataError::Invalid { .. }
        ));
        assert!(matches!(
            with("redirect_uris", json!(["http://app.example/cb"])),
            ClientMetadataError::Invalid { .. }
        ));
        assert!(matches!(
            with("grant_types", json!(["client_credentials"])),
            ClientMetadataError::Invalid { .. }
        ));
        assert!(matches!(
            with("response_types", json!(["token"])),
            ClientMetadataError::Invalid { .. }
        ));
        assert!(matches!(
            with("client_name", json!("a\nb")),
            ClientMetadataError::Invalid { .. }
        ));
        assert!(matches!(
            with("logo_uri", json!(3)),
            ClientMetadataError::Invalid { .. }
        ));
        assert!(without("grant_types").is_ok() && without("response_types").is_ok());
        assert!(without("token_endpoint_auth_method").is_ok());
        assert_eq!(
            without("client_name").unwrap().name.as_deref(),
            Some("app.example")
        );
        assert!(client_record(URL, b"[1]", &[], 0).is_err());
        assert!(client_record(URL, b"{", &[], 0).is_err());
    }
}
