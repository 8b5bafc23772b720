//! `cargo xtask dist`: the release `jot` binary (profile `dist`: LTO, stripped), its
//! shell completions and man page, README, licenses, CHANGELOG and a SHA-256 list,
//! packed into `target/dist/jot-<version>-<target>.tar.gz`.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, ensure};
use sha2::{Digest, Sha256};

use crate::{capture, cargo, exec, workspace_root};

const SHELLS: [(&str, &str); 4] = [
    ("bash", "jot.bash"),
    ("zsh", "_jot"),
    ("fish", "jot.fish"),
    ("powershell", "_jot.ps1"),
];

pub(crate) fn run() -> Result<()> {
    let root = workspace_root();
    exec(&mut cargo(&[
        "build",
        "--profile",
        "dist",
        "-p",
        "jot-cli",
        "--bin",
        "jot",
    ]))?;
    let binary = root.join("target/dist/jot");
    let version = capture(Command::new(&binary).arg("--version"))?;
    let version = version
        .split_whitespace()
        .nth(1)
        .context("`jot --version` printed no version")?
        .to_owned();
    let host = capture(Command::new("rustc").arg("-vV"))?;
    let target = host
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .context("`rustc -vV` printed no host")?
        .to_owned();

    let name = format!("jot-{version}-{target}");
    let stage = root.join("target/dist").join(&name);
    if stage.exists() {
        fs::remove_dir_all(&stage)?;
    }
    fs::create_dir_all(stage.join("completions"))?;
    fs::create_dir_all(stage.join("man"))?;
    fs::copy(&binary, stage.join("jot"))?;
    for file in ["README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        fs::copy(root.join(file), stage.join(file)).with_context(|| format!("copying {file}"))?;
    }
    for (shell, file) in SHELLS {
        let script = capture(Command::new(&binary).args(["completions", shell]))?;
        fs::write(stage.join("completions").join(file), script)?;
    }
    fs::write(
        stage.join("man/jot.1"),
        capture(Command::new(&binary).arg("man"))?,
    )?;
    fs::write(stage.join("SHA256SUMS"), checksums(&stage)?)?;

    let archive = root.join("target/dist").join(format!("{name}.tar.gz"));
    exec(
        Command::new("tar")
            .arg("-czf")
            .arg(&archive)
            .arg("-C")
            .arg(root.join("target/dist"))
            .arg(&name),
    )?;
    let digest = hex(&Sha256::digest(fs::read(&archive)?));
    fs::write(
        archive.with_extension("gz.sha256"),
        format!("{digest}  {name}.tar.gz\n"),
    )?;
    let size = fs::metadata(&archive)?.len();
    println!(
        "{} ({:.1} MiB)\nsha256 {digest}",
        archive.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// `sha256sum`-style lines for every file under `dir`, sorted by path.
fn checksums(dir: &Path) -> Result<String> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let mut out = String::new();
    for rel in files {
        let digest = hex(&Sha256::digest(fs::read(dir.join(&rel))?));
        out.push_str(&format!("{digest}  {rel}\n"));
    }
    ensure!(!out.is_empty(), "nothing to checksum");
    Ok(out)
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(base, &path, out)?;
        } else {
            out.push(path.strip_prefix(base)?.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_list_every_file_sorted() {
        let dir = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("b.txt"), "b").unwrap();
        fs::write(dir.join("sub/a.txt"), "").unwrap();
        let sums = checksums(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            sums,
            "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  b.txt\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  sub/a.txt\n"
        );
    }
}
