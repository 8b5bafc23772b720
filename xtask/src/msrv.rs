//! `cargo xtask msrv`: builds the library crates with the declared `rust-version`
//! toolchain when it is installed; otherwise says clearly that the check is skipped.

use anyhow::{Context, Result};

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
    let toolchains = capture(std::process::Command::new("rustup").args(["toolchain", "list"]))
        .unwrap_or_default();
    let Some(toolchain) = installed(&toolchains, &msrv) else {
        println!(
            "msrv: SKIPPED: the declared rust-version {msrv} has no installed toolchain \
             (install it with `rustup toolchain install {msrv}` and run again)"
        );
        return Ok(());
    };
    let mut cmd = std::process::Command::new("cargo");
    cmd.arg(format!("+{toolchain}"))
        .arg("build")
        .current_dir(workspace_root());
    cmd.env("CARGO_TARGET_DIR", workspace_root().join("target/msrv"));
    for lib in LIBRARIES {
        cmd.args(["-p", lib]);
    }
    exec(&mut cmd)?;
    println!("msrv: the library crates build with Rust {msrv}");
    Ok(())
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
