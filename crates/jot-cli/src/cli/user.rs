//! `jot user …`: the people who sign in to `jot serve`, kept in its data directory
//! or database.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};

pub(crate) const USER_HELP: &str = "\
Users live in the data directory of `jot serve` (or its PostgreSQL database:
--store URL, or JOT_DATABASE_URL); these commands work while the server runs on
it. They never create a data directory: start `jot serve` once.
Passwords (at least 8 characters) are stored only as argon2id hashes. Give them
with --password-env VAR or --password-stdin, never on the command line.

Exit status:
  0  success
  1  refused: the user exists, no such user, an unusable name or password
  2  usage, data-directory or I/O error";

/// `jot user`.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Add a user; without a password option, a random password is printed once.
    #[command(after_help = USER_HELP)]
    Add(UserAddArgs),
    /// List the users (never their passwords).
    #[command(after_help = USER_HELP)]
    List(UserListArgs),
    /// Set a user's password.
    #[command(after_help = USER_HELP)]
    Passwd(UserPasswdArgs),
    /// Disable a user: no more sign-in, its sessions end, its refresh tokens die.
    #[command(after_help = USER_HELP)]
    Disable(UserNameArgs),
    /// Enable a disabled user again.
    #[command(after_help = USER_HELP)]
    Enable(UserNameArgs),
    /// Remove a user, its sessions and consents, and revoke its refresh tokens.
    #[command(after_help = USER_HELP)]
    Remove(UserNameArgs),
}

/// The data directory (or database) of the issuer.
#[derive(Debug, Args)]
pub(crate) struct DataDirArg {
    /// The data directory of `jot serve` (must exist) [default: ./jot-data].
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// The PostgreSQL database of `jot serve` instead (or set JOT_DATABASE_URL).
    #[arg(long, value_name = "URL", conflicts_with = "data_dir")]
    pub(crate) store: Option<String>,
}

/// Where a password comes from.
#[derive(Debug, Args)]
pub(crate) struct UserPasswordArgs {
    /// Read the password from the environment variable VAR.
    #[arg(long, value_name = "VAR")]
    pub(crate) password_env: Option<String>,
    /// Read the password from the first line of stdin.
    #[arg(long)]
    pub(crate) password_stdin: bool,
}

/// `jot user add`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("password").args(["password_env", "password_stdin"])))]
pub(crate) struct UserAddArgs {
    /// The name the user signs in with (unique, case-insensitively).
    #[arg(value_name = "NAME")]
    pub(crate) username: String,
    #[command(flatten)]
    pub(crate) password: UserPasswordArgs,
    /// The full name (the `name` claim).
    #[arg(long, value_name = "FULL NAME")]
    pub(crate) name: Option<String>,
    /// The email address (the `email` claim).
    #[arg(long, value_name = "ADDRESS")]
    pub(crate) email: Option<String>,
    /// Mark the email address as verified (`email_verified: true`).
    #[arg(long, requires = "email")]
    pub(crate) email_verified: bool,
    #[command(flatten)]
    pub(crate) data_dir: DataDirArg,
}

/// `jot user list`.
#[derive(Debug, Args)]
pub(crate) struct UserListArgs {
    /// Print a JSON array of {username, sub, name, email, email_verified, disabled}.
    #[arg(short = 'j', long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) data_dir: DataDirArg,
}

/// `jot user passwd`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("password").required(true).args(["password_env", "password_stdin"])))]
pub(crate) struct UserPasswdArgs {
    /// The user.
    #[arg(value_name = "NAME")]
    pub(crate) username: String,
    #[command(flatten)]
    pub(crate) password: UserPasswordArgs,
    #[command(flatten)]
    pub(crate) data_dir: DataDirArg,
}

/// `jot user disable|enable|remove`.
#[derive(Debug, Args)]
pub(crate) struct UserNameArgs {
    /// The user.
    #[arg(value_name = "NAME")]
    pub(crate) username: String,
    #[command(flatten)]
    pub(crate) data_dir: DataDirArg,
}
