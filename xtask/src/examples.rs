//! `cargo xtask examples`: builds and runs the examples of the library crates, each
//! as a newcomer would: `sign_verify` (jot-algorithms) and `encrypt_decrypt`
//! (jot-jwe) must exit 0; the axum program of jot-axum's README is built as a
//! project of its own from the README's `[dependencies]` block and Rust block
//! (the jot-axum line pointed at this workspace) and run against a real
//! `jot serve` started as the README says: a token from `client_credentials` gets
//! `200` from its protected route, no token gets `401`. (`examples/api_server.rs`
//! is the same program, word for word: `tests/readmes.rs` holds them to it.)

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::bench::mint;
use crate::{cargo, exec, target_dir, workspace_root};

/// The client `jot serve` is given: the README's `CLIENT_ID:CLIENT_SECRET`.
const CLIENT: (&str, &str) = ("readme", "readme-example-secret-0123456789");

pub(crate) fn run() -> Result<()> {
    exec(&mut cargo(&[
        "build",
        "--all-features",
        "-p",
        "jot-cli",
        "--bin",
        "jot",
        "-p",
        "jot-algorithms",
        "--example",
        "sign_verify",
        "-p",
        "jot-jwe",
        "--example",
        "encrypt_decrypt",
    ]))?;
    let bin = target_dir().join("debug");
    for example in ["sign_verify", "encrypt_decrypt"] {
        eprintln!("examples: {example}");
        exec(Command::new(bin.join("examples").join(example)).stdout(Stdio::null()))?;
    }
    eprintln!("examples: jot-axum's README program, built from its README alone");
    let program = readme_program()?;
    eprintln!("examples: the README program against jot serve --audience my-api");
    api_server(&bin.join("jot"), &program)?;
    eprintln!("examples: all ran as their READMEs say");
    Ok(())
}

/// Builds jot-axum's README program as a project of its own: its `Cargo.toml` is
/// the README's dependency block (the `jot-axum` line pointed at this workspace's
/// crate, and the workspace's dev-profile optimisations so that the build reuses
/// its artifacts), its `src/main.rs` the README's Rust block. Returns the binary.
fn readme_program() -> Result<PathBuf> {
    let root = workspace_root();
    let readme = fs::read_to_string(root.join("crates/jot-axum/README.md"))?;
    let dependencies = block_after(&readme, "# jot-axum", "```toml")?;
    let program = block_after(&readme, "## Protect a router with a remote JWKS", "```rust")?;
    let crate_dir = root.join("crates/jot-axum");
    let dependencies: String = dependencies
        .lines()
        .map(|line| match line.strip_prefix("jot-axum = ") {
            Some(version) => format!(
                "jot-axum = {{ version = {version}, path = {:?} }}\n",
                crate_dir.display().to_string()
            ),
            None => format!("{line}\n"),
        })
        .collect();
    ensure!(
        dependencies.contains("path = "),
        "jot-axum's README names no jot-axum dependency"
    );
    let workspace = fs::read_to_string(root.join("Cargo.toml"))?;
    let profile = workspace
        .split("\n[")
        .find(|section| section.starts_with("profile.dev.package]"))
        .map(|section| format!("[{section}\n"))
        .unwrap_or_default();
    let project = target_dir().join("readme-example");
    fs::create_dir_all(project.join("src"))?;
    fs::write(
        project.join("Cargo.toml"),
        format!(
            "[package]\nname = \"readme-example\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n# Not a member of any workspace.\n[workspace]\n\n{dependencies}\n{profile}"
        ),
    )?;
    fs::write(project.join("src/main.rs"), program)?;
    // The workspace's lock file, so that the program builds with the versions CI tested.
    fs::copy(root.join("Cargo.lock"), project.join("Cargo.lock"))?;
    exec(
        cargo(&["build", "--offline", "--manifest-path"])
            .arg(project.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", target_dir()),
    )?;
    Ok(target_dir().join("debug/readme-example"))
}

/// The body of the first fenced block opening with `fence` after `heading`.
fn block_after(markdown: &str, heading: &str, fence: &str) -> Result<String> {
    let at = markdown
        .find(heading)
        .with_context(|| format!("no {heading:?}"))?;
    let rest = &markdown[at..];
    let start = rest
        .find(&format!("\n{fence}"))
        .with_context(|| format!("no {fence} block after {heading:?}"))?;
    let body = &rest[start + 1..];
    let body = &body[body.find('\n').map_or(body.len(), |i| i + 1)..];
    let end = body
        .find("\n```")
        .with_context(|| format!("an unclosed block after {heading:?}"))?;
    Ok(format!("{}\n", &body[..end]))
}

/// `jot serve --audience my-api` and the API server on two free ports; one token.
fn api_server(jot: &Path, api: &Path) -> Result<()> {
    let dir = WorkDir::new()?;
    let issuer_addr = format!("127.0.0.1:{}", free_port()?);
    let api_addr = format!("127.0.0.1:{}", free_port()?);
    let client = format!("{}:{}", CLIENT.0, CLIENT.1);
    let issuer_log = dir.0.join("jot-serve.log");
    let _issuer = Process::start(
        Command::new(jot)
            .args(["serve", "--addr", &issuer_addr, "--audience", "my-api"])
            .args(["--client", &client, "--data-dir"])
            .arg(dir.0.join("data"))
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(fs::File::create(&issuer_log)?),
        &issuer_log,
        "issuer listening",
    )?;
    let api_log = dir.0.join("api-server.log");
    let _api = Process::start(
        Command::new(api)
            .env("ISSUER", format!("http://{issuer_addr}"))
            .env("LISTEN", &api_addr)
            .stdout(fs::File::create(&api_log)?)
            .stderr(Stdio::null()),
        &api_log,
        "listening on",
    )?;

    let token = mint::access_token(&issuer_addr, CLIENT.0, CLIENT.1)?;
    let bearer = format!("Bearer {token}");
    let answer = mint::http(&api_addr, "GET", "/me", &[("Authorization", &bearer)], "")?;
    ensure!(
        answer.status == 200 && answer.body == format!("hello {}\n", CLIENT.0),
        "GET /me with jot serve's token: {} {:?}",
        answer.status,
        answer.body
    );
    let answer = mint::http(&api_addr, "GET", "/me", &[], "")?;
    ensure!(
        answer.status == 401,
        "GET /me without a token: {} {:?}",
        answer.status,
        answer.body
    );
    Ok(())
}

/// A port nothing listens on now (the kernel's choice).
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child process, killed when dropped.
struct Process(Child);

impl Process {
    /// Starts `cmd` and waits until its log says `ready`.
    fn start(cmd: &mut Command, log: &Path, ready: &str) -> Result<Process> {
        let child = Process(
            cmd.stdin(Stdio::null())
                .spawn()
                .context("could not start")?,
        );
        let mut process = child;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = fs::read_to_string(log).unwrap_or_default();
            if text.contains(ready) {
                return Ok(process);
            }
            if let Some(status) = process.0.try_wait()? {
                bail!("{} exited ({status}):\n{text}", log.display());
            }
            if Instant::now() > deadline {
                bail!("no {ready:?} within 60 s:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A directory of this run, removed when dropped.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> Result<WorkDir> {
        let path = std::env::temp_dir().join(format!("jot-examples-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir(&path).with_context(|| path.display().to_string())?;
        Ok(WorkDir(path))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
