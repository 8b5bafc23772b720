//! The home page's routes: the page, and the demo client's sign-in, callback,
//! refresh and sign-out.

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode, Uri};

use super::client::{DemoError, TokenSet};
use super::page::{self, HomePage};
use super::sessions::{self, Session, Stage};
use super::token_view::{self, IdTokenChecks};
use super::{DEMO_CLIENT_ID, Home};
use crate::request::Form;

/// `GET /`: the page, signed in or out.
pub(super) async fn home(State(home): State<Home>, headers: HeaderMap) -> Response {
    let session = home.session(&headers).map(|(_, session)| session);
    home.page(StatusCode::OK, session.as_ref(), None).await
}

/// `GET /home.css`.
pub(super) async fn stylesheet() -> Response {
    page::stylesheet()
}

/// `GET /demo/login`: a new authorization request (state, nonce, PKCE), remembered
/// for this browser, and the browser sent to the authorization endpoint.
pub(super) async fn login(State(home): State<Home>, headers: HeaderMap) -> Response {
    let old = home.session(&headers).map(|(id, _)| id);
    let started = async {
        let (pending, url) = home.inner.client.authorization_request().await?;
        let id = home
            .inner
            .sessions
            .start(old.as_deref(), Stage::SigningIn(pending))?;
        Ok::<_, DemoError>((id, url))
    }
    .await;
    match started {
        Ok((id, url)) => page::redirect(&url, Some(home.cookie(Some(&id)))),
        Err(e) => home.failed(StatusCode::BAD_GATEWAY, &e).await,
    }
}

/// `GET /demo/callback`: checks the authorization response against this
/// browser's request (state, iss), exchanges the code with the PKCE verifier,
/// verifies the ID token (signature, iss, aud, exp, nonce, at_hash), asks
/// `/userinfo`, and keeps the tokens under a new session id.
pub(super) async fn callback(State(home): State<Home>, headers: HeaderMap, uri: Uri) -> Response {
    let params = query(&uri);
    let Some((
        id,
        Session {
            stage: Stage::SigningIn(pending),
            ..
        },
    )) = home.session(&headers)
    else {
        let e = DemoError::Mismatch {
            reason: "no sign-in was started in this browser",
        };
        return home.failed(StatusCode::BAD_REQUEST, &e).await;
    };
    let client = &home.inner.client;
    let signed_in = async {
        let params = params.ok_or(DemoError::Mismatch {
            reason: "a parameter is repeated or not UTF-8",
        })?;
        if params.get("state") != Some(pending.state.as_str()) {
            return Err(DemoError::Mismatch { reason: "state" });
        }
        // RFC 9207: the response names the issuer it comes from.
        if params.get("iss") != Some(client.issuer().url()) {
            return Err(DemoError::Mismatch { reason: "iss" });
        }
        if let Some(error) = params.get("error") {
            return Err(DemoError::Authorization {
                error: error.to_owned(),
            });
        }
        let code = params
            .get("code")
            .ok_or(DemoError::Mismatch { reason: "no code" })?;
        let tokens = client.exchange(code, &pending.code_verifier).await?;
        let id_token = tokens.id_token.clone().ok_or(DemoError::Token {
            token: "ID token",
            reason: "the token response has none".to_owned(),
        })?;
        let keys = client.keys().await?;
        let checks = IdTokenChecks {
            nonce: Some(&pending.nonce),
            nonce_required: true,
            access_token: Some(&tokens.access_token),
        };
        let view = token_view::id_token(
            &id_token,
            &keys,
            client.issuer().url(),
            DEMO_CLIENT_ID,
            checks,
        );
        if let Err(reason) = view.verdict {
            return Err(DemoError::Token {
                token: "ID token",
                reason,
            });
        }
        let userinfo = client
            .userinfo(&tokens.access_token)
            .await
            .map_err(|e| e.to_string());
        Ok(Stage::SignedIn {
            id_token_access_token: tokens.access_token.clone(),
            id_token,
            nonce: pending.nonce.clone(),
            tokens,
            userinfo,
        })
    }
    .await;
    match signed_in.and_then(|stage| home.inner.sessions.start(Some(&id), stage)) {
        Ok(new_id) => page::redirect("/", Some(home.cookie(Some(&new_id)))),
        Err(e) => {
            home.inner.sessions.remove(&id);
            home.failed(StatusCode::BAD_REQUEST, &e).await
        }
    }
}

