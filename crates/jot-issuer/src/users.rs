//! jot's own users: [`NewUser`], [`User`], and their administration on a store,
//! usable on a data directory while an issuer serves from it (what `jot user` does).
//!
//! Passwords are hashed with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane)
//! on a bounded blocking pool; only the hash is stored. Usernames are unique
//! case-insensitively; each user gets a stable random `sub`.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use jot_issuer::{users, store::MemoryStore, users::NewUser};
//!
//! let store = MemoryStore::new();
//! let alice = users::add(&store, NewUser::new("alice", "correct horse").name("Alice Example")).await?;
//! assert_eq!(alice.username, "alice");
//! assert!(users::add(&store, NewUser::new("Alice", "another one")).await.is_err());
//! users::disable(&store, "alice").await?;
//! assert!(users::list(&store).await?[0].disabled);
//! # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
//! ```

use std::fmt;

use jot_codec::{Clock as _, SystemClock};

use crate::store::{FamilyOwner, IssuerStore, UserRecord};
use crate::{DEFAULT_REFRESH_TOKEN_LIFETIME, IssuerError, password, secret};

/// A user to add with [`add`] or [`ensure`].
#[derive(Clone)]
#[must_use]
pub struct NewUser {
    username: String,
    password: String,
    name: Option<String>,
    email: Option<String>,
    email_verified: bool,
}

/// A user as the issuer sees it (never its password hash): from jot's store, or
/// from an application's own [`Authenticator`](crate::Authenticator).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct User {
    /// The stable subject identifier (`sub`).
    pub sub: String,
    /// The name the user signs in with (`preferred_username`).
    pub username: String,
    /// The full name (`name`).
    pub name: Option<String>,
    /// The email address (`email`).
    pub email: Option<String>,
    /// Whether the email address was verified (`email_verified`).
    pub email_verified: bool,
    /// A disabled user cannot sign in, and its tokens cannot be refreshed.
    pub disabled: bool,
}

/// Adds a user with a new random `sub`. Fails with [`IssuerError::UserExists`] if
/// the username is taken (case-insensitively).
pub async fn add(store: &dyn IssuerStore, user: NewUser) -> Result<User, IssuerError> {
    user.check()?;
    let now = now();
    let record = UserRecord {
        sub: secret::random_token(16)?,
        username: user.username.clone(),
        password_hash: password::hash(&user.password).await?,
        name: user.name,
        email: user.email,
        email_verified: user.email_verified,
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    if !store.insert_user(record.clone()).await? {
        return Err(IssuerError::UserExists {
            username: user.username,
        });
    }
    tracing::info!(target: "jot_issuer", sub = %record.sub, "user added");
    Ok(User::from(&record))
}

/// Every user, by username.
pub async fn list(store: &dyn IssuerStore) -> Result<Vec<User>, IssuerError> {
    Ok(store.list_users().await?.iter().map(User::from).collect())
}

/// The user with this username (case-insensitively), if any.
pub async fn find(store: &dyn IssuerStore, username: &str) -> Result<Option<User>, IssuerError> {
    Ok(store.find_user(username).await?.as_ref().map(User::from))
}

/// Sets a user's password ([`IssuerError::NoSuchUser`] if there is none), and
/// ends its sessions and revokes its refresh tokens: whoever knew the old password
/// is signed out everywhere.
pub async fn set_password(
    store: &dyn IssuerStore,
    username: &str,
    password: &str,
) -> Result<(), IssuerError> {
    check_password(username, password)?;
    let hash = password::hash(password).await?;
    let user = update(store, username, |user| user.password_hash = hash).await?;
    end_everything(store, &user.sub).await
}

/// Disables a user: it can no longer sign in, its sessions end and its refresh
/// tokens are revoked.
pub async fn disable(store: &dyn IssuerStore, username: &str) -> Result<(), IssuerError> {
    let user = update(store, username, |user| user.disabled = true).await?;
    end_everything(store, &user.sub).await
}

/// Enables a disabled user again.
pub async fn enable(store: &dyn IssuerStore, username: &str) -> Result<(), IssuerError> {
    update(store, username, |user| user.disabled = false).await?;
    Ok(())
}

/// Removes a user, its consents and sessions, and revokes its refresh tokens.
pub async fn remove(store: &dyn IssuerStore, username: &str) -> Result<(), IssuerError> {
    let user = store
        .find_user(username)
        .await?
        .ok_or_else(|| no_such(username))?;
    end_everything(store, &user.sub).await?;
    if !store.remove_user(&user.sub).await? {
        return Err(no_such(username));
    }
    tracing::info!(target: "jot_issuer", sub = %user.sub, "user removed");
    Ok(())
}

/// Adds the user, or updates its name, email and password when they differ from
/// the stored ones (a user of a configuration file, at every start; a changed
/// password signs the user out everywhere, as [`set_password`]). Returns whether
/// the store changed. A disabled user stays disabled.
pub async fn ensure(store: &dyn IssuerStore, user: NewUser) -> Result<bool, IssuerError> {
    user.check()?;
    let Some(mut stored) = store.find_user(&user.username).await? else {
        return add(store, user).await.map(|_| true);
    };
    let same_password = password::verify(&user.password, Some(&stored.password_hash)).await?;
    if same_password
        && stored.name == user.name
        && stored.email == user.email
        && stored.email_verified == user.email_verified
    {
        return Ok(false);
    }
    if !same_password {
        stored.password_hash = password::hash(&user.password).await?;
    }
    stored.name = user.name;
    stored.email = user.email;
    stored.email_verified = user.email_verified;
    stored.updated_at = now();
    let sub = stored.sub.clone();
    if !store.update_user(stored).await? {
        return Err(no_such(&user.username));
    }
    if !same_password {
        end_everything(store, &sub).await?;
    }
    Ok(true)
}

impl NewUser {
    /// A user who signs in with `username` and `password` (at least 8 characters).
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        NewUser {
            username: username.into(),
            password: password.into(),
            name: None,
            email: None,
            email_verified: false,
        }
    }

    /// The full name (`name` claim).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The email address (`email` claim).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Whether the email address is verified (default `false`).
    pub fn email_verified(mut self, verified: bool) -> Self {
        self.email_verified = verified;
        self
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }

    fn check(&self) -> Result<(), IssuerError> {
        check_username(&self.username)?;
        check_password(&self.username, &self.password)?;
        let invalid = |reason| IssuerError::InvalidUser {
            username: self.username.clone(),
            reason,
        };
        for value in [&self.name, &self.email].into_iter().flatten() {
            if value.len() > 256 || value.chars().any(char::is_control) {
                return Err(invalid(
                    "a name or email is longer than 256 bytes or has a control character",
                ));
            }
        }
        if self
            .email
            .as_ref()
            .is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace))
        {
            return Err(invalid("the email address is not one"));
        }
        Ok(())
    }
}

