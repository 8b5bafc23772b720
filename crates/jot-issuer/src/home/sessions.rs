//! The demo's sessions: what it keeps for each browser (a pending sign-in, or the
//! tokens), in memory, under a random cookie that only the server can map to them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::HeaderMap;
use http::header::COOKIE;

use super::client::{DemoError, Pending, TokenSet};

/// The most sessions kept; past it the oldest go first.
const MAX_SESSIONS: usize = 10_000;
/// How long a sign-in or sign-out may take.
const PENDING_TTL: Duration = Duration::from_secs(10 * 60);
/// How long the demo keeps a signed-in person's tokens without a visit.
const SIGNED_IN_TTL: Duration = Duration::from_secs(12 * 60 * 60);

/// What the demo knows about one browser.
#[derive(Clone, Debug)]
pub(super) enum Stage {
    /// Sent to the authorization endpoint; waiting for the callback.
    SigningIn(Pending),
    /// Signed in: the current tokens, the latest ID token with the access token
    /// issued with it (for `at_hash`) and the request's nonce, and what `/userinfo`
    /// said.
    SignedIn {
        tokens: TokenSet,
        id_token: String,
        id_token_access_token: String,
        nonce: String,
        userinfo: Result<serde_json::Value, String>,
    },
    /// Sent to the issuer's logout; waiting to come back with this `state`.
    SigningOut { state: String },
}

/// A browser's session: its stage and the CSRF token of the page's forms.
#[derive(Clone, Debug)]
pub(super) struct Session {
    pub(super) stage: Stage,
    pub(super) csrf: String,
}

/// Every browser's session, by cookie value.
#[derive(Default)]
pub(super) struct Sessions {
    map: Mutex<HashMap<String, (Session, Instant)>>,
}

impl Sessions {
    /// The session of this cookie value, if it is alive (and marks it used).
    pub(super) fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.lock();
        let (session, touched) = map.get_mut(id)?;
        if touched.elapsed() > ttl(&session.stage) {
            map.remove(id);
            return None;
        }
        *touched = Instant::now();
        Some(session.clone())
    }

    /// Stores `stage` under a new cookie value (the old one, if any, is dropped: a
    /// session id never survives a change of stage). Returns the new value.
    pub(super) fn start(&self, old: Option<&str>, stage: Stage) -> Result<String, DemoError> {
        let id = crate::secret::random_token(32).map_err(|_| DemoError::Random)?;
        let csrf = crate::secret::random_token(32).map_err(|_| DemoError::Random)?;
        let mut map = self.lock();
        if let Some(old) = old {
            map.remove(old);
        }
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, (session, touched)| touched.elapsed() <= ttl(&session.stage));
        }
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, (_, touched))| *touched)
                .map(|(id, _)| id.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(id.clone(), (Session { stage, csrf }, Instant::now()));
        Ok(id)
    }

    /// Replaces the stage of a live session, keeping its id and CSRF token.
    pub(super) fn update(&self, id: &str, stage: Stage) {
        if let Some((session, touched)) = self.lock().get_mut(id) {
            session.stage = stage;
            *touched = Instant::now();
        }
    }

    /// Forgets a session.
    pub(super) fn remove(&self, id: &str) -> Option<Session> {
        self.lock().remove(id).map(|(session, _)| session)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Session, Instant)>> {
        // The map stays consistent even if a holder panicked: every change is one call.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn ttl(stage: &Stage) -> Duration {
    match stage {
        Stage::SignedIn { .. } => SIGNED_IN_TTL,
        Stage::SigningIn(_) | Stage::SigningOut { .. } => PENDING_TTL,
    }
}

/// The cookie's name: `__Host-jot_demo` on https (with `Secure`), else `jot_demo`.
pub(super) fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-jot_demo"
    } else {
        "jot_demo"
    }
}

/// The `Set-Cookie` value that stores `id` (or, for `None`, deletes the cookie).
pub(super) fn set_cookie(secure: bool, id: Option<&str>) -> String {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    match id {
        Some(id) => format!("{name}={id}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// The value of the demo's cookie in the request (the first, if it came twice).
pub(super) fn cookie(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_stage_gets_a_new_id_and_the_old_one_dies() {
        let sessions = Sessions::default();
        let first = sessions
            .start(None, Stage::SigningOut { state: "s".into() })
            .unwrap();
        assert!(sessions.get(&first).is_some());
        let second = sessions
            .start(Some(&first), Stage::SigningOut { state: "t".into() })
            .unwrap();
        assert_ne!(first, second);
        assert!(sessions.get(&first).is_none());
        assert!(sessions.remove(&second).is_some());
        assert!(sessions.get(&second).is_none());
    }

    #[test]
    fn cookies_are_http_only_and_read_back() {
        let set = set_cookie(true, Some("abc"));
        assert_eq!(
            set,
            "__Host-jot_demo=abc; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "a=b; jot_demo=xyz; c=d".parse().unwrap());
        assert_eq!(cookie(&headers, false).as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, true), None);
        assert!(set_cookie(false, None).contains("Max-Age=0"));
    }
}
