//! `cargo xtask deps`: the outside programs and Python packages the test suite drives,
//! installed when missing:
//!
//! - Debian's `chromium` and `chromium-driver` (the real-browser login test of
//!   `jot serve`), with `apt-get` (which needs root, as CI runs);
//! - Debian's `postgresql` (the server programs of the throwaway clusters the
//!   `PostgresStore` tests start) and `openssl` (their TLS certificates), the same way;
//! - Debian's `wrk`, the load tool of `cargo xtask bench server` (not run by `ci`);
//! - the Python packages of the interop tests — PyJWT (with `cryptography`),
//!   jwcrypto, Authlib, requests, joserfc and dilithium-py — with `python3 -m pip`;
//! - the source distribution of dilithium-py, which ships NIST's ACVP ML-DSA test
//!   vectors, with `python3 -m pip download` into a cache directory given by the test.
//!
//! This file is the one place that knows how. `cargo xtask ci` runs it before the
//! tests, and the test binaries that need one of these components compile this same
//! file (`#[path = ".../xtask/src/deps.rs"] mod deps;`) and call [`ensure_browser`],
//! [`ensure_postgres`] or [`ensure_python`], so a plain `cargo nextest run` on a fresh machine installs them
//! the same way. Nothing is ever skipped: a component that cannot be installed is an
//! error that says what failed. Only the standard library is used, so any crate can
//! compile the file.

use std::path::{Path, PathBuf};
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
/// joserfc (the DPoP proofs of jot-axum's interop test).
pub(crate) const JOSERFC: PythonPackage = PythonPackage {
    imports: "joserfc",
    pip: "joserfc",
};

/// dilithium-py, a pure-Python ML-DSA, with its PKCS#8/SPKI extra (`ecdsa`'s DER
/// codec): the ML-DSA interop tests.
pub(crate) const DILITHIUM_PY: PythonPackage = PythonPackage {
    imports: "dilithium_py, ecdsa",
    pip: "dilithium-py[pkcs]==1.5.1",
};

/// The source distribution holding NIST's ACVP ML-DSA vectors (FIPS 204 keyGen,
/// sigGen, sigVer) under `assets/`, and the directory it unpacks to.
pub(crate) const ACVP_ML_DSA_SDIST: (&str, &str) = ("dilithium-py==1.5.1", "dilithium_py-1.5.1");

/// Every Python package a test needs.
pub(crate) const ALL_PYTHON: [PythonPackage; 6] =
    [PYJWT, JWCRYPTO, AUTHLIB, REQUESTS, JOSERFC, DILITHIUM_PY];

/// Where Debian installs each PostgreSQL major version's server programs
/// (`/usr/lib/postgresql/VERSION/bin`).
pub(crate) const POSTGRESQL_LIB: &str = "/usr/lib/postgresql";
/// The programs a throwaway cluster needs, in a PostgreSQL `bin` directory.
pub(crate) const POSTGRESQL_PROGRAMS: [&str; 4] = ["initdb", "pg_ctl", "postgres", "psql"];
/// What makes the test cluster's certificates.
pub(crate) const OPENSSL: &str = "/usr/bin/openssl";

/// `cargo xtask deps`: the browser, its driver, openssl, PostgreSQL, every Python
/// package, and the ACVP ML-DSA vectors in `acvp_cache` (the directory the
/// conformance tests read them from: `<target dir>/tmp/acvp`).
pub(crate) fn ensure_all(acvp_cache: &Path) -> Result<(), String> {
    ensure_browser()?;
    ensure_openssl()?;
    ensure_postgres()?;
    ensure_python(&ALL_PYTHON)?;
    ensure_sdist(ACVP_ML_DSA_SDIST, acvp_cache).map(drop)
}

/// The `bin` directory of the newest PostgreSQL under [`POSTGRESQL_LIB`] holding
/// every one of [`POSTGRESQL_PROGRAMS`], and [`OPENSSL`]: when either is missing,
/// `apt-get update` then `apt-get install -y postgresql openssl`.
pub(crate) fn ensure_postgres() -> Result<PathBuf, String> {
    if let (Some(bin), true) = (postgres_bin(), Path::new(OPENSSL).is_file()) {
        return Ok(bin);
    }
    eprintln!(
        "deps: PostgreSQL's server programs or openssl missing: installing postgresql openssl"
    );
    apt_install(&["postgresql", "openssl"])?;
    match (postgres_bin(), Path::new(OPENSSL).is_file()) {
        (Some(bin), true) => Ok(bin),
        _ => Err(format!(
            "`apt-get install postgresql openssl` succeeded but no {POSTGRESQL_LIB}/*/bin holds \
             {} or {OPENSSL} is missing",
            POSTGRESQL_PROGRAMS.join(", ")
        )),
    }
}

