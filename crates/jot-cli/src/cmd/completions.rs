//! `jot completions SHELL` and the hidden `jot man` (used by `cargo xtask dist`).

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::Cli;

pub(super) fn run(shell: Shell) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "jot", &mut script);
    crate::exit::print(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the man page of `jot` as roff.
pub(super) fn man() -> Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    crate::exit::print(&String::from_utf8_lossy(&page))?;
    Ok(ExitCode::SUCCESS)
}
