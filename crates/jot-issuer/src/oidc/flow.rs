//! The authorization code flow in the browser: `/authorize` decides whether the
//! user must sign in or consent; the login and consent pages do so; then a code
//! goes back to the client's redirect URI with `state` and `iss` (RFC 9207).
//!
//! A request waiting for the user is a [`PendingRecord`] (10 minutes, single
//! use). Its forms are accepted only with its CSRF token and from the browser that
//! made the request (the `jot_browser` cookie).

use std::net::IpAddr;

use axum::response::Response;
use http::{HeaderMap, HeaderValue, StatusCode};

use super::authorize::{AuthRequest, Refused};
use super::page::{Page, error_page, escape, hidden, see_other};
use super::scope_description;
use super::session::CookieName;
use crate::request::Form;
use crate::store::{ClientRecord, CodeRecord, ConsentRecord, PendingRecord, SessionRecord};
use crate::throttle::Key;
use crate::untrusted::untrusted;
use crate::users::User;
use crate::{Issuer, IssuerError, redirect, secret};

/// How long a pending request waits for the user, in seconds.
pub(crate) const PENDING_TTL: u64 = 10 * 60;
/// How long an authorization code is valid, in seconds.
pub(crate) const CODE_TTL: u64 = 60;

const WRONG_CREDENTIALS: &str = "Wrong username or password.";
const EXPIRED: &str = "This sign-in request expired or was already completed. Go back to the application and start again.";
const FORGED: &str = "The form was not sent by the page this browser was given (its CSRF check failed). Go back to the application and start again.";

/// The outcome of a step of the flow.
type Step = Result<Response, Refused>;

impl Issuer {
    /// `GET|POST /authorize`.
    pub(crate) async fn authorize(&self, headers: &HeaderMap, form: &Form) -> Response {
        let step = async {
            let (request, client) = self.read_authorization(form).await?;
            let session = self.current_session(headers).await?;
            self.proceed(headers, request, &client, session, false, Vec::new())
                .await
        };
        self.respond(step.await)
    }

    /// `GET /login`.
    pub(crate) async fn login_page(&self, headers: &HeaderMap, form: &Form) -> Response {
        let step = async {
            let (pending, request, client) = self.pending(form).await?;
            if !self.same_browser(headers, &pending) {
                return Err(Refused::Page(StatusCode::FORBIDDEN, FORGED.into()));
            }
            let username = request.login_hint.as_deref().unwrap_or("");
            Ok(login_form(
                &self.login_state()?.base_path,
                &pending,
                &request,
                &client,
                username,
                None,
                StatusCode::OK,
            )
            .into_response())
        };
        self.respond(step.await)
    }

