//! `cargo xtask msrv`: builds the library crates with the toolchain of the declared
//! `rust-version`, installing it with rustup when it is missing. A toolchain that
//! cannot be installed (no rustup, no access to the toolchain server) fails the task:
//! it never passes without having built anything. `cargo xtask ci` does not run it
//! (docs/RELEASING.md, "MSRV", says why).

use anyhow::{Context, Result, bail};

use crate::{capture, exec, workspace_root};

const LIBRARIES: [&str; 5] = [
    "jot-codec",
    "jot-algorithms",
    "jot-jwe",
    "jot-axum",
    "jot-issuer",
];

pub(crate) fn run() -> Result<()> {
    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml"))?;
    let msrv = rust_version(&manifest).context("no rust-version in [workspace.package]")?;
    let toolchain = match installed(&toolchains()?, &msrv) {
        Some(toolchain) => toolchain,
        None => {
            eprintln!("msrv: installing Rust {msrv} with rustup");
            let status = std::process::Command::new("rustup")
                .args(["toolchain", "install", &msrv, "--profile", "minimal"])
                .status()
                .context("msrv: rustup cannot be started")?;
            if !status.success() {
                bail!(
                    "msrv: FAILED: Rust {msrv}, the declared rust-version, is not installed and \
                     `rustup toolchain install {msrv}` failed ({status}); nothing was checked. \
                     Run this task where the Rust toolchain server is reachable."
                );
            }
            installed(&toolchains()?, &msrv)
                .with_context(|| format!("msrv: rustup installed no toolchain named {msrv}"))?
        }
    };
    let mut cmd = std::process::Command::new("cargo");
    cmd.arg(format!("+{toolchain}"))
        .arg("build")
        .arg("--locked")
        .current_dir(workspace_root());
    cmd.env("CARGO_TARGET_DIR", workspace_root().join("target/msrv"));
    for lib in LIBRARIES {
        cmd.args(["-p", lib]);
    }
    exec(&mut cmd)?;
    println!("msrv: the library crates build with Rust {msrv}");
    Ok(())
}

/// What `rustup toolchain list` says; no rustup is an error, never a skip.
fn toolchains() -> Result<String> {
    capture(std::process::Command::new("rustup").args(["toolchain", "list"])).context(
        "msrv: `rustup toolchain list` failed: rustup is needed to install the MSRV toolchain",
    )
}

fn rust_version(manifest: &str) -> Option<String> {
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("rust-version"))?;
    Some(line.split('"').nth(1)?.to_owned())
}

/// The name of an installed toolchain for `version` (`1.85` matches `1.85.0-x86_64-…`).
fn installed(list: &str, version: &str) -> Option<String> {
    list.lines()
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .find_map(|name| {
            let v = name.split('-').next()?;
            (v == version
                || v.strip_prefix(version)
                    .is_some_and(|rest| rest.starts_with('.')))
            .then(|| name.to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_toolchain() {
        let list = "stable-x86_64-unknown-linux-gnu (active, default)\nnightly-x86_64-unknown-linux-gnu\n1.95.0-x86_64-unknown-linux-gnu\n";
        assert_eq!(
            installed(list, "1.95").as_deref(),
            Some("1.95.0-x86_64-unknown-linux-gnu")
        );
        assert_eq!(
            installed(list, "1.95.0").as_deref(),
            Some("1.95.0-x86_64-unknown-linux-gnu")
        );
        assert_eq!(installed(list, "1.9"), None);
        assert_eq!(installed(list, "1.85"), None);
        assert_eq!(
            rust_version("[workspace.package]\nrust-version = \"1.85\"\n").as_deref(),
            Some("1.85")
        );
    }
}
