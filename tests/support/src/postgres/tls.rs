//! The test cluster's TLS material, made with `openssl`: a CA of its own and a
//! server certificate for `localhost` (DNS name only, so a client that checks the
//! name refuses it on `127.0.0.1`).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use super::deps::OPENSSL;

/// Writes `ca.crt`, `server.crt` and `server.key` (mode 0600) into `dir`, handing
/// each file to the server's owner with `give`.
pub(super) fn make_certificates(
    dir: &Path,
    give: impl Fn(&Path) -> Result<(), String>,
) -> Result<(), String> {
    fs::create_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.crt", "-days", "3"],
            &["-subj", "/CN=jot test CA"],
            &["-addext", "basicConstraints=critical,CA:TRUE"],
            &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ]
        .concat(),
    )?;
    openssl(
        dir,
        &[
            &["req"][..],
            &ec,
            &["-keyout", "server.key", "-out", "server.csr"],
            &["-subj", "/CN=localhost"],
        ]
        .concat(),
    )?;
    fs::write(
        dir.join("server.ext"),
        "subjectAltName = DNS:localhost\nbasicConstraints = CA:FALSE\n\
         keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "3",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    )?;
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(dir.join("server.key"), fs::Permissions::from_mode(0o600))
        .map_err(|e| e.to_string())?;
    give(dir)?;
    for file in ["ca.crt", "server.crt", "server.key"] {
        give(&dir.join(file))?;
    }
    Ok(())
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new(OPENSSL)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {OPENSSL}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
