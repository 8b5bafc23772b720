//! Exit codes and the last word on errors. A broken pipe (`jot decode | head -1`) is
//! not an error.

use std::io::Write as _;
use std::process::ExitCode;

/// The token was rejected, for any reason.
pub(crate) const REJECTED: u8 = 1;
/// Usage, key or I/O error.
pub(crate) const ERROR: u8 = 2;

/// The exit code for a rejected token.
pub(crate) fn rejected() -> ExitCode {
    ExitCode::from(REJECTED)
}

/// Prints `err` on stderr (nothing for a broken pipe) and gives its exit code.
pub(crate) fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let _ = writeln!(std::io::stderr().lock(), "jot: error: {err:#}");
    ExitCode::from(ERROR)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes `text` to stdout and flushes.
pub(crate) fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_success() {
        let pipe = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing");
        assert!(is_broken_pipe(&pipe));
        assert_eq!(report(&pipe), ExitCode::SUCCESS);
        let other = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert!(!is_broken_pipe(&other));
    }
}
