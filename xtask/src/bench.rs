//! `cargo xtask bench`: runs the `jot-bench` suite once that package exists.

use anyhow::Result;

use crate::{capture, cargo, exec};

pub(crate) fn run() -> Result<()> {
    let metadata = capture(&mut cargo(&[
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
    ]))?;
    if !metadata.contains(r#""name":"jot-bench","version""#) {
        eprintln!("no bench suite exists yet (no `jot-bench` package in the workspace)");
        return Ok(());
    }
    exec(&mut cargo(&["bench", "-p", "jot-bench"]))
}
