//! `jot`, the JWT command-line tool: encode, decode and verify tokens, generate and
//! convert keys. See README.md for a tour and the exit codes. The code is in the
//! crate's library target (`src/lib.rs`).

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    jot_cli::main()
}
