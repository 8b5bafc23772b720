//! Starting the real `jot serve` on 127.0.0.1 with a fresh data directory (and a
//! config file), reading its banner, and plain HTTP without redirects.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// A running `jot serve`, killed (and its data directory removed) when dropped.
pub(crate) struct Jot {
    child: Child,
    /// The issuer URL its banner printed (`http://127.0.0.1:PORT`).
    pub(crate) url: String,
    dir: tempfile::TempDir,
    _lines: Receiver<String>,
}

impl Jot {
    /// `jot serve --addr 127.0.0.1:0 --data-dir <fresh> [--config <file>] args…`, with
    /// `config` (TOML) written to a file when given, and `env` added to a cleaned
    /// environment. Returns once the banner named the issuer URL.
    pub(crate) fn start(config: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Jot {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let data = dir.path().join("jot-data");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jot"));
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(&data);
        if let Some(config) = config {
            let path = dir.path().join("jot.toml");
            std::fs::write(&path, config).expect("write the config file");
            cmd.arg("--config").arg(path);
        }
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("jot serve starts");
        let lines = stderr_lines(&mut child);
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            let line = lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| {
                    let _ = child.kill();
                    panic!("jot serve printed no `jot issuer URL` line within 60 s")
                });
            if let Some(rest) = line.strip_prefix("jot issuer ") {
                break rest
                    .split_whitespace()
                    .next()
                    .expect("the banner line names the URL")
                    .to_owned();
            }
        };
        Jot {
            child,
            url,
            dir,
            _lines: lines,
        }
    }

    /// The directory holding the data directory and the config file.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Jot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now (bound, read, released).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// Waits until something accepts connections on `addr` (at most `timeout`).
pub(crate) fn wait_for_port(addr: SocketAddr, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// An HTTP client that never follows redirects (the tests look at each one).
pub(crate) fn http() -> reqwest::Client {
    // reqwest is built on rustls without a default provider: the workspace's is ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// The value of each `Set-Cookie` of `response`, as `name=value`.
pub(crate) fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned())
        .collect()
}

/// The value of `<input … name="NAME" … value="…">` in `html`.
pub(crate) fn hidden_field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let value = tag.split("value=\"").nth(1)?;
    Some(unescape(value.split('"').next()?))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Reads the server's stderr on a thread (which keeps draining it, so the server never
/// blocks on a full pipe) and hands the lines over a channel.
fn stderr_lines(child: &mut Child) -> Receiver<String> {
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// The cookies a server set, sent back by hand (the HTTP client keeps none).
#[derive(Default, Debug)]
pub(crate) struct Cookies(Vec<(String, String)>);

impl Cookies {
    /// Keeps (or replaces, or on an empty value forgets) each cookie `response` sets.
    pub(crate) fn absorb(&mut self, response: &reqwest::Response) {
        for pair in set_cookies(response) {
            let (name, value) = pair.split_once('=').unwrap_or((&pair, ""));
            self.0.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.0.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    /// The `Cookie` header to send.
    pub(crate) fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}
