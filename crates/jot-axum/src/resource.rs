//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the resource identifier of a
//! [`JwtAuth`], the document that describes it and the router that serves it.

use axum::Router;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::HeaderValue;
use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE};
use reqwest::Url;
use serde_json::{Map, Value, json};

use crate::dpop::DpopVerifier;
use crate::{ConfigError, JwtAuth, JwtAuthBuilder, TokenSource};

/// Where RFC 9728 §3.1 puts the metadata of a resource.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// What the builder collects for the metadata document.
#[derive(Clone, Debug, Default)]
pub(crate) struct ResourceSettings {
    pub(crate) identifier: Option<(Box<str>, Url)>,
    pub(crate) authorization_servers: Vec<String>,
    pub(crate) scopes_supported: Vec<String>,
}

/// A built resource: its identifier, metadata URL, routes and document.
#[derive(Debug)]
pub(crate) struct Resource {
    identifier: Box<str>,
    metadata_url: Box<str>,
    paths: Vec<String>,
    document: Value,
    body: Bytes,
}

impl<T> JwtAuthBuilder<T> {
    /// The resource identifier of this server (RFC 9728 §1.2, RFC 8707), e.g.
    /// `https://api.example.com/mcp`:
    ///
    /// - tokens must name it in `aud` (it is added to the audiences of the
    ///   [`Validation`](jot_codec::Validation), so with none configured it is the
    ///   only one accepted, and a token for another resource never passes);
    /// - [`JwtAuth::resource_metadata_router`] serves its metadata document, and
    ///   every challenge points to it with `resource_metadata="…"`;
    /// - its origin is where DPoP proofs' `htu` must point (see [`Dpop`](crate::Dpop)).
    ///
    /// An `https` URL without fragment, query or user information; `http` only on
    /// a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`), for development. It is
    /// published exactly as given.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, VerifyingKey};
    /// use jot_axum::JwtAuth;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let key = VerifyingKey::hmac(Algorithm::HS256, b"an example secret of 32+ bytes!!")?;
    /// let auth: JwtAuth<()> = JwtAuth::builder(key)
    ///     .resource("https://api.example.com/mcp")?
    ///     .authorization_servers(["https://auth.example.com"])
    ///     .scopes_supported(["mcp:tools", "mcp:resources"])
    ///     .build();
    /// assert_eq!(
    ///     auth.resource_metadata_url(),
    ///     Some("https://api.example.com/.well-known/oauth-protected-resource/mcp")
    /// );
    /// assert!(JwtAuth::<()>::builder(VerifyingKey::hmac(Algorithm::HS256, [0; 32])?)
    ///     .resource("http://api.example.com/mcp")
    ///     .is_err());
    /// # Ok(()) }
    /// ```
    pub fn resource(mut self, identifier: &str) -> Result<Self, ConfigError> {
        let url = parse_server_url(identifier)?;
        self.resource.identifier = Some((identifier.into(), url));
        Ok(self)
    }

    /// The issuers of the authorization servers that issue tokens for this
    /// resource (`authorization_servers` of the metadata, RFC 9728 §2).
    pub fn authorization_servers<S: Into<String>>(
        mut self,
        issuers: impl IntoIterator<Item = S>,
    ) -> Self {
        self.resource.authorization_servers = issuers.into_iter().map(Into::into).collect();
        self
    }

    /// The scopes this resource understands (`scopes_supported` of the metadata);
    /// also the `scope` of every 401 challenge.
    pub fn scopes_supported<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.resource.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }
}

impl<T> JwtAuth<T> {
    /// The resource identifier, when one is configured.
    pub fn resource(&self) -> Option<&str> {
        self.inner.resource.as_ref().map(|r| &*r.identifier)
    }

    /// The URL of the RFC 9728 metadata document (the identifier with
    /// `/.well-known/oauth-protected-resource` inserted after the host), when a
    /// resource identifier is configured.
    pub fn resource_metadata_url(&self) -> Option<&str> {
        self.inner.resource.as_ref().map(|r| &*r.metadata_url)
    }

    /// The RFC 9728 metadata document, when a resource identifier is configured:
    /// `resource`, `authorization_servers`, `scopes_supported`,
    /// `bearer_methods_supported` (`["header"]` when tokens are read from the
    /// `Authorization` header), and with DPoP `dpop_signing_alg_values_supported`
    /// and `dpop_bound_access_tokens_required`.
    pub fn resource_metadata(&self) -> Option<&Value> {
        self.inner.resource.as_ref().map(|r| &r.document)
    }

