//! Cookies and login sessions. The session cookie holds 256 random bits; the store
//! keeps only their SHA-256. A login always starts a new session (a new id: no
//! fixation) and ends the one the browser had.
//!
//! Cookies: `jot_session` and `jot_browser` (the browser that started an
//! authorization request), `HttpOnly; SameSite=Lax; Path=/`; with secure cookies
//! (an https issuer) `__Host-jot_session` and `__Host-jot_browser` with `Secure`.

use http::{HeaderMap, HeaderValue, header};

use crate::login::LoginState;
use crate::store::{FamilyOwner, SessionRecord};
use crate::{Issuer, IssuerError, secret};

/// The session cookie's name, without prefix.
const SESSION: &str = "jot_session";
/// The browser cookie's name, without prefix.
const BROWSER: &str = "jot_browser";

/// Which cookie.
#[derive(Clone, Copy, Debug)]
pub(crate) enum CookieName {
    Session,
    Browser,
}

impl LoginState {
    pub(crate) fn cookie_name(&self, which: CookieName) -> String {
        let base = match which {
            CookieName::Session => SESSION,
            CookieName::Browser => BROWSER,
        };
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    /// A `Set-Cookie` value; `max_age: Some(0)` deletes the cookie.
    pub(crate) fn set_cookie(
        &self,
        which: CookieName,
        value: &str,
        max_age: Option<u64>,
    ) -> HeaderValue {
        let mut cookie = format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax",
            self.cookie_name(which)
        );
        if self.secure {
            cookie.push_str("; Secure");
        }
        if let Some(age) = max_age {
            cookie.push_str(&format!("; Max-Age={age}"));
        }
        // Names are fixed and values base64url: always a valid header value.
        HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The value of a cookie of the request.
    pub(crate) fn cookie<'h>(&self, headers: &'h HeaderMap, which: CookieName) -> Option<&'h str> {
        let name = self.cookie_name(which);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty() && v.len() <= 256)
    }
}

impl Issuer {
    /// The login settings; only called from login routes, which exist only when
    /// the login is enabled.
    pub(crate) fn login_state(&self) -> Result<&LoginState, IssuerError> {
        self.inner.login.as_ref().ok_or(IssuerError::LoginDisabled)
    }

    /// The live session of the request's cookie, if any.
    pub(crate) async fn current_session(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<SessionRecord>, IssuerError> {
        let state = self.login_state()?;
        let Some(value) = state.cookie(headers, CookieName::Session) else {
            return Ok(None);
        };
        let hash = secret::sha256_b64(value.as_bytes());
        let session = self.inner.store.get_session(&hash).await?;
        Ok(session.filter(|s| s.expires_at > self.now()))
    }

    /// Starts a new session for `sub` (ending the request's old one, if any):
    /// the record and its `Set-Cookie`.
    pub(crate) async fn start_session(
        &self,
        headers: &HeaderMap,
        sub: &str,
    ) -> Result<(SessionRecord, HeaderValue), IssuerError> {
        let state = self.login_state()?;
        if let Some(old) = state.cookie(headers, CookieName::Session) {
            let old_hash = secret::sha256_b64(old.as_bytes());
            if let Some(old) = self.inner.store.remove_session(&old_hash).await? {
                if old.sub != sub {
                    // Another user signs in on this browser: the first one's
                    // refresh tokens from this session go with it.
                    self.revoke_session_grants(&old).await?;
                }
            }
        }
        let value = secret::random_token(32)?;
        let now = self.now();
        let session = SessionRecord {
            id_hash: secret::sha256_b64(value.as_bytes()),
            sid: secret::random_token(16)?,
            sub: sub.to_owned(),
            auth_time: now,
            csrf: secret::random_token(32)?,
            created_at: now,
            expires_at: now + state.session_ttl,
        };
        self.inner.store.insert_session(session.clone()).await?;
        let cookie = state.set_cookie(CookieName::Session, &value, Some(state.session_ttl));
        Ok((session, cookie))
    }

    /// Ends a session and revokes the refresh tokens obtained through it; returns
    /// the `Set-Cookie` that clears the cookie.
    pub(crate) async fn end_session(
        &self,
        session: &SessionRecord,
    ) -> Result<HeaderValue, IssuerError> {
        let state = self.login_state()?;
        self.inner.store.remove_session(&session.id_hash).await?;
        self.revoke_session_grants(session).await?;
        tracing::info!(target: "jot_issuer", sub = %session.sub, sid = %session.sid, "session ended");
        Ok(state.set_cookie(CookieName::Session, "", Some(0)))
    }

    async fn revoke_session_grants(&self, session: &SessionRecord) -> Result<(), IssuerError> {
        let until = self.now() + self.inner.refresh_ttl;
        let families = self
            .inner
            .store
            .revoke_families_of(FamilyOwner::Session(&session.sid), until)
            .await?;
        if families > 0 {
            tracing::info!(target: "jot_issuer", sid = %session.sid, families, "refresh tokens of the session revoked");
        }
        Ok(())
    }
}
