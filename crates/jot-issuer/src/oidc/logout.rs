//! `GET|POST /logout`: OpenID Connect RP-Initiated Logout 1.0. With an
//! `id_token_hint` of the browser's current session, the session ends at once;
//! otherwise the user confirms on a page (with a CSRF token), so that no other
//! site can sign them out. Ending a session revokes the refresh tokens obtained
//! through it. `post_logout_redirect_uri` must be registered for the client,
//! exactly; a wrong one is shown on a page, never followed.

use axum::response::Response;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::Value;

use super::page::{Page, error_page, hidden, see_other};
use crate::client_metadata::ClientLookupError;
use crate::request::Form;
use crate::store::SessionRecord;
use crate::{Issuer, IssuerError, redirect, secret};

/// Where to send the browser once signed out.
struct Target {
    uri: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
}

impl Issuer {
    /// `/logout` with its query (GET) or form (POST) parameters.
    pub(crate) async fn logout(&self, headers: &HeaderMap, form: &Form) -> Response {
        match self.logout_step(headers, form).await {
            Ok(response) => response,
            Err(LogoutError::Page(status, message)) => error_page(status, message),
            Err(LogoutError::Issuer(error)) if error.is_unavailable() => {
                tracing::warn!(target: "jot_issuer", %error, "logout: store unavailable");
                error_page(StatusCode::SERVICE_UNAVAILABLE, super::page::UNAVAILABLE)
            }
            Err(LogoutError::Issuer(error)) => {
                tracing::error!(target: "jot_issuer", %error, "logout failed");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The server failed; try again later.",
                )
            }
        }
    }

    async fn logout_step(&self, headers: &HeaderMap, form: &Form) -> Result<Response, LogoutError> {
        let hint = match form.get("id_token_hint") {
            None => None,
            Some(token) => Some(self.read_id_token_hint(token).ok_or(LogoutError::Page(
                StatusCode::BAD_REQUEST,
                "The id_token_hint is not an ID token of this issuer.",
            ))?),
        };
        let hint_client = hint.as_ref().and_then(|(_, claims)| {
            claims
                .get("aud")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        let client_id = match (form.get("client_id"), hint_client) {
            (Some(given), Some(hinted)) if given != hinted => {
                return Err(LogoutError::Page(
                    StatusCode::BAD_REQUEST,
                    "client_id is not the audience of the id_token_hint.",
                ));
            }
            (Some(given), _) => Some(given.to_owned()),
            (None, hinted) => hinted,
        };
        let target = self.logout_target(form, client_id).await?;
        let session = self.current_session(headers).await?;
        if form.get("csrf").is_some() {
            // The confirmation form.
            let Some(session) = session else {
                return Ok(self.signed_out(&target, None));
            };
            let valid = form
                .get("csrf")
                .is_some_and(|c| secret::constant_time_eq(c, &session.csrf));
            if !valid {
                return Err(LogoutError::Page(
                    StatusCode::FORBIDDEN,
                    "The sign-out form was not sent by the page this browser was given (its CSRF check failed).",
                ));
            }
            let cookie = self.end_session(&session).await?;
            return Ok(self.signed_out(&target, Some(cookie)));
        }
        let Some(session) = session else {
            return Ok(self.signed_out(&target, None));
        };
        let hint_matches = hint.as_ref().is_some_and(|(sub, claims)| {
            *sub == session.sub
                && claims
                    .get("sid")
                    .and_then(Value::as_str)
                    .is_none_or(|sid| sid == session.sid)
        });
        if hint_matches {
            let cookie = self.end_session(&session).await?;
            return Ok(self.signed_out(&target, Some(cookie)));
        }
        Ok(self.confirm_page(&session, &target)?)
    }

    /// The checked `post_logout_redirect_uri`, `state` and client.
    async fn logout_target(
        &self,
        form: &Form,
        client_id: Option<String>,
    ) -> Result<Target, LogoutError> {
        let state = form
            .get("state")
            .filter(|s| s.len() <= 2048)
            .map(str::to_owned);
        let Some(uri) = form.get("post_logout_redirect_uri") else {
            return Ok(Target {
                uri: None,
                state,
                client_id,
            });
        };
        let Some(id) = &client_id else {
            return Err(LogoutError::Page(
                StatusCode::BAD_REQUEST,
                "post_logout_redirect_uri needs a client_id or an id_token_hint.",
            ));
        };
        // A client metadata document that cannot be used names no URI to go back to.
        let client = match self.client(id).await {
            Ok(client) => client,
            Err(ClientLookupError::Document(_)) => None,
            Err(ClientLookupError::Store(e)) => return Err(IssuerError::from(e).into()),
        };
        let registered =
            client.is_some_and(|c| c.post_logout_redirect_uris.iter().any(|r| r == uri));
        if !registered {
            return Err(LogoutError::Page(
                StatusCode::BAD_REQUEST,
                "The post_logout_redirect_uri is not one registered for this client.",
            ));
        }
        Ok(Target {
            uri: Some(uri.to_owned()),
            state,
            client_id,
        })
    }

    fn signed_out(&self, target: &Target, cookie: Option<HeaderValue>) -> Response {
        let cookies: Vec<HeaderValue> = cookie.into_iter().collect();
        if let Some(uri) = &target.uri {
            let params: Vec<(&str, &str)> =
                target.state.iter().map(|s| ("state", s.as_str())).collect();
            return see_other(&redirect::with_params(uri, &params), &cookies);
        }
        let mut page = Page::new(StatusCode::OK, "Signed out")
            .heading("You are signed out")
            .raw("<p id=\"signed-out\">You can close this window.</p>");
        for cookie in cookies {
            page = page.header(http::header::SET_COOKIE, cookie);
        }
        page.into_response()
    }

    fn confirm_page(
        &self,
        session: &SessionRecord,
        target: &Target,
    ) -> Result<Response, IssuerError> {
        let base = &self.login_state()?.base_path;
        let mut fields = hidden("csrf", &session.csrf);
        for (name, value) in [
            ("post_logout_redirect_uri", &target.uri),
            ("state", &target.state),
            ("client_id", &target.client_id),
        ] {
            if let Some(value) = value {
                fields.push_str(&hidden(name, value));
            }
        }
        let mut page = Page::new(StatusCode::OK, "Sign out?").heading("Sign out?");
        if let Some(uri) = &target.uri {
            page = page.form_target(uri);
        }
        Ok(page
            .text("Do you want to sign out of this issuer?")
            .raw(&format!(
                "<form id=\"logout\" method=\"post\" action=\"{}\">\n{fields}\n<button type=\"submit\">Sign out</button>\n</form>",
                super::page::escape(&format!("{base}/logout"))
            ))
            .into_response())
    }
}

enum LogoutError {
    Page(StatusCode, &'static str),
    Issuer(IssuerError),
}

impl From<IssuerError> for LogoutError {
    fn from(e: IssuerError) -> Self {
        LogoutError::Issuer(e)
    }
}
