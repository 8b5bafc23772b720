//! `cargo xtask examples`: builds and runs the examples of the library crates, each
//! as a newcomer would: `sign_verify` (jot-algorithms) and `encrypt_decrypt`
//! (jot-jwe) must exit 0; `api_server` (jot-axum, the program of the READMEs'
//! axum section) runs against a real `jot serve` started as the README says: a
//! token from `client_credentials` gets `200` from its protected route, no token
//! gets `401`.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::bench::mint;
use crate::{cargo, exec, target_dir};

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
        "-p",
        "jot-axum",
        "--example",
        "api_server",
    ]))?;
    let bin = target_dir().join("debug");
    for example in ["sign_verify", "encrypt_decrypt"] {
        eprintln!("examples: {example}");
        exec(Command::new(bin.join("examples").join(example)).stdout(Stdio::null()))?;
    }
    eprintln!("examples: api_server against jot serve --audience my-api");
    api_server(&bin.join("jot"), &bin.join("examples/api_server"))?;
    eprintln!("examples: all ran as their READMEs say");
    Ok(())
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