/// [`OPENSSL`] (the TLS tests' certificates): when missing, `apt-get update`
/// then `apt-get install -y openssl`.
pub(crate) fn ensure_openssl() -> Result<(), String> {
    if Path::new(OPENSSL).is_file() {
        return Ok(());
    }
    eprintln!("deps: openssl missing: installing openssl");
    apt_install(&["openssl"])?;
    if Path::new(OPENSSL).is_file() {
        Ok(())
    } else {
        Err(format!(
            "`apt-get install openssl` succeeded but {OPENSSL} is missing"
        ))
    }
}

/// The newest `POSTGRESQL_LIB/VERSION/bin` with every program of [`POSTGRESQL_PROGRAMS`].
fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(POSTGRESQL_LIB)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            POSTGRESQL_PROGRAMS
                .iter()
                .all(|program| bin.join(program).is_file())
                .then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// `apt-get update` then `apt-get install -y PACKAGES…`, waiting for dpkg's lock.
fn apt_install(packages: &[&str]) -> Result<(), String> {
    // Another process may be installing too: wait for dpkg's lock instead of failing.
    let lock_wait = "DPkg::Lock::Timeout=600";
    run(Command::new("apt-get").args(["-o", lock_wait, "update"]))?;
    run(Command::new("apt-get")
        .args(["-o", lock_wait, "install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The load tool of `cargo xtask bench server`.
pub(crate) const WRK: &str = "/usr/bin/wrk";

/// Makes sure [`WRK`] exists: when missing, `apt-get update` then
/// `apt-get install -y wrk`.
pub(crate) fn ensure_wrk() -> Result<(), String> {
    if Path::new(WRK).is_file() {
        return Ok(());
    }
    eprintln!("deps: {WRK} missing: installing wrk");
    apt_install(&["wrk"])?;
    if Path::new(WRK).is_file() {
        Ok(())
    } else {
        Err(format!(
            "`apt-get install wrk` succeeded but {WRK} is still missing"
        ))
    }
}

/// Makes sure [`CHROMIUM`] and [`CHROMEDRIVER`] exist: when either is missing,
/// `apt-get update` then `apt-get install -y chromium chromium-driver`.
pub(crate) fn ensure_browser() -> Result<(), String> {
    let present = || Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file();
    if present() {
        return Ok(());
    }
    eprintln!("deps: {CHROMIUM} or {CHROMEDRIVER} missing: installing chromium chromium-driver");
    apt_install(&["chromium", "chromium-driver"])?;
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

/// The unpacked source distribution `sdist` (`(requirement, directory)`, e.g.
/// [`ACVP_ML_DSA_SDIST`]) under `cache`: when `cache/directory` is missing,
/// `python3 -m pip download --no-deps --no-binary :all:` fetches the archive into
/// `cache` and `tar` unpacks it there. Nothing of it enters the repository.
pub(crate) fn ensure_sdist(sdist: (&str, &str), cache: &Path) -> Result<PathBuf, String> {
    let (requirement, directory) = sdist;
    let unpacked = cache.join(directory);
    if unpacked.is_dir() {
        return Ok(unpacked);
    }
    // Fetched and unpacked in a directory of this process, then renamed: test
    // processes running at once never share a half-written file.
    let staging = cache.join(format!(".fetching-{}", std::process::id()));
    std::fs::create_dir_all(&staging)
        .map_err(|e| format!("deps: cannot create {}: {e}", staging.display()))?;
    eprintln!("deps: downloading the source distribution of {requirement}");
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-binary",
            ":all:",
            "-d",
        ])
        .arg(&staging)
        .arg(requirement))?;
    run(Command::new("tar")
        .arg("-xzf")
        .arg(staging.join(format!("{directory}.tar.gz")))
        .arg("-C")
        .arg(&staging))?;
    // Another process may have finished first: its copy is as good as this one.
    let _ = std::fs::rename(staging.join(directory), &unpacked);
    let _ = std::fs::remove_dir_all(&staging);
    if unpacked.is_dir() {
        Ok(unpacked)
    } else {
        Err(format!(
            "`pip download {requirement}` and `tar -xzf` succeeded but {} is missing",
            unpacked.display()
        ))
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
