//! [`Validation`]: what a decoded token must satisfy besides its signature.

use alloc::string::String;
use alloc::vec::Vec;

use serde::de::DeserializeOwned;

use crate::claims::{Claims, REGISTERED_CLAIMS, claims_from_json};
use crate::error::{Error, clip_untrusted};
use crate::{Algorithm, Clock, Header, NumericDate};

/// The default maximum token length: 64 KiB.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 64 * 1024;

/// The default clock-skew allowance, in seconds (the same as `jsonwebtoken`'s).
pub const DEFAULT_LEEWAY: u64 = 60;

/// The rules a token's header and claims must meet, built step by step.
///
/// Defaults, safest first: `exp` required and checked; `nbf` checked when present;
/// `iat` must not be in the future; 60 s leeway; a token that carries `aud` is
/// refused unless an accepted audience is configured (or
/// [`Validation::danger_ignore_audience`] is called); 64 KiB maximum token size.
/// The algorithms accepted are those the key was built for; [`Validation::algorithms`]
/// narrows them further.
///
/// ```
/// use jot_codec::Validation;
/// let validation = Validation::new()
///     .issuer("https://auth.example")
///     .audience("api")
///     .typ("at+jwt")
///     .leeway(30)
///     .require("scope");
/// # let _ = validation;
/// ```
#[derive(Clone, Debug)]
pub struct Validation {
    algorithms: Option<Vec<Algorithm>>,
    leeway: u64,
    require_exp: bool,
    check_nbf: bool,
    check_iat: bool,
    max_age: Option<u64>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    ignore_audience: bool,
    subject: Option<String>,
    typ: Option<String>,
    required: Vec<String>,
    critical: Vec<String>,
    max_token_len: usize,
}

impl Default for Validation {
    fn default() -> Self {
        Validation::new()
    }
}

impl Validation {
    /// The safe defaults described above.
    pub fn new() -> Validation {
        Validation {
            algorithms: None,
            leeway: DEFAULT_LEEWAY,
            require_exp: true,
            check_nbf: true,
            check_iat: true,
            max_age: None,
            issuers: Vec::new(),
            audiences: Vec::new(),
            ignore_audience: false,
            subject: None,
            typ: None,
            required: Vec::new(),
            critical: Vec::new(),
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
        }
    }

    /// Accepts only these algorithms (on top of the key's own restriction).
    ///
    /// ```
    /// use jot_codec::{Algorithm, Validation};
    /// let v = Validation::new().algorithms([Algorithm::ES256, Algorithm::EdDSA]);
    /// assert!(v.allows(Algorithm::ES256) && !v.allows(Algorithm::HS256));
    /// ```
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// Clock-skew allowance in seconds for `exp`, `nbf` and `iat`.
    pub fn leeway(mut self, secs: u64) -> Self {
        self.leeway = secs;
        self
    }

