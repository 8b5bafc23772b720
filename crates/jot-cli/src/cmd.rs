//! The subcommands: each module turns parsed arguments into work and output.

mod completions;
mod decode;
mod dpop;
mod encode;
mod encrypt;
mod jwk;
mod keygen;
mod serve;
mod user;
mod verify;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::paint::{ColorChoice, Paint};

/// Runs the command.
pub(crate) fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Encode(args) => encode::run(&args),
        Command::Decode(args) => {
            decode::run(&args, cli.color).or_else(|e| json_error(args.json, e))
        }
        Command::Verify(args) => {
            verify::run(&args, cli.color).or_else(|e| json_error(args.json, e))
        }
        Command::Dpop(args) => dpop::run(&args),
        Command::Encrypt(args) => encrypt::encrypt(&args),
        Command::Decrypt(args) => {
            encrypt::decrypt(&args, cli.color).or_else(|e| json_error(args.json, e))
        }
        Command::Keygen(args) => keygen::run(&args),
        Command::Jwk(command) => jwk::run(&command),
        Command::Completions { shell } => completions::run(shell),
        Command::Serve(args) => serve::run(args),
        Command::RotateKey(args) => serve::rotate(&args),
        Command::RotateKek(args) => serve::rotate_kek(&args),
        Command::User(command) => user::run(&command),
        Command::Man => completions::man(),
    }
}

/// How a command shows a JSON result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `--json`: compact, on one line.
    Line,
    /// For people (a terminal, or `--human`): indented, coloured, dates annotated.
    Human,
    /// For a pipe: indented JSON, nothing that is not JSON.
    Plain,
}

impl Shape {
    /// The shape `--json` and `--human` ask for, else the one stdout suits.
    pub(crate) fn choose(json: bool, human: bool) -> Shape {
        use std::io::IsTerminal as _;
        if json {
            Shape::Line
        } else if human || std::io::stdout().is_terminal() {
            Shape::Human
        } else {
            Shape::Plain
        }
    }
}

/// An error (exit 2) under `--json`: `{"error":{"kind":"error","message":…}}` on
/// stdout as well as the usual line on stderr, so a script reading stdout sees it.
fn json_error(json: bool, err: anyhow::Error) -> Result<ExitCode> {
    if !json {
        return Err(err);
    }
    let body = serde_json::json!({ "error": { "kind": "error", "message": format!("{err:#}") } });
    // A closed stdout leaves the line on stderr, which `report` writes anyway.
    let _ = crate::exit::print(&format!("{body}\n"));
    Ok(crate::exit::report(&err))
}

/// Reports a rejected token and gives exit code 1: one line on stderr, or with
/// `json` the object `{"error":{"kind":…,"message":…}}` on stdout.
pub(crate) fn reject(
    json: bool,
    color: ColorChoice,
    kind: &str,
    message: &str,
) -> Result<ExitCode> {
    if json {
        let body = serde_json::json!({ "error": { "kind": kind, "message": message } });
        crate::exit::print(&format!("{body}\n"))?;
    } else {
        let paint = Paint::stderr(color);
        eprintln!("jot: {} {message}", paint.bad("token rejected:"));
    }
    Ok(crate::exit::rejected())
}

/// The current Unix time in seconds.
pub(crate) fn now() -> u64 {
    use jot_codec::Clock as _;
    jot_codec::SystemClock.now().seconds()
}

/// A random 128-bit id, base64url.
pub(crate) fn random_id() -> Result<String> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
    Ok(jot_codec::base64url::encode(&bytes))
}

/// Parses `NAME=VALUE`; VALUE is JSON when it parses as JSON, else a string.
pub(crate) fn name_value(arg: &str, flag: &str) -> Result<(String, serde_json::Value)> {
    let (name, value) = arg
        .split_once('=')
        .ok_or_else(|| anyhow::anyhow!("{flag} {arg:?}: expected NAME=VALUE"))?;
    if name.is_empty() {
        anyhow::bail!("{flag} {arg:?}: the name is empty");
    }
    let value =
        serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn name_value_parses_json_or_string() {
        assert_eq!(
            name_value("a=1", "--claim").unwrap(),
            ("a".into(), json!(1))
        );
        assert_eq!(
            name_value("a=[1,\"x\"]", "--claim").unwrap().1,
            json!([1, "x"])
        );
        assert_eq!(name_value("a=hello", "--claim").unwrap().1, json!("hello"));
        assert_eq!(name_value("a=", "--claim").unwrap().1, json!(""));
        assert_eq!(name_value("a=b=c", "--claim").unwrap().1, json!("b=c"));
        assert!(name_value("a", "--claim").is_err());
        assert!(name_value("=1", "--claim").is_err());
    }
}
