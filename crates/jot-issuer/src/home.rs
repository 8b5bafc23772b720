//! The issuer's home page and its demo: what the issuer is, its endpoints, and a
//! **Sign in** button that runs the real authorization code flow with PKCE as a
//! built-in first-party client, [`DEMO_CLIENT_ID`], then shows the person their ID
//! token and access token decoded (header, claims with human-readable times, the
//! signature checked against the issuer's published JWK Set) and what `/userinfo`
//! says about them, with **Refresh** and **Sign out** buttons.
//!
//! The demo is a relying party like any other: it reads the discovery document,
//! sends the browser to the authorization endpoint, and calls the token, userinfo
//! and JWKS endpoints through the issuer's own router (in-process HTTP requests, so
//! it works behind any proxy). It keeps the tokens on the server, in memory, under a
//! random `HttpOnly` cookie: no script on the page can read them. Its pages send the
//! same security headers as the login pages (a `Content-Security-Policy` without
//! script, no framing, no referrer, no caching).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use jot_issuer::home::{DEMO_CLIENT_ID, Home};
//! use jot_issuer::{Issuer, Login};
//!
//! let issuer = Issuer::builder("http://127.0.0.1:8080").login(Login::new()).build().await?;
//! let home = Home::register(&issuer).await?;
//! assert!(issuer.client_ids().await?.contains(&DEMO_CLIENT_ID.to_owned()));
//! let app: axum::Router = issuer.router().merge(home.router());
//! # let _ = app;
//! # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
//! ```

mod client;
mod handlers;
mod page;
mod sessions;
#[cfg(test)]
mod tests;
mod token_view;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::{Issuer, IssuerError, NewClient};

use client::DemoClient;
use sessions::Sessions;

/// The `client_id` of the home page's demo client.
pub const DEMO_CLIENT_ID: &str = "jot-demo";
/// The name the login page shows for the demo client.
pub const DEMO_CLIENT_NAME: &str = "jot demo";
/// The scopes the demo asks for.
pub const DEMO_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The home page and the demo client of an [`Issuer`]: from [`Home::register`],
/// served by [`Home::router`]. Cheap to clone.
#[derive(Clone)]
pub struct Home {
    inner: Arc<Inner>,
}

struct Inner {
    client: DemoClient,
    sessions: Sessions,
    secure_cookies: bool,
}

impl Home {
    /// Registers (or updates) the demo client on `issuer` — a public, first-party
    /// client whose redirect URI is `{issuer}/demo/callback` — and prepares the
    /// page. Call it at every start: the registration only changes when the issuer
    /// URL does.
    pub async fn register(issuer: &Issuer) -> Result<Home, IssuerError> {
        if issuer.ensure_client(Self::demo_client(issuer)).await? {
            tracing::info!(target: "jot_issuer", client_id = DEMO_CLIENT_ID, "demo client stored");
        }
        Ok(Home {
            inner: Arc::new(Inner {
                client: DemoClient::new(issuer.clone()),
                sessions: Sessions::default(),
                secure_cookies: issuer.url().starts_with("https://"),
            }),
        })
    }

    /// The demo client as [`Home::register`] registers it.
    pub fn demo_client(issuer: &Issuer) -> NewClient {
        let url = issuer.url();
        NewClient::new(DEMO_CLIENT_ID)
            .public()
            .name(DEMO_CLIENT_NAME)
            .redirect_uris([format!("{url}{CALLBACK}")])
            .post_logout_redirect_uris([format!("{url}{SIGNED_OUT}")])
            .scopes(DEMO_SCOPES)
            .first_party(true)
    }

    /// The routes: `GET /` (the page), `GET /demo/login` (starts the sign-in),
    /// `GET /demo/callback` (the redirect URI), `POST /demo/refresh`,
    /// `POST /demo/logout`, `GET /demo/signed-out` (back from the issuer's logout)
    /// and `GET /home.css`. Merge it with [`Issuer::router`].
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(handlers::home))
            .route("/home.css", get(handlers::stylesheet))
            .route(LOGIN, get(handlers::login))
            .route(CALLBACK, get(handlers::callback))
            .route(REFRESH, post(handlers::refresh))
            .route(LOGOUT, post(handlers::logout))
            .route(SIGNED_OUT, get(handlers::signed_out))
            .with_state(self.clone())
    }
}

impl std::fmt::Debug for Home {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Home")
            .field("issuer", &self.inner.client.issuer().url())
            .finish_non_exhaustive()
    }
}

/// Starts the sign-in.
const LOGIN: &str = "/demo/login";
/// The demo's redirect URI (after the issuer's URL).
const CALLBACK: &str = "/demo/callback";
/// Refreshes the tokens.
const REFRESH: &str = "/demo/refresh";
/// Starts the sign-out.
const LOGOUT: &str = "/demo/logout";
/// The demo's post-logout redirect URI (after the issuer's URL).
const SIGNED_OUT: &str = "/demo/signed-out";