    /// Whether `exp` must be present (default: true). When present it is always checked.
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = required;
        self
    }

    /// Whether `nbf` is checked when present (default: true).
    pub fn check_nbf(mut self, check: bool) -> Self {
        self.check_nbf = check;
        self
    }

    /// Whether an `iat` in the future is refused (default: true).
    pub fn check_iat(mut self, check: bool) -> Self {
        self.check_iat = check;
        self
    }

    /// Refuses tokens issued (`iat`) more than `secs` ago; makes `iat` required.
    pub fn max_age(mut self, secs: u64) -> Self {
        self.max_age = Some(secs);
        self
    }

    /// Accepts this issuer (call again to accept several); makes `iss` required.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuers.push(iss.into());
        self
    }

    /// Accepts any of these issuers.
    pub fn issuers<S: Into<String>>(mut self, iss: impl IntoIterator<Item = S>) -> Self {
        self.issuers.extend(iss.into_iter().map(Into::into));
        self
    }

    /// Accepts tokens for this audience (call again to accept several); makes `aud` required.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audiences.push(aud.into());
        self
    }

    /// Accepts tokens for any of these audiences.
    pub fn audiences<S: Into<String>>(mut self, aud: impl IntoIterator<Item = S>) -> Self {
        self.audiences.extend(aud.into_iter().map(Into::into));
        self
    }

    /// Does not check `aud` at all. Dangerous: a token minted for another service
    /// would be accepted. Use only when no audience is ever set by the issuer.
    pub fn danger_ignore_audience(mut self) -> Self {
        self.ignore_audience = true;
        self
    }

    /// Requires `sub` to be exactly this.
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.subject = Some(sub.into());
        self
    }

    /// Requires the header `typ` to be this media type (compared case-insensitively,
    /// with an optional `application/` prefix, RFC 7515 §4.1.9), e.g. `at+jwt`.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Requires a claim (registered or custom) to be present.
    pub fn require(mut self, claim: impl Into<String>) -> Self {
        self.required.push(claim.into());
        self
    }

    /// Declares that the application understands this critical header parameter.
    pub fn understand_critical(mut self, name: impl Into<String>) -> Self {
        self.critical.push(name.into());
        self
    }

    /// Sets the maximum token length in bytes, checked before any decoding.
    pub fn max_token_len(mut self, len: usize) -> Self {
        self.max_token_len = len;
        self
    }

    /// The maximum token length in bytes.
    pub fn token_len_limit(&self) -> usize {
        self.max_token_len
    }

    /// Whether this validation lets `alg` through (the key decides too).
    pub fn allows(&self, alg: Algorithm) -> bool {
        self.algorithms
            .as_ref()
            .is_none_or(|list| list.contains(&alg))
    }

    /// Parses `payload` as a JWT claims set and checks it against these rules at
    /// `clock`'s time, with `header` for the `typ` rule: the claim checks of
    /// [`decode_with_clock`](crate::decode_with_clock), for a payload whose signature
    /// was verified another way, such as [`VerifiedJws::payload`](crate::VerifiedJws::payload)
    /// of a JWS in the JSON serialization. The algorithm gate and `crit` are the
    /// signature's business and are not checked here.
    ///
    /// ```
    /// use jot_codec::{Error, FixedClock, Header, Validation};
    /// let validation = Validation::new().issuer("https://auth.example");
    /// let clock = FixedClock::at(1_000);
    /// let payload = br#"{"iss":"https://auth.example","exp":2000}"#;
    /// let claims = validation.validate_claims::<(), _>(&Header::new(), payload, &clock)?;
    /// assert_eq!(claims.iss.as_deref(), Some("https://auth.example"));
    ///
    /// let late = FixedClock::at(3_000);
    /// let result = validation.validate_claims::<(), _>(&Header::new(), payload, &late);
    /// assert!(matches!(result, Err(Error::Expired { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn validate_claims<T, C>(
        &self,
        header: &Header,
        payload: &[u8],
        clock: &C,
    ) -> Result<Claims<T>, Error>
    where
        T: DeserializeOwned,
        C: Clock + ?Sized,
    {
        let mut names = Vec::new();
        let claims = claims_from_json::<T>(payload, self.wants_names().then_some(&mut names))?;
        self.check(header, &claims, &names, clock.now())?;
        Ok(claims)
    }

    /// Only the checks that depend on the time — `exp` (present when required, not
    /// passed), `nbf`, `iat` not in the future and the maximum age, with the leeway —
    /// at `clock`'s time. For claims that already passed *every* check of these same
    /// rules once, such as a cached token: nothing else in them can change with time,
    /// so this gives the same answer a full check would give now.
    ///
    /// ```
    /// use jot_codec::{Claims, Error, FixedClock, Validation};
    /// let validation = Validation::new().leeway(10);
    /// let claims = Claims::new(()).expires_at(FixedClock::at(2_000).0);
    /// assert!(validation.check_times(&claims, &FixedClock::at(2_009)).is_ok());
    /// let late = validation.check_times(&claims, &FixedClock::at(2_010));
    /// assert!(matches!(late, Err(Error::Expired { .. })));
    /// ```
    pub fn check_times<T, C>(&self, claims: &Claims<T>, clock: &C) -> Result<(), Error>
    where
        C: Clock + ?Sized,
    {
        self.check_times_at(claims, clock.now())
    }

    pub(crate) fn understands(&self, name: &str) -> bool {
        self.critical.iter().any(|c| c == name)
    }

    fn needs_custom_names(&self) -> bool {
        self.required
            .iter()
            .any(|c| !REGISTERED_CLAIMS.contains(&c.as_str()))
    }

    /// Whether `decode` must collect member names for this validation.
    pub(crate) fn wants_names(&self) -> bool {
        self.needs_custom_names()
    }

    /// Checks header and claims at time `now`. `names` holds the claims' member
    /// names when [`Validation::wants_names`] asked for them.
    pub(crate) fn check<T>(
        &self,
        header: &Header,
        claims: &Claims<T>,
        names: &[String],
        now: NumericDate,
    ) -> Result<(), Error> {
        for claim in &self.required {
            let present = match claim.as_str() {
                "iss" => claims.iss.is_some(),
                "sub" => claims.sub.is_some(),
                "aud" => claims.aud.is_some(),
                "exp" => claims.exp.is_some(),
                "nbf" => claims.nbf.is_some(),
                "iat" => claims.iat.is_some(),
                "jti" => claims.jti.is_some(),
                other => names.iter().any(|n| n == other),
            };
            if !present {
                return Err(Error::MissingClaim {
                    claim: clip_untrusted(claim),
                });
            }
        }
        self.check_times_at(claims, now)?;
        if !self.issuers.is_empty() {
            match &claims.iss {
                None => {
                    return Err(Error::MissingClaim {
                        claim: String::from("iss"),
                    });
                }
                Some(iss) if !self.issuers.iter().any(|i| i == iss) => {
                    return Err(Error::WrongIssuer {
                        found: clip_untrusted(iss),
                    });
                }
                Some(_) => {}
            }
        }
        if !self.ignore_audience {
            match (&claims.aud, self.audiences.is_empty()) {
                (None, true) => {}
                (None, false) => {
                    return Err(Error::MissingClaim {
                        claim: String::from("aud"),
                    });
                }
                (Some(_), true) => return Err(Error::WrongAudience),
                (Some(aud), false) => {
                    if !aud.iter().any(|a| self.audiences.iter().any(|x| x == a)) {
                        return Err(Error::WrongAudience);
                    }
                }
            }
        }
        if let Some(sub) = &self.subject {
            match &claims.sub {
                None => {
                    return Err(Error::MissingClaim {
                        claim: String::from("sub"),
                    });
                }
                Some(found) if found != sub => {
                    return Err(Error::WrongSubject {
                        found: clip_untrusted(found),
                    });
                }
                Some(_) => {}
            }
        }
        if let Some(typ) = &self.typ {
            if !header
                .typ
                .as_deref()
                .is_some_and(|found| media_type_eq(found, typ))
            {
                return Err(Error::WrongType {
                    found: header.typ.as_deref().map(clip_untrusted),
                });
            }
        }
        Ok(())
    }

    /// The time checks of [`Validation::check`], at time `now`.
    fn check_times_at<T>(&self, claims: &Claims<T>, now: NumericDate) -> Result<(), Error> {
        // RFC 7519 §4.1.4: the current time MUST be before exp.
        match claims.exp {
            Some(exp) if now >= exp.saturating_add(self.leeway) => {
                return Err(Error::Expired { exp, now });
            }
            None if self.require_exp => {
                return Err(Error::MissingClaim {
                    claim: String::from("exp"),
                });
            }
            _ => {}
        }
        if let (true, Some(nbf)) = (self.check_nbf, claims.nbf) {
            if now.saturating_add(self.leeway) < nbf {
                return Err(Error::NotYetValid { nbf, now });
            }
        }
        if let (true, Some(iat)) = (self.check_iat, claims.iat) {
            if now.saturating_add(self.leeway) < iat {
                return Err(Error::IssuedInFuture { iat, now });
            }
        }
        if let Some(max_age) = self.max_age {
            let iat = claims.iat.ok_or_else(|| Error::MissingClaim {
                claim: String::from("iat"),
            })?;
            if now > iat.saturating_add(max_age.saturating_add(self.leeway)) {
                return Err(Error::TooOld { iat, now, max_age });
            }
        }
        Ok(())
    }
}