impl User {
    /// A user with this `sub` and username, nothing else: for an application's
    /// [`Authenticator`](crate::Authenticator).
    ///
    /// ```
    /// let user = jot_issuer::users::User::new("42", "alice").with_email("alice@example.com", true);
    /// assert_eq!(user.email.as_deref(), Some("alice@example.com"));
    /// ```
    pub fn new(sub: impl Into<String>, username: impl Into<String>) -> Self {
        User {
            sub: sub.into(),
            username: username.into(),
            name: None,
            email: None,
            email_verified: false,
            disabled: false,
        }
    }

    /// With a full name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// With an email address, verified or not.
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>, verified: bool) -> Self {
        self.email = Some(email.into());
        self.email_verified = verified;
        self
    }

    /// Disabled (or not).
    #[must_use]
    pub fn with_disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }
}

impl From<&UserRecord> for User {
    fn from(record: &UserRecord) -> Self {
        User {
            sub: record.sub.clone(),
            username: record.username.clone(),
            name: record.name.clone(),
            email: record.email.clone(),
            email_verified: record.email_verified,
            disabled: record.disabled,
        }
    }
}

impl fmt::Debug for NewUser {
    /// Never shows the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("name", &self.name)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// Reads a user by username, changes it, writes it back.
async fn update(
    store: &dyn IssuerStore,
    username: &str,
    change: impl FnOnce(&mut UserRecord),
) -> Result<UserRecord, IssuerError> {
    let mut user = store
        .find_user(username)
        .await?
        .ok_or_else(|| no_such(username))?;
    change(&mut user);
    user.updated_at = now();
    if !store.update_user(user.clone()).await? {
        return Err(no_such(username));
    }
    Ok(user)
}

/// Ends a user's sessions and revokes its refresh-token families.
async fn end_everything(store: &dyn IssuerStore, sub: &str) -> Result<(), IssuerError> {
    let sessions = store.remove_sessions_of(sub).await?;
    let until = now() + DEFAULT_REFRESH_TOKEN_LIFETIME.as_secs();
    let families = store
        .revoke_families_of(FamilyOwner::Subject(sub), until)
        .await?;
    tracing::info!(target: "jot_issuer", %sub, sessions, families, "user's sessions ended, refresh tokens revoked");
    Ok(())
}

fn no_such(username: &str) -> IssuerError {
    IssuerError::NoSuchUser {
        username: username.to_owned(),
    }
}

fn now() -> u64 {
    SystemClock.now().seconds()
}

/// 1 to 64 characters, no control character, no `:` (it separates `--user
/// NAME:PASSWORD`), no space at either end.
fn check_username(username: &str) -> Result<(), IssuerError> {
    let reason = if username.is_empty() {
        "the username is empty"
    } else if username.chars().count() > 64 {
        "the username is longer than 64 characters"
    } else if username.chars().any(|c| c.is_control() || c == ':') {
        "the username contains a control character or ':'"
    } else if username.trim() != username {
        "the username starts or ends with a space"
    } else {
        return Ok(());
    };
    Err(IssuerError::InvalidUser {
        username: username.to_owned(),
        reason,
    })
}

fn check_password(username: &str, password: &str) -> Result<(), IssuerError> {
    let reason = if password.chars().count() < password::MIN_PASSWORD_CHARS {
        "the password is shorter than 8 characters"
    } else if password.len() > password::MAX_PASSWORD_LEN {
        "the password is longer than 1024 bytes"
    } else {
        return Ok(());
    };
    Err(IssuerError::InvalidUser {
        username: username.to_owned(),
        reason,
    })
}