    /// `POST /login`.
    pub(crate) async fn login(
        &self,
        headers: &HeaderMap,
        form: &Form,
        ip: Option<IpAddr>,
    ) -> Response {
        let step = async {
            let (pending, request, client) = self.pending(form).await?;
            if !self.same_browser(headers, &pending) || !csrf_ok(form, &pending) {
                tracing::info!(target: "jot_issuer", client_id = %request.client_id, "login form refused: CSRF check failed");
                return Err(Refused::Page(StatusCode::FORBIDDEN, FORGED.into()));
            }
            let username = form.get("username").unwrap_or("");
            let password = form.get("password").unwrap_or("");
            let again = |error: &str, status| {
                Ok(login_form(
                    &self.login_state()?.base_path,
                    &pending,
                    &request,
                    &client,
                    username,
                    Some(error),
                    status,
                )
                .into_response())
            };
            if username.is_empty() || password.is_empty() {
                return again("Enter your username and password.", StatusCode::OK);
            }
            let state = self.login_state()?;
            let user_key = Key::username(username);
            let mut keys = vec![user_key];
            keys.extend(ip.map(Key::Ip));
            let now = self.now();
            if let Err(wait) = state.throttle.check(&keys, now) {
                tracing::warn!(target: "jot_issuer", username = %untrusted(username), ip = ?ip, wait, "login throttled");
                crate::meter::login_failed("throttled");
                let message = format!("Too many failed sign-ins. Try again in {wait} seconds.");
                let mut response = again(&message, StatusCode::TOO_MANY_REQUESTS)?;
                response
                    .headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from(wait));
                return Ok(response);
            }
            let user = match state.authenticator.authenticate(username, password).await {
                Ok(user) => user.filter(|u| !u.disabled),
                Err(IssuerError::Busy) => {
                    return again(
                        "The server is busy. Try again in a moment.",
                        StatusCode::SERVICE_UNAVAILABLE,
                    );
                }
                Err(e) => return Err(e.into()),
            };
            let Some(user) = user else {
                state.throttle.failed(&keys, now);
                crate::meter::login_failed("invalid");
                tracing::info!(target: "jot_issuer", username = %untrusted(username), ip = ?ip, client_id = %request.client_id, "login failed");
                return again(WRONG_CREDENTIALS, StatusCode::OK);
            };
            state.throttle.succeeded(&user_key);
            if self.inner.store.take_pending(&pending.id).await?.is_none() {
                return Err(Refused::Page(StatusCode::BAD_REQUEST, EXPIRED.into()));
            }
            let (session, cookie) = self.start_session(headers, &user.sub).await?;
            tracing::info!(target: "jot_issuer", sub = %user.sub, sid = %session.sid, client_id = %request.client_id, "signed in");
            self.proceed(headers, request, &client, Some(session), true, vec![cookie])
                .await
        };
        self.respond(step.await)
    }

    /// `GET /consent`.
    pub(crate) async fn consent_page(&self, headers: &HeaderMap, form: &Form) -> Response {
        let step = async {
            let (pending, request, client) = self.pending(form).await?;
            if !self.same_browser(headers, &pending) {
                return Err(Refused::Page(StatusCode::FORBIDDEN, FORGED.into()));
            }
            self.consenting_user(headers, &request).await?;
            Ok(consent_form(
                &self.login_state()?.base_path,
                &pending,
                &request,
                &client,
            ))
        };
        self.respond(step.await)
    }

    /// `POST /consent`.
    pub(crate) async fn consent(&self, headers: &HeaderMap, form: &Form) -> Response {
        let step = async {
            let (pending, request, client) = self.pending(form).await?;
            if !self.same_browser(headers, &pending) || !csrf_ok(form, &pending) {
                return Err(Refused::Page(StatusCode::FORBIDDEN, FORGED.into()));
            }
            let (session, user) = self.consenting_user(headers, &request).await?;
            if self.inner.store.take_pending(&pending.id).await?.is_none() {
                return Err(Refused::Page(StatusCode::BAD_REQUEST, EXPIRED.into()));
            }
            if form.get("decision") != Some("allow") {
                tracing::info!(target: "jot_issuer", sub = %user.sub, client_id = %client.client_id, "consent denied");
                return Err(request.error("access_denied", "the user denied the request"));
            }
            let mut scopes = match self
                .inner
                .store
                .get_consent(&user.sub, &client.client_id)
                .await?
            {
                Some(consent) => consent.scopes,
                None => Vec::new(),
            };
            for scope in &request.scope {
                if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
            self.inner
                .store
                .put_consent(ConsentRecord {
                    sub: user.sub.clone(),
                    client_id: client.client_id.clone(),
                    scopes,
                    granted_at: self.now(),
                })
                .await?;
            tracing::info!(target: "jot_issuer", sub = %user.sub, client_id = %client.client_id, "consent given");
            self.issue_code(&request, &session, Vec::new()).await
        };
        self.respond(step.await)
    }

    /// The user behind a live session, if it still exists and is enabled.
    pub(crate) async fn session_user(&self, sub: &str) -> Result<Option<User>, IssuerError> {
        let state = self.login_state()?;
        Ok(state
            .authenticator
            .lookup(sub)
            .await?
            .filter(|u| !u.disabled))
    }

    /// Signs in, asks for consent, or issues the code, as the request needs.
    async fn proceed(
        &self,
        headers: &HeaderMap,
        mut request: AuthRequest,
        client: &ClientRecord,
        session: Option<SessionRecord>,
        fresh_login: bool,
        cookies: Vec<HeaderValue>,
    ) -> Step {
        let now = self.now();
        let signed_in = match session {
            Some(session) => self
                .session_user(&session.sub)
                .await?
                .map(|user| (session, user)),
            None => None,
        };
        let needs_login = !fresh_login
            && match &signed_in {
                None => true,
                Some((session, user)) => {
                    request.prompt.login
                        || request
                            .max_age
                            .is_some_and(|max| now.saturating_sub(session.auth_time) > max)
                        || request.hint_sub.as_ref().is_some_and(|h| *h != user.sub)
                }
            };
        let Some((session, user)) = signed_in.filter(|_| !needs_login) else {
            if request.prompt.none {
                return Err(request.error("login_required", "the user is not signed in"));
            }
            return self.wait_for_user(headers, request, "login", cookies).await;
        };
        if self.needs_consent(client, &user, &request).await? {
            if request.prompt.none {
                return Err(request.error("consent_required", "the user has not consented"));
            }
            request.sub = Some(user.sub);
            return self
                .wait_for_user(headers, request, "consent", cookies)
                .await;
        }
        self.issue_code(&request, &session, cookies).await
    }

    async fn needs_consent(
        &self,
        client: &ClientRecord,
        user: &User,
        request: &AuthRequest,
    ) -> Result<bool, IssuerError> {
        if request.prompt.consent {
            return Ok(true);
        }
        if client.first_party {
            return Ok(false);
        }
        let consent = self
            .inner
            .store
            .get_consent(&user.sub, &client.client_id)
            .await?;
        Ok(!consent.is_some_and(|c| request.scope.iter().all(|s| c.scopes.contains(s))))
    }

    /// Stores the request as pending and sends the browser to its login or consent page.
    async fn wait_for_user(
        &self,
        headers: &HeaderMap,
        request: AuthRequest,
        page: &str,
        mut cookies: Vec<HeaderValue>,
    ) -> Step {
        let state = self.login_state()?;
        let browser = match state.cookie(headers, CookieName::Browser) {
            Some(value) => value.to_owned(),
            None => {
                let value = secret::random_token(32).map_err(IssuerError::from)?;
                cookies.push(state.set_cookie(CookieName::Browser, &value, None));
                value
            }
        };
        let now = self.now();
        let id = secret::random_token(16).map_err(IssuerError::from)?;
        let pending = PendingRecord {
            id: id.clone(),
            browser_hash: secret::sha256_b64(browser.as_bytes()),
            csrf: secret::random_token(32).map_err(IssuerError::from)?,
            // A struct of strings, numbers and booleans: it always serializes.
            request: serde_json::to_value(&request).unwrap_or_default(),
            created_at: now,
            expires_at: now + PENDING_TTL,
        };
        self.inner.store.put_pending(pending).await?;
        let location = format!("{}/{page}?request={id}", state.base_path);
        Ok(see_other(&location, &cookies))
    }

    /// Issues an authorization code and sends it to the redirect URI.
    async fn issue_code(
        &self,
        request: &AuthRequest,
        session: &SessionRecord,
        cookies: Vec<HeaderValue>,
    ) -> Step {
        let code = secret::random_token(32).map_err(IssuerError::from)?;
        let now = self.now();
        self.inner
            .store
            .insert_code(CodeRecord {
                code_hash: secret::sha256_b64(code.as_bytes()),
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                code_challenge: request.code_challenge.clone(),
                sub: session.sub.clone(),
                scope: request.scope.clone(),
                nonce: request.nonce.clone(),
                auth_time: session.auth_time,
                sid: session.sid.clone(),
                id_token_claims: request.id_token_claims.clone(),
                issued_at: now,
                expires_at: now + CODE_TTL,
                issued: None,
                resource: request.resource.clone(),
                dpop_jkt: request.dpop_jkt.clone(),
            })
            .await?;
        tracing::info!(target: "jot_issuer", client_id = %request.client_id, sub = %session.sub, "authorization code issued");
        let mut params = vec![("code", code.as_str())];
        if let Some(state) = &request.state {
            params.push(("state", state));
        }
        params.push(("iss", self.url()));
        Ok(see_other(
            &redirect::with_params(&request.redirect_uri, &params),
            &cookies,
        ))
    }

    /// The pending request a form names, its request and client.
    async fn pending(
        &self,
        form: &Form,
    ) -> Result<(PendingRecord, AuthRequest, ClientRecord), Refused> {
        let expired = || Refused::Page(StatusCode::BAD_REQUEST, EXPIRED.into());
        let id = form.get("request").ok_or_else(expired)?;
        let pending = self.inner.store.get_pending(id).await?;
        let pending = pending
            .filter(|p| p.expires_at > self.now())
            .ok_or_else(expired)?;
        let request: AuthRequest =
            serde_json::from_value(pending.request.clone()).map_err(|_| expired())?;
        let client = self
            .client(&request.client_id)
            .await?
            .filter(|c| redirect::matches(&c.redirect_uris, &request.redirect_uri))
            .ok_or_else(expired)?;
        Ok((pending, request, client))
    }

    /// The session and user a consent form acts for: the one who signed in.
    async fn consenting_user(
        &self,
        headers: &HeaderMap,
        request: &AuthRequest,
    ) -> Result<(SessionRecord, User), Refused> {
        let refused = || {
            Refused::Page(StatusCode::FORBIDDEN, "You are not signed in as the user this request is for. Go back to the application and start again.".into())
        };
        let session = self.current_session(headers).await?.ok_or_else(refused)?;
        if request.sub.as_deref() != Some(session.sub.as_str()) {
            return Err(refused());
        }
        let user = self.session_user(&session.sub).await?.ok_or_else(refused)?;
        Ok((session, user))
    }

    fn same_browser(&self, headers: &HeaderMap, pending: &PendingRecord) -> bool {
        self.login_state().is_ok_and(|state| {
            state.cookie(headers, CookieName::Browser).is_some_and(|b| {
                secret::constant_time_eq(&secret::sha256_b64(b.as_bytes()), &pending.browser_hash)
            })
        })
    }

    /// The response of a step: its page or redirect, or the refusal's.
    fn respond(&self, step: Step) -> Response {
        match step {
            Ok(response) => response,
            Err(Refused::Page(status, message)) => error_page(status, &message),
            Err(Refused::Redirect(e)) => {
                tracing::info!(target: "jot_issuer", error = e.error, description = %crate::untrusted::escaped(&e.description), "authorization request refused");
                let mut params = vec![("error", e.error), ("error_description", &*e.description)];
                if let Some(state) = &e.state {
                    params.push(("state", state));
                }
                params.push(("iss", self.url()));
                see_other(&redirect::with_params(&e.redirect_uri, &params), &[])
            }
        }
    }
}