/// `POST /demo/refresh`: the refresh token grant; the new tokens replace the old.
pub(super) async fn refresh(State(home): State<Home>, headers: HeaderMap, body: Body) -> Response {
    let (id, session) = match home.form_session(&headers, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Stage::SignedIn {
        tokens,
        id_token,
        id_token_access_token,
        nonce,
        ..
    } = session.stage
    else {
        return page::redirect("/", None);
    };
    let client = &home.inner.client;
    let Some(refresh_token) = tokens.refresh_token.as_deref() else {
        let e = DemoError::Token {
            token: "refresh token",
            reason: "none was issued".to_owned(),
        };
        return home.failed(StatusCode::BAD_REQUEST, &e).await;
    };
    match client.refresh(refresh_token).await {
        Ok(fresh) => {
            let userinfo = client
                .userinfo(&fresh.access_token)
                .await
                .map_err(|e| e.to_string());
            let (id_token, id_token_access_token) = match &fresh.id_token {
                Some(new) => (new.clone(), fresh.access_token.clone()),
                None => (id_token, id_token_access_token),
            };
            let tokens = TokenSet {
                refresh_token: fresh.refresh_token.clone().or(tokens.refresh_token),
                scope: fresh.scope.clone().or(tokens.scope),
                ..fresh
            };
            let stage = Stage::SignedIn {
                tokens,
                id_token,
                id_token_access_token,
                nonce,
                userinfo,
            };
            home.inner.sessions.update(&id, stage);
            page::redirect("/", None)
        }
        Err(e) => home.failed(StatusCode::BAD_GATEWAY, &e).await,
    }
}

/// `POST /demo/logout`: forgets the tokens and sends the browser to the issuer's
/// RP-initiated logout with the ID token as hint, to come back to
/// `/demo/signed-out`.
pub(super) async fn logout(State(home): State<Home>, headers: HeaderMap, body: Body) -> Response {
    let (id, session) = match home.form_session(&headers, body).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let id_token = match session.stage {
        Stage::SignedIn { id_token, .. } => id_token,
        _ => return page::redirect("/", None),
    };
    let signing_out = async {
        let state = crate::secret::random_token(16).map_err(|_| DemoError::Random)?;
        let url = home
            .inner
            .client
            .end_session_url(Some(&id_token), &state)
            .await?;
        let new_id = home
            .inner
            .sessions
            .start(Some(&id), Stage::SigningOut { state })?;
        Ok::<_, DemoError>((new_id, url))
    }
    .await;
    match signing_out {
        Ok((new_id, url)) => page::redirect(&url, Some(home.cookie(Some(&new_id)))),
        Err(e) => home.failed(StatusCode::BAD_GATEWAY, &e).await,
    }
}

/// `GET /demo/signed-out`: back from the issuer's logout; the session ends (its
/// `state` must be the one sent) and the cookie goes.
pub(super) async fn signed_out(State(home): State<Home>, headers: HeaderMap, uri: Uri) -> Response {
    let params = query(&uri);
    if let Some((
        id,
        Session {
            stage: Stage::SigningOut { state },
            ..
        },
    )) = home.session(&headers)
    {
        if params.is_some_and(|p| p.get("state") == Some(state.as_str())) {
            home.inner.sessions.remove(&id);
        }
    }
    page::redirect("/", Some(home.cookie(None)))
}

impl Home {
    /// This browser's session id and session, if it has a live one.
    fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let id = sessions::cookie(headers, self.inner.secure_cookies)?;
        let session = self.inner.sessions.get(&id)?;
        Some((id, session))
    }

    /// The session of a form post whose `csrf` matches it; otherwise the response.
    async fn form_session(
        &self,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<(String, Session), Response> {
        let Some((id, session)) = self.session(headers) else {
            return Err(page::redirect("/", None));
        };
        let form = Form::read(headers, body).await.ok();
        let presented = form.as_ref().and_then(|f| f.get("csrf"));
        if !presented.is_some_and(|csrf| same_secret(csrf, &session.csrf)) {
            let body = "<!doctype html>\n<title>Refused</title>\n<p class=\"error\">This form \
                        is out of date or came from another site. <a href=\"/\">Reload the \
                        page</a>.</p>\n";
            return Err(page::html(StatusCode::FORBIDDEN, body.to_owned(), None));
        }
        Ok((id, session))
    }

    /// The `Set-Cookie` for this session id (`None`: delete the cookie).
    fn cookie(&self, id: Option<&str>) -> String {
        sessions::set_cookie(self.inner.secure_cookies, id)
    }

    /// The signed-out page with what went wrong, and the cookie deleted.
    async fn failed(&self, status: StatusCode, error: &DemoError) -> Response {
        tracing::debug!(target: "jot_issuer", %error, "demo sign-in step failed");
        let mut response = self.page(status, None, Some(error.to_string())).await;
        if let Ok(cookie) = http::HeaderValue::from_str(&self.cookie(None)) {
            response
                .headers_mut()
                .append(http::header::SET_COOKIE, cookie);
        }
        response
    }

    /// Renders the page for this session.
    async fn page(
        &self,
        status: StatusCode,
        session: Option<&Session>,
        error: Option<String>,
    ) -> Response {
        let client = &self.inner.client;
        let issuer = client.issuer();
        let discovery = client.discovery().await.ok();
        let mut error = error;
        let signed_in = match session {
            Some(Session {
                stage:
                    Stage::SignedIn {
                        tokens,
                        id_token,
                        id_token_access_token,
                        nonce,
                        userinfo,
                    },
                csrf,
            }) => match client.keys().await {
                Ok(keys) => {
                    // A refreshed ID token may leave the nonce out (OIDC Core §12.2).
                    let checks = IdTokenChecks {
                        nonce: Some(nonce),
                        nonce_required: false,
                        access_token: Some(id_token_access_token),
                    };
                    Some(page::SignedIn {
                        id_token: Some(token_view::id_token(
                            id_token,
                            &keys,
                            issuer.url(),
                            DEMO_CLIENT_ID,
                            checks,
                        )),
                        access_token: token_view::access_token(
                            &tokens.access_token,
                            &keys,
                            &issuer.validation(),
                        ),
                        userinfo,
                        has_refresh_token: tokens.refresh_token.is_some(),
                        scope: tokens.scope.as_deref(),
                        csrf,
                    })
                }
                Err(e) => {
                    error = Some(e.to_string());
                    None
                }
            },
            _ => None,
        };
        let body = HomePage {
            issuer: issuer.url(),
            login_enabled: issuer.login_enabled(),
            discovery,
            error,
            signed_in,
        }
        .render();
        page::html(status, body, None)
    }
}

/// Compares two secrets through their SHA-256, so the time taken says nothing
/// about how much of a guess was right.
fn same_secret(a: &str, b: &str) -> bool {
    crate::secret::sha256_b64(a.as_bytes()) == crate::secret::sha256_b64(b.as_bytes())
}

/// The query parameters, read as the issuer reads its own (`None` for a repeated
/// parameter or bad encoding).
fn query(uri: &Uri) -> Option<Form> {
    Form::parse(uri.query().unwrap_or_default().as_bytes()).ok()
}
