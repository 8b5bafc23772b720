//! The client metadata of a registration request (RFC 7591 §2), checked: what
//! this issuer registers, or the error code and reason of a refusal.

use serde_json::{Map, Value};

/// Why a registration request is refused (RFC 7591 §3.2.2).
#[derive(Debug, thiserror::Error)]
pub(crate) enum RegistrationError {
    /// A redirect URI is missing or not allowed.
    #[error("{0}")]
    RedirectUri(&'static str),
    /// Another metadata value is missing, malformed or not allowed.
    #[error("{0}")]
    Metadata(&'static str),
}

impl RegistrationError {
    /// The `error` code.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            RegistrationError::RedirectUri(_) => "invalid_redirect_uri",
            RegistrationError::Metadata(_) => "invalid_client_metadata",
        }
    }
}

/// A registration request that passed every check.
#[derive(Debug)]
pub(crate) struct Requested {
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) auth_method: &'static str,
    pub(crate) grant_types: Vec<&'static str>,
    pub(crate) response_types: Vec<&'static str>,
    pub(crate) scopes: Vec<String>,
    pub(crate) client_name: Option<String>,
}

impl Requested {
    /// A client without a secret.
    pub(crate) fn public(&self) -> bool {
        self.auth_method == "none"
    }
}

/// The most redirect URIs one client may register.
const MAX_REDIRECT_URIS: usize = 20;

