//! Starting the real `jot serve` on 127.0.0.1 with a fresh data directory (and a
//! config file), reading its banner, and plain HTTP without redirects: following
//! the sign-in of the home page's demo client as a browser would, by hand.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// A running `jot serve`, killed when dropped (its data directory goes with the
/// temporary directory, unless the caller owns that).
pub(crate) struct Jot {
    child: Child,
    /// The issuer URL its banner printed (`http://127.0.0.1:PORT`).
    pub(crate) url: String,
    /// The banner's first line (`jot issuer URL (… in STORE)`).
    pub(crate) banner: String,
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    lines: Receiver<String>,
}

impl Jot {
    /// `jot serve --addr 127.0.0.1:0 --data-dir <fresh> [--config <file>] args…`, with
    /// `config` (TOML) written to a file when given, and `env` added to a cleaned
    /// environment. Returns once the banner named the issuer URL.
    pub(crate) fn start(config: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Jot {
        let temp = tempfile::tempdir().expect("a temporary directory");
        let mut jot = Jot::start_in(temp.path(), config, args, env);
        jot._temp = Some(temp);
        jot
    }

    /// [`Jot::start`] with the data directory `dir/jot-data` (and the config file
    /// `dir/jot.toml`) of a directory the caller keeps, e.g. to start again on it.
    pub(crate) fn start_in(
        dir: &Path,
        config: Option<&str>,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Jot {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jot"));
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir.join("jot-data"));
        if let Some(config) = config {
            let path = dir.join("jot.toml");
            std::fs::write(&path, config).expect("write the config file");
            cmd.arg("--config").arg(path);
        }
        Jot::launch(cmd, dir, args, env)
    }

    /// `jot serve --addr 127.0.0.1:0 args…` in a fresh working directory, with
    /// `env` added to a cleaned environment: `args` (or `env`) say where the state
    /// lives, e.g. `--store postgres://…`.
    pub(crate) fn start_with(args: &[&str], env: &[(&str, &str)]) -> Jot {
        let temp = tempfile::tempdir().expect("a temporary directory");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jot"));
        cmd.args(["serve", "--addr", "127.0.0.1:0"])
            .current_dir(temp.path());
        let mut jot = Jot::launch(cmd, temp.path(), args, env);
        jot._temp = Some(temp);
        jot
    }

    /// [`Jot::start`] allowed at most `files` open files (`ulimit -n`, set by
    /// `/bin/sh` before it runs `jot`).
    #[cfg(unix)]
    pub(crate) fn start_with_file_limit(files: u32, args: &[&str], env: &[(&str, &str)]) -> Jot {
        let temp = tempfile::tempdir().expect("a temporary directory");
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_jot"))
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(temp.path().join("jot-data"));
        let mut jot = Jot::launch(cmd, temp.path(), args, env);
        jot._temp = Some(temp);
        jot
    }

    /// Runs `cmd args…` and waits for the banner's first line.
    fn launch(mut cmd: Command, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Jot {
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
        let mut jot = Jot {
            child,
            url: String::new(),
            banner: String::new(),
            dir: dir.to_path_buf(),
            _temp: None,
            lines,
        };
        let first = jot.read_until(|line| line.starts_with("jot issuer "));
        jot.banner = first.last().cloned().unwrap_or_default();
        jot.url = jot
            .banner
            .strip_prefix("jot issuer ")
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the banner line names the URL")
            .to_owned();
        jot
    }

    /// Stops the server and returns the stderr lines not read yet.
    pub(crate) fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            rest.push(line);
        }
        rest
    }

    /// The server's stderr lines from here up to the first for which `done` holds
    /// (included); fails the test after 60 s without it.
    pub(crate) fn read_until(&mut self, done: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut lines = Vec::new();
        loop {
            let Ok(line) = self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            else {
                let _ = self.child.kill();
                panic!(
                    "jot serve stopped or went quiet after:\n{}",
                    lines.join("\n")
                );
            };
            let stop = done(&line);
            lines.push(line);
            if stop {
                return lines;
            }
        }
    }

    /// The directory holding the data directory and the config file.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
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

/// Follows redirects from `url` by hand (keeping cookies) to the page that ends them:
/// its URL and body.
pub(crate) async fn follow(
    client: &reqwest::Client,
    cookies: &mut Cookies,
    url: &str,
) -> (String, String) {
    let mut url = reqwest::Url::parse(url).expect("an absolute URL");
    for _ in 0..10 {
        let response = client
            .get(url.clone())
            .header("cookie", cookies.header())
            .send()
            .await
            .expect("the server answers");
        cookies.absorb(&response);
        if response.status().is_redirection() {
            let location = response.headers()["location"].to_str().expect("ASCII");
            url = url.join(location).expect("a valid Location");
            continue;
        }
        assert_eq!(response.status(), 200, "{url}");
        return (url.to_string(), response.text().await.expect("a body"));
    }
    panic!("more than 10 redirects from {url}");
}

/// Signs in to the home page's demo at `issuer` as a browser would (the sign-in
/// button, the login form with its hidden fields): `Ok` with the signed-in home
/// page, or `Err` with the page the login form answered with.
pub(crate) async fn sign_in(
    issuer: &str,
    username: &str,
    password: &str,
) -> Result<String, String> {
    let client = http();
    let mut cookies = Cookies::default();
    let (_, page) = follow(&client, &mut cookies, &format!("{issuer}/demo/login")).await;
    let field = |name| hidden_field(&page, name).unwrap_or_else(|| panic!("no {name} in:\n{page}"));
    let response = client
        .post(format!("{issuer}/login"))
        .header("cookie", cookies.header())
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", &field("csrf")),
            ("request", &field("request")),
        ])
        .send()
        .await
        .expect("the server answers");
    cookies.absorb(&response);
    if !response.status().is_redirection() {
        return Err(response.text().await.expect("a body"));
    }
    let location = response.headers()["location"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    let next = reqwest::Url::parse(issuer)
        .and_then(|base| base.join(&location))
        .expect("a valid Location");
    let (_, home) = follow(&client, &mut cookies, next.as_str()).await;
    Ok(home)
}
