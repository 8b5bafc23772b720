//! A remote MCP server, built with the official Rust MCP SDK (`rmcp`, streamable
//! HTTP transport), protected by jot-axum as an OAuth 2.1 resource server the way
//! the MCP authorization specification asks:
//!
//! - it publishes RFC 9728 metadata naming its authorization server;
//! - a request without a token gets `401` with
//!   `WWW-Authenticate: Bearer resource_metadata="…", scope="…"`;
//! - a token must name this server in `aud` (its resource identifier);
//! - DPoP-bound tokens are accepted (and a DPoP-bound token sent as `Bearer` is
//!   refused); the tools see who called through the verified context.
//!
//! Run it against an authorization server (`jot serve` or any other whose tokens
//! carry `aud` = the resource identifier; see `docs/MCP.md`):
//!
//! ```text
//! MCP_ISSUER=http://127.0.0.1:8080 MCP_RESOURCE=http://127.0.0.1:3000/mcp \
//!     cargo run -p jot-axum --example mcp_server
//! ```

use std::error::Error;
use std::sync::Arc;

use axum::Router;
use http::request::Parts;
use jot_axum::{AuthContext, ConfigError, Dpop, JwtAuth, KeySource, RemoteJwks, RequireScopes};
use jot_codec::Validation;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};

/// The scope a token needs to use the tools.
pub const SCOPE: &str = "mcp:tools";

/// The MCP server: two tools.
#[derive(Clone)]
pub struct Notes {
    tool_router: ToolRouter<Self>,
}

/// The arguments of `echo`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct EchoArgs {
    /// What to say back.
    pub text: String,
}

#[tool_router]
impl Notes {
    /// A server with its tools.
    pub fn new() -> Self {
        Notes {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Says the text back")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> String {
        text
    }

    #[tool(description = "Who is calling: the token's subject, and the DPoP key if any")]
    fn whoami(&self, Extension(parts): Extension<Parts>) -> String {
        // jot-axum's layer put the verified context in the request; rmcp hands the
        // request's parts to the tool.
        match parts.extensions.get::<AuthContext>() {
            Some(context) => {
                let sub = context
                    .claims()
                    .get("sub")
                    .and_then(|s| s.as_str())
                    .unwrap_or("?");
                match context.dpop_thumbprint() {
                    Some(jkt) => format!("{sub} (DPoP key {jkt})"),
                    None => format!("{sub} (bearer)"),
                }
            }
            None => "nobody".to_owned(),
        }
    }
}

impl Default for Notes {
    fn default() -> Self {
        Notes::new()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Notes {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("jot-notes", env!("CARGO_PKG_VERSION")))
    }
}

/// The resource server's configuration: tokens from `issuer` (verified with
/// `keys`), for the resource `resource`, bearer or DPoP-bound.
pub fn auth(
    keys: impl KeySource,
    issuer: &str,
    resource: &str,
) -> Result<JwtAuth<()>, ConfigError> {
    Ok(JwtAuth::builder(keys)
        .validation(Validation::new().issuer(issuer))
        .resource(resource)?
        .authorization_servers([issuer])
        .scopes_supported([SCOPE])
        .dpop(Dpop::new())
        .build())
}

/// The application: the MCP endpoint at `/mcp` behind the layer and the scope
/// guard, and the RFC 9728 metadata outside them.
pub fn app(auth: &JwtAuth<()>) -> Router {
    // rmcp checks the Host header against a list (DNS rebinding): the resource's host.
    let host = auth
        .resource()
        .and_then(|r| reqwest::Url::parse(r).ok())
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts([host])
        // Stateless: any instance behind a load balancer answers any request, as
        // the tokens are checked on every request anyway.
        .with_legacy_session_mode(false)
        .with_json_response(true);
    let mcp = StreamableHttpService::new(
        || Ok(Notes::new()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    Router::new()
        .nest_service("/mcp", mcp)
        .layer(RequireScopes::all([SCOPE]))
        .layer(auth.layer())
        .merge(auth.resource_metadata_router())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let issuer = std::env::var("MCP_ISSUER").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let resource =
        std::env::var("MCP_RESOURCE").unwrap_or_else(|_| "http://127.0.0.1:3000/mcp".into());
    let listen = std::env::var("MCP_LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".into());
    // HTTPS, or plain HTTP to an issuer on this machine (development).
    let keys = RemoteJwks::discover(issuer.clone()).build()?;
    let auth = auth(keys, &issuer, &resource)?;
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!(
        "MCP server on http://{listen}/mcp, metadata at {}",
        auth.resource_metadata_url().unwrap_or("?")
    );
    axum::serve(listener, app(&auth)).await?;
    Ok(())
}