/// Reads and checks a registration request's JSON. `privileged`: it carried the
/// initial access token. `extra_scopes`: scopes allowed besides the OpenID
/// Connect ones.
pub(crate) fn read(
    body: &[u8],
    privileged: bool,
    extra_scopes: &[String],
) -> Result<Requested, RegistrationError> {
    use RegistrationError::{Metadata, RedirectUri};
    let value: Value =
        serde_json::from_slice(body).map_err(|_| Metadata("the body is not JSON"))?;
    let doc = value
        .as_object()
        .ok_or(Metadata("the body is not a JSON object"))?;
    // RFC 7591 §2: the default method is client_secret_basic.
    let auth_method = match doc.get("token_endpoint_auth_method") {
        None => "client_secret_basic",
        Some(Value::String(m)) if m == "none" => "none",
        Some(Value::String(m)) if m == "client_secret_basic" => "client_secret_basic",
        Some(Value::String(m)) if m == "client_secret_post" => "client_secret_post",
        Some(_) => {
            return Err(Metadata(
                "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post",
            ));
        }
    };
    let public = auth_method == "none";
    if !public && !privileged {
        return Err(Metadata(
            "a confidential client (client_secret_basic, client_secret_post; the default) needs the initial access token; register token_endpoint_auth_method none for a public client",
        ));
    }
    let grant_types = match strings(doc, "grant_types")? {
        None => vec!["authorization_code"],
        Some(list) => list
            .iter()
            .map(|g| match g.as_str() {
                "authorization_code" => Ok("authorization_code"),
                "refresh_token" => Ok("refresh_token"),
                "client_credentials" if !public => Ok("client_credentials"),
                "client_credentials" => Err(Metadata(
                    "client_credentials is for confidential clients only",
                )),
                _ => Err(Metadata(
                    "grant_types may be authorization_code, refresh_token, and client_credentials for confidential clients",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    if grant_types.is_empty() {
        return Err(Metadata("grant_types is empty"));
    }
    let code_flow = grant_types.contains(&"authorization_code");
    if public && !code_flow {
        return Err(Metadata(
            "a public client uses the authorization_code grant",
        ));
    }
    let response_types = match strings(doc, "response_types")? {
        None if code_flow => vec!["code"],
        None => Vec::new(),
        Some(list) if list.iter().all(|r| r == "code") && (list.is_empty() != code_flow) => {
            if code_flow {
                vec!["code"]
            } else {
                Vec::new()
            }
        }
        Some(_) => {
            return Err(Metadata(
                "response_types is code with the authorization_code grant, and empty without it",
            ));
        }
    };
    let redirect_uris = strings(doc, "redirect_uris")?.unwrap_or_default();
    if code_flow && redirect_uris.is_empty() {
        return Err(RedirectUri("redirect_uris is required"));
    }
    if redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(RedirectUri("more than 20 redirect_uris"));
    }
    for uri in &redirect_uris {
        check_redirect_uri(uri).map_err(RedirectUri)?;
    }
    let allowed: Vec<String> = crate::oidc::STANDARD_SCOPES
        .iter()
        .map(|(s, _)| (*s).to_owned())
        .chain(extra_scopes.iter().cloned())
        .collect();
    let scopes = match doc.get("scope") {
        None => allowed,
        Some(Value::String(scope)) => {
            let scopes = crate::request::parse_scope(scope)
                .map_err(|_| Metadata("scope is empty or malformed"))?;
            if scopes.iter().any(|s| !allowed.contains(s)) {
                return Err(Metadata(
                    "scope asks for a scope this issuer does not allow",
                ));
            }
            scopes
        }
        Some(_) => return Err(Metadata("scope is not a string")),
    };
    let client_name = match doc.get("client_name") {
        None => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(Metadata("client_name is not a string")),
    };
    Ok(Requested {
        redirect_uris,
        auth_method,
        grant_types,
        response_types,
        scopes,
        client_name,
    })
}

/// Refuses the authorization code grant on an issuer without a login, where it
/// could never be used.
pub(crate) fn check_login(
    requested: Requested,
    login: bool,
) -> Result<Requested, RegistrationError> {
    if !login && requested.grant_types.contains(&"authorization_code") {
        return Err(RegistrationError::Metadata(
            "this issuer has no login: only the client_credentials grant can be registered",
        ));
    }
    Ok(requested)
}

/// A redirect URI a registered client may use: `https`, or `http` on
/// `127.0.0.1`, `[::1]` or `localhost`; no fragment, no user information.
fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    crate::redirect::check_registered(uri, None)?;
    let url = reqwest::Url::parse(uri).map_err(|_| "a redirect URI is not an absolute URI")?;
    match (url.scheme(), url.host_str()) {
        ("https", Some(_)) => Ok(()),
        ("http", Some("127.0.0.1" | "[::1]" | "localhost")) => Ok(()),
        _ => Err("a redirect URI must be https, or http on 127.0.0.1, [::1] or localhost"),
    }
}

/// A member that is an array of strings; absent: `None`.
fn strings(doc: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, RegistrationError> {
    let Some(value) = doc.get(key) else {
        return Ok(None);
    };
    value
        .as_array()
        .and_then(|list| {
            list.iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })
        .map(Some)
        .ok_or(RegistrationError::Metadata(
            "grant_types, response_types and redirect_uris are arrays of strings",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_json(doc: Value, privileged: bool) -> Result<Requested, RegistrationError> {
        read(doc.to_string().as_bytes(), privileged, &["api".to_owned()])
    }

    #[test]
    fn the_code_flow_needs_a_login() {
        let code = read_json(
            json!({"redirect_uris": [CALLBACK_FOR_TESTS], "token_endpoint_auth_method": "none"}),
            false,
        )
        .unwrap();
        assert!(check_login(code, false).is_err());
        let machine = read_json(json!({"grant_types": ["client_credentials"]}), true).unwrap();
        assert!(check_login(machine, false).is_ok());
    }

    const CALLBACK_FOR_TESTS: &str = "https://app.example/cb";

    #[test]
    fn a_public_client_needs_no_token() {
        let requested = read_json(
            json!({"redirect_uris": ["http://127.0.0.1:7000/cb"], "token_endpoint_auth_method": "none", "scope": "openid api"}),
            false,
        )
        .unwrap();
        assert!(requested.public());
        assert_eq!(requested.grant_types, ["authorization_code"]);
        assert_eq!(requested.response_types, ["code"]);
        assert_eq!(requested.scopes, ["openid", "api"]);
    }

    #[test]
    fn confidential_clients_need_the_token() {
        let doc = json!({"redirect_uris": ["https://app.example/cb"]});
        assert_eq!(
            read_json(doc.clone(), false).unwrap_err().code(),
            "invalid_client_metadata"
        );
        assert_eq!(
            read_json(doc, true).unwrap().auth_method,
            "client_secret_basic"
        );
        let machine = json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "client_secret_post", "scope": "api"});
        let requested = read_json(machine, true).unwrap();
        assert!(requested.response_types.is_empty() && requested.redirect_uris.is_empty());
        let public_machine =
            json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"});
        assert!(read_json(public_machine, true).is_err());
    }

    #[test]
    fn bad_metadata_is_refused_with_its_code() {
        let none = |extra: Value| {
            let mut doc = json!({"redirect_uris": ["https://app.example/cb"], "token_endpoint_auth_method": "none"});
            for (k, v) in extra.as_object().unwrap() {
                doc[k] = v.clone();
            }
            read_json(doc, false).map(|_| ()).map_err(|e| e.code())
        };
        for uri in [
            "http://app.example/cb",
            "https://app.example/cb#f",
            "com.example.app:/cb",
            "https://u:p@app.example/cb",
            "not a uri",
        ] {
            assert_eq!(
                none(json!({"redirect_uris": [uri]})),
                Err("invalid_redirect_uri"),
                "{uri}"
            );
        }
        assert_eq!(
            none(json!({"redirect_uris": []})),
            Err("invalid_redirect_uri")
        );
        for extra in [
            json!({"token_endpoint_auth_method": "private_key_jwt"}),
            json!({"grant_types": ["implicit"]}),
            json!({"grant_types": ["authorization_code"], "response_types": ["token"]}),
            json!({"scope": "openid admin"}),
            json!({"scope": 3}),
            json!({"client_name": ["x"]}),
            json!({"redirect_uris": "https://app.example/cb"}),
        ] {
            assert_eq!(
                none(extra.clone()),
                Err("invalid_client_metadata"),
                "{extra}"
            );
        }
        assert!(read(b"nope", false, &[]).is_err());
        for uri in [
            "https://app.example/cb",
            "http://localhost:1/cb",
            "http://[::1]/cb",
        ] {
            assert_eq!(none(json!({"redirect_uris": [uri]})), Ok(()), "{uri}");
        }
    }
}
