//! `cargo xtask deps`: the outside programs and Python packages the test suite drives,
//! installed when missing:
//!
//! - Debian's `chromium` and `chromium-driver` (the real-browser login test of
//!   `jot serve`), with `apt-get` (which needs root, as CI runs);
//! - the Python packages of the interop tests — PyJWT (with `cryptography`),
//!   jwcrypto, Authlib and requests — with `python3 -m pip`.
//!
//! This file is the one place that knows how. `cargo xtask ci` runs it before the
//! tests, and the test binaries that need one of these components compile this same
//! file (`#[path = ".../xtask/src/deps.rs"] mod deps;`) and call [`ensure_browser`] or
//! [`ensure_python`], so a plain `cargo nextest run` on a fresh machine installs them
//! the same way. Nothing is ever skipped: a component that cannot be installed is an
//! error that says what failed. Only the standard library is used, so any crate can
//! compile the file.

use std::path::Path;
use std::process::{Command, Stdio};

/// The headless browser the login test drives.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
/// Its WebDriver server.
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A Python package: the module a test imports and what `pip install` takes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PythonPackage {
    /// The modules `python3 -c "import …"` must find (comma-separated).
    pub(crate) imports: &'static str,
    /// The requirement given to `pip install`.
    pub(crate) pip: &'static str,
}

/// PyJWT with its crypto extra (`import jwt, cryptography`).
pub(crate) const PYJWT: PythonPackage = PythonPackage {
    imports: "jwt, cryptography",
    pip: "pyjwt[crypto]",
};
/// jwcrypto (the JWE interop test).
pub(crate) const JWCRYPTO: PythonPackage = PythonPackage {
    imports: "jwcrypto",
    pip: "jwcrypto",
};
/// Authlib (the OpenID Connect client of the login interop test).
pub(crate) const AUTHLIB: PythonPackage = PythonPackage {
    imports: "authlib",
    pip: "authlib",
};
/// requests (Authlib's HTTP session).
pub(crate) const REQUESTS: PythonPackage = PythonPackage {
    imports: "requests",
    pip: "requests",
};

/// Every Python package a test needs.
pub(crate) const ALL_PYTHON: [PythonPackage; 4] = [PYJWT, JWCRYPTO, AUTHLIB, REQUESTS];

/// `cargo xtask deps`: the browser, its driver and every Python package.
pub(crate) fn ensure_all() -> Result<(), String> {
    ensure_browser()?;
    ensure_python(&ALL_PYTHON)
}

/// Makes sure [`CHROMIUM`] and [`CHROMEDRIVER`] exist: when either is missing,
/// `apt-get update` then `apt-get install -y chromium chromium-driver`.
pub(crate) fn ensure_browser() -> Result<(), String> {
    let present = || Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file();
    if present() {
        return Ok(());
    }
    eprintln!("deps: {CHROMIUM} or {CHROMEDRIVER} missing: installing chromium chromium-driver");
    // Another process may be installing too: wait for dpkg's lock instead of failing.
    let lock_wait = "DPkg::Lock::Timeout=600";
    run(Command::new("apt-get").args(["-o", lock_wait, "update"]))?;
    run(Command::new("apt-get")
        .args([
            "-o",
            lock_wait,
            "install",
            "-y",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if present() {
        Ok(())
    } else {
        Err(format!(
            "`apt-get install chromium chromium-driver` succeeded but {CHROMIUM} or {CHROMEDRIVER} is still missing"
        ))
    }
}

/// Makes sure each package imports in `python3`, installing the missing ones with
/// `python3 -m pip install`.
pub(crate) fn ensure_python(packages: &[PythonPackage]) -> Result<(), String> {
    let missing: Vec<&PythonPackage> = packages.iter().filter(|p| !importable(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let specs: Vec<&str> = missing.iter().map(|p| p.pip).collect();
    eprintln!("deps: installing Python packages: {}", specs.join(" "));
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(&specs))?;
    match missing.iter().find(|p| !importable(p)) {
        None => Ok(()),
        Some(p) => Err(format!(
            "`pip install {}` succeeded but `python3 -c \"import {}\"` still fails",
            p.pip, p.imports
        )),
    }
}

fn importable(package: &PythonPackage) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {}", package.imports)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Runs a command with inherited output; an error names it and its status.
fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!(
        "`{} {}`",
        cmd.get_program().to_string_lossy(),
        cmd.get_args()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("deps: cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "deps: {shown} failed ({status}); install it by hand (apt-get needs root)"
        ))
    }
}
