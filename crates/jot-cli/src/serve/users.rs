//! The users `jot serve` is given: [`UserSpec`] (from `--user NAME:PASSWORD` or a
//! config file's `[[user]]`), and the random passwords of users jot creates.

use std::str::FromStr;

use jot_issuer::users::NewUser;

use super::ServeError;

/// A user given as `NAME:PASSWORD` (as `jot serve --user` takes it; the password may
/// contain `:`), or by a config file's `[[user]]` with its name and email.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct UserSpec {
    pub(crate) username: String,
    password: String,
    name: Option<String>,
    email: Option<String>,
    email_verified: bool,
}

impl UserSpec {
    /// A user with this username and password and nothing else.
    pub(crate) fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        UserSpec {
            username: username.into(),
            password: password.into(),
            name: None,
            email: None,
            email_verified: false,
        }
    }

    /// With a full name and an email address.
    pub(crate) fn with_profile(
        mut self,
        name: Option<String>,
        email: Option<String>,
        email_verified: bool,
    ) -> Self {
        self.name = name;
        self.email = email;
        self.email_verified = email_verified;
        self
    }

    /// The user for [`jot_issuer::users::ensure`].
    pub(crate) fn to_new_user(&self) -> NewUser {
        let mut user = NewUser::new(self.username.clone(), self.password.clone())
            .email_verified(self.email_verified);
        if let Some(name) = &self.name {
            user = user.name(name.clone());
        }
        if let Some(email) = &self.email {
            user = user.email(email.clone());
        }
        user
    }
}

impl FromStr for UserSpec {
    type Err = ServeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| ServeError::Setting {
            setting: "user",
            reason: format!("{reason} (expected NAME:PASSWORD)"),
        };
        let (name, password) = s.split_once(':').ok_or_else(|| bad("no password"))?;
        if name.is_empty() || password.is_empty() {
            return Err(bad("empty name or password"));
        }
        Ok(UserSpec::new(name, password))
    }
}

impl std::fmt::Debug for UserSpec {
    /// Never shows the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserSpec")
            .field("username", &self.username)
            .field("name", &self.name)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// A random password: 144 bits from the system's generator, base64url (24 characters).
pub(crate) fn random_password() -> Result<String, ServeError> {
    let mut bytes = [0u8; 18];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).map_err(|_| {
        ServeError::Setting {
            setting: "password",
            reason: "the system random generator failed".to_owned(),
        }
    })?;
    Ok(jot_codec::base64url::encode(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_specs_parse_and_hide_the_password() {
        let spec: UserSpec = "alice:pass:with:colons".parse().unwrap();
        assert_eq!(spec.username, "alice");
        assert_eq!(spec.password, "pass:with:colons");
        assert!(!format!("{spec:?}").contains("pass:with"));
        for bad in ["alice", ":pw", "alice:", ""] {
            assert!(bad.parse::<UserSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn random_passwords_differ() {
        let (a, b) = (random_password().unwrap(), random_password().unwrap());
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
    }
}
