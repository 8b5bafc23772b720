//! `jot completions SHELL`.

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