fn csrf_ok(form: &Form, pending: &PendingRecord) -> bool {
    form.get("csrf")
        .is_some_and(|csrf| secret::constant_time_eq(csrf, &pending.csrf))
}

fn client_name(client: &ClientRecord) -> &str {
    client.name.as_deref().unwrap_or(&client.client_id)
}

/// The login page.
fn login_form(
    base: &str,
    pending: &PendingRecord,
    request: &AuthRequest,
    client: &ClientRecord,
    username: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Page {
    let mut page = Page::new(status, &format!("Sign in to {}", client_name(client)))
        .form_target(&request.redirect_uri)
        .heading("Sign in")
        .raw(&format!(
            "<p>to continue to <strong class=\"client\">{}</strong></p>",
            escape(client_name(client))
        ));
    if let Some(error) = error {
        page = page.error(error);
    }
    page.raw(&format!(
        "<form id=\"login\" method=\"post\" action=\"{action}\">\n{csrf}{request}\n\
         <label for=\"username\">Username</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" value=\"{username}\" required{focus_user}>\n\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required{focus_password}>\n\
         <button type=\"submit\">Sign in</button>\n</form>",
        action = escape(&format!("{}/login", base)),
        csrf = hidden("csrf", &pending.csrf),
        request = hidden("request", &pending.id),
        username = escape(username),
        focus_user = if username.is_empty() { " autofocus" } else { "" },
        focus_password = if username.is_empty() { "" } else { " autofocus" },
    ))
}

/// The consent page.
fn consent_form(
    base: &str,
    pending: &PendingRecord,
    request: &AuthRequest,
    client: &ClientRecord,
) -> Response {
    let scopes: String = request
        .scope
        .iter()
        .map(|s| {
            format!(
                "<li><code>{}</code>: {}</li>",
                escape(s),
                escape(scope_description(s))
            )
        })
        .collect();
    Page::new(StatusCode::OK, &format!("Allow {}?", client_name(client)))
        .form_target(&request.redirect_uri)
        .heading("Allow access?")
        .raw(&format!(
            "<p><strong class=\"client\">{}</strong> asks to:</p>\n<ul class=\"scopes\">{scopes}</ul>",
            escape(client_name(client))
        ))
        .raw(&format!(
            "<form id=\"consent\" method=\"post\" action=\"{action}\">\n{csrf}{request}\n\
             <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>",
            action = escape(&format!("{}/consent", base)),
            csrf = hidden("csrf", &pending.csrf),
            request = hidden("request", &pending.id),
        ))
        .into_response()
}