/// Compares media types as RFC 7515 §4.1.9 says: case-insensitively, with
/// `application/` optional when no other `/` appears.
pub(crate) fn media_type_eq(a: &str, b: &str) -> bool {
    fn short(t: &str) -> &str {
        match t.get(..12) {
            Some(p) if p.eq_ignore_ascii_case("application/") && !t[12..].contains('/') => &t[12..],
            _ => t,
        }
    }
    short(a).eq_ignore_ascii_case(short(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;
    use serde_json::{Map, Value};

    #[test]
    fn validate_claims_applies_every_rule() {
        let clock = FixedClock::at(1_000);
        let header = Header::new().typ("JWT");
        let payload = br#"{"iss":"i","aud":"a","sub":"s","exp":2000,"scope":"x"}"#;
        let ok = Validation::new()
            .issuer("i")
            .audience("a")
            .subject("s")
            .typ("jwt")
            .require("scope");
        let claims = ok
            .validate_claims::<Map<String, Value>, _>(&header, payload, &clock)
            .unwrap();
        assert_eq!(claims.custom["scope"], "x");

        let check = |v: Validation, p: &[u8]| {
            v.validate_claims::<Map<String, Value>, _>(&header, p, &clock)
                .unwrap_err()
        };
        let aud = || Validation::new().audience("a");
        assert!(matches!(
            check(aud().issuer("j"), payload),
            Error::WrongIssuer { .. }
        ));
        assert!(matches!(
            check(Validation::new(), payload),
            Error::WrongAudience
        ));
        assert!(matches!(
            check(aud().typ("at+jwt"), payload),
            Error::WrongType { .. }
        ));
        assert!(matches!(
            check(aud().require("cnf"), payload),
            Error::MissingClaim { .. }
        ));
        assert!(matches!(
            check(Validation::new(), br#"{}"#),
            Error::MissingClaim { .. }
        ));
        assert!(matches!(
            check(Validation::new(), br#"{"exp":10}"#),
            Error::Expired { .. }
        ));
        assert!(matches!(
            check(Validation::new(), br#"{"exp":"x"}"#),
            Error::InvalidClaim { .. }
        ));
        assert!(matches!(
            check(Validation::new(), b"[1]"),
            Error::Json { .. }
        ));
    }
}