    /// A router that serves the metadata document (`GET`, JSON, cacheable, readable
    /// from any origin) at the path RFC 9728 §3.1 derives from the resource
    /// identifier (`/.well-known/oauth-protected-resource/mcp` for
    /// `https://api.example.com/mcp`) and at `/.well-known/oauth-protected-resource`.
    /// Merge it into the application's router outside the authentication layer:
    /// clients read it before they have a token. Empty when no resource identifier
    /// is configured.
    ///
    /// ```no_run
    /// use axum::{routing::post, Router};
    /// use jot_axum::JwtAuth;
    ///
    /// # fn app(auth: JwtAuth<()>) -> Router {
    /// Router::new()
    ///     .route("/mcp", post(|| async { "…" }))
    ///     .layer(auth.layer())
    ///     .merge(auth.resource_metadata_router())
    /// # }
    /// ```
    pub fn resource_metadata_router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let mut router = Router::new();
        if let Some(resource) = &self.inner.resource {
            for path in &resource.paths {
                let body = resource.body.clone();
                router = router.route(path, get(move || metadata_response(body.clone())));
            }
        }
        router
    }
}

impl Resource {
    /// The resource of a built [`JwtAuth`].
    pub(crate) fn new(
        identifier: Box<str>,
        url: Url,
        settings: &ResourceSettings,
        dpop: Option<&DpopVerifier>,
        require_dpop: bool,
        sources: &[TokenSource],
    ) -> Self {
        let origin = url.origin().ascii_serialization();
        let path = match url.path() {
            "/" => "",
            path => path,
        };
        let metadata_url = format!("{origin}{WELL_KNOWN}{path}");
        let mut paths = vec![format!("{WELL_KNOWN}{path}")];
        if !path.is_empty() {
            paths.push(WELL_KNOWN.to_owned());
        }
        let mut document = Map::new();
        document.insert("resource".into(), json!(&*identifier));
        if !settings.authorization_servers.is_empty() {
            document.insert(
                "authorization_servers".into(),
                json!(settings.authorization_servers),
            );
        }
        if !settings.scopes_supported.is_empty() {
            document.insert("scopes_supported".into(), json!(settings.scopes_supported));
        }
        if dpop.is_some() || sources.contains(&TokenSource::AuthorizationBearer) {
            document.insert("bearer_methods_supported".into(), json!(["header"]));
        }
        if let Some(dpop) = dpop {
            let algs: Vec<&str> = dpop.algorithms().iter().map(|a| a.as_str()).collect();
            document.insert("dpop_signing_alg_values_supported".into(), json!(algs));
            document.insert(
                "dpop_bound_access_tokens_required".into(),
                json!(require_dpop),
            );
        }
        let document = Value::Object(document);
        let body = Bytes::from(document.to_string());
        Resource {
            identifier,
            metadata_url: metadata_url.into(),
            paths,
            document,
            body,
        }
    }

    /// The identifier, as configured.
    pub(crate) fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The metadata URL.
    pub(crate) fn metadata_url(&self) -> &str {
        &self.metadata_url
    }
}

async fn metadata_response(body: Bytes) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
            (ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
        ],
        body,
    )
        .into_response()
}

/// A URL that names this server: `https`, or `http` on a loopback host; no
/// fragment, query or user information.
pub(crate) fn parse_server_url(s: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(s).map_err(|_| ConfigError::InvalidUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if crate::keys::is_loopback(&url) => {}
        "http" => {
            return Err(ConfigError::Setting(
                "plain http is allowed on a loopback host only",
            ));
        }
        _ => return Err(ConfigError::InvalidUrl),
    }
    if url.host().is_none() || url.cannot_be_a_base() {
        return Err(ConfigError::InvalidUrl);
    }
    if url.fragment().is_some() || url.query().is_some() {
        return Err(ConfigError::Setting(
            "a resource URL has no query or fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::Setting(
            "a resource URL has no user information",
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        for ok in [
            "https://api.example.com/mcp",
            "https://api.example.com",
            "https://api.example.com:8443/a/b/",
            "http://127.0.0.1:3000/mcp",
            "http://localhost/mcp",
            "http://[::1]:8080/",
        ] {
            assert!(parse_server_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "api.example.com/mcp",
            "http://api.example.com/mcp",
            "http://10.0.0.1/mcp",
            "https://api.example.com/mcp#top",
            "https://api.example.com/mcp?tenant=a",
            "https://user:pw@api.example.com/mcp",
            "ftp://api.example.com/",
            "urn:example:resource",
        ] {
            assert!(parse_server_url(bad).is_err(), "{bad}");
        }
    }

    fn resource(identifier: &str) -> Resource {
        let url = parse_server_url(identifier).unwrap();
        Resource::new(
            identifier.into(),
            url,
            &ResourceSettings::default(),
            None,
            false,
            &[TokenSource::AuthorizationBearer],
        )
    }

    #[test]
    fn the_well_known_path_is_inserted_after_the_host() {
        let r = resource("https://API.example.com/mcp");
        assert_eq!(
            r.metadata_url(),
            "https://api.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            r.paths,
            [format!("{WELL_KNOWN}/mcp"), WELL_KNOWN.to_owned()]
        );
        assert_eq!(r.document["resource"], "https://API.example.com/mcp");
        let r = resource("https://api.example.com/");
        assert_eq!(
            r.metadata_url(),
            "https://api.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(r.paths, [WELL_KNOWN]);
        let r = resource("http://127.0.0.1:8080/a/b/");
        assert_eq!(
            r.metadata_url(),
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource/a/b/"
        );
    }
}
