//! `jot user add|list|passwd|disable|enable|remove`: the people who sign in to
//! `jot serve`, administered on its data directory or database (also while it runs).

use std::io::BufRead as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use jot_issuer::{
    IssuerError,
    store::IssuerStore,
    users,
    users::{NewUser, User},
};
use serde_json::json;

use crate::cli::{DataDirArg, UserCommand, UserPasswordArgs};
use crate::serve::{StoreLocation, random_password};

/// The store refused the change: the user exists, there is no such user, or a
/// name or password is unusable.
const REFUSED: u8 = 1;

/// Runs a `jot user` command.
pub(super) fn run(command: &UserCommand) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(dispatch(command))
}

async fn dispatch(command: &UserCommand) -> Result<ExitCode> {
    match command {
        UserCommand::Add(args) => {
            let (store, _) = open(&args.data_dir).await?;
            let (password, generated) = match read_password(&args.password)? {
                Some(password) => (password, false),
                None => (random_password()?, true),
            };
            let mut user = NewUser::new(args.username.clone(), password.clone())
                .email_verified(args.email_verified);
            if let Some(name) = &args.name {
                user = user.name(name.clone());
            }
            if let Some(email) = &args.email {
                user = user.email(email.clone());
            }
            let added = match refused(users::add(store.as_ref(), user).await)? {
                Ok(added) => added,
                Err(code) => return Ok(code),
            };
            println!("added user {} (sub {})", added.username, added.sub);
            if generated {
                println!("password: {password}");
                eprintln!("The password is shown only now: only its hash is stored.");
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List(args) => {
            let (store, location) = open(&args.data_dir).await?;
            let list = users::list(store.as_ref()).await?;
            if args.json {
                let array: Vec<_> = list.iter().map(user_json).collect();
                crate::exit::print(&format!("{}\n", serde_json::Value::Array(array)))?;
            } else if list.is_empty() {
                eprintln!("no users in {location}");
            } else {
                crate::exit::print(&table(&list))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Passwd(args) => {
            let (store, _) = open(&args.data_dir).await?;
            let Some(password) = read_password(&args.password)? else {
                bail!("give the new password with --password-env VAR or --password-stdin");
            };
            done(
                users::set_password(store.as_ref(), &args.username, &password).await,
                &format!("password of {} changed", args.username),
            )
        }
        UserCommand::Disable(args) => {
            let (store, _) = open(&args.data_dir).await?;
            done(
                users::disable(store.as_ref(), &args.username).await,
                &format!(
                    "{} disabled: signed out everywhere, refresh tokens revoked",
                    args.username
                ),
            )
        }
        UserCommand::Enable(args) => {
            let (store, _) = open(&args.data_dir).await?;
            done(
                users::enable(store.as_ref(), &args.username).await,
                &format!("{} enabled", args.username),
            )
        }
        UserCommand::Remove(args) => {
            let (store, _) = open(&args.data_dir).await?;
            done(
                users::remove(store.as_ref(), &args.username).await,
                &format!(
                    "{} removed: signed out everywhere, refresh tokens revoked",
                    args.username
                ),
            )
        }
    }
}

/// Opens an existing data directory (never creates one), or the database.
async fn open(args: &DataDirArg) -> Result<(Arc<dyn IssuerStore>, StoreLocation)> {
    let location = StoreLocation::from_args(args.store.as_deref(), args.data_dir.clone())?;
    if let StoreLocation::Dir(dir) = &location {
        if !dir.is_dir() {
            bail!(
                "no data directory at {} (start `jot serve --data-dir {}` once to create it, \
                 or pass --data-dir or --store)",
                dir.display(),
                dir.display()
            );
        }
    }
    let store = location
        .open()
        .await
        .with_context(|| format!("cannot open the store {location}"))?;
    Ok((store, location))
}

/// The password from `--password-env` or `--password-stdin` (its first line), if given.
fn read_password(args: &UserPasswordArgs) -> Result<Option<String>> {
    if let Some(var) = &args.password_env {
        let password = std::env::var(var)
            .with_context(|| format!("environment variable {var} is not set (or not UTF-8)"))?;
        return Ok(Some(password));
    }
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        let password = line.strip_suffix('\n').unwrap_or(&line);
        let password = password.strip_suffix('\r').unwrap_or(password);
        return Ok(Some(password.to_owned()));
    }
    Ok(None)
}

/// A refusal by the store (reported, exit 1), an error (exit 2), or the value.
fn refused<T>(result: Result<T, IssuerError>) -> Result<Result<T, ExitCode>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(
            e @ (IssuerError::UserExists { .. }
            | IssuerError::NoSuchUser { .. }
            | IssuerError::InvalidUser { .. }),
        ) => {
            eprintln!("jot: refused: {e}");
            Ok(Err(ExitCode::from(REFUSED)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Prints `message` on success; else as [`refused`].
fn done(result: Result<(), IssuerError>, message: &str) -> Result<ExitCode> {
    Ok(match refused(result)? {
        Ok(()) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(code) => code,
    })
}

fn user_json(user: &User) -> serde_json::Value {
    json!({
        "username": user.username,
        "sub": user.sub,
        "name": user.name,
        "email": user.email,
        "email_verified": user.email_verified,
        "disabled": user.disabled,
    })
}

/// The users as aligned columns under a header line.
fn table(list: &[User]) -> String {
    let rows: Vec<[String; 5]> = list
        .iter()
        .map(|user| {
            [
                user.username.clone(),
                user.name.clone().unwrap_or_default(),
                match (&user.email, user.email_verified) {
                    (Some(email), true) => format!("{email} (verified)"),
                    (Some(email), false) => email.clone(),
                    (None, _) => String::new(),
                },
                if user.disabled { "disabled" } else { "active" }.to_owned(),
                user.sub.clone(),
            ]
        })
        .collect();
    let header = ["USERNAME", "NAME", "EMAIL", "STATUS", "SUB"].map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
