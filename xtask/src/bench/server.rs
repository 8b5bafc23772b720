//! `cargo xtask bench server`: `jot serve` under load on 127.0.0.1. Builds `jot`
//! in release, starts it on the file store, then on a throwaway PostgreSQL (one
//! instance, then two on one database), and loads `client_credentials`,
//! `refresh_token`, `/introspect` and the JWK Set with Debian's `wrk` for a
//! bounded time each, then `client_credentials` and the JWK Set again while a
//! second `wrk` burns wrong client secrets on `/token`. Prints one table.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::mint::{self, CodeFlow};
use super::wrk::{self, Attacker, Load, Report};
use crate::{cargo, deps, exec, target_dir};

/// Connections of the measured load, split between the instances.
const CONNECTIONS: u32 = 16;
/// Connections of the attacker, split between the instances.
const ATTACK_CONNECTIONS: u32 = 4;
/// Seconds of each measured load (`JOT_BENCH_SECONDS` overrides, for a quick
/// check of the harness).
const SECONDS: u32 = 8;
/// Refresh tokens per `wrk` process (each one a chain of refreshes).
const REFRESH_CHAINS: usize = 48;

const SVC: (&str, &str) = ("svc", "svc-secret-0123456789abcdef");
const RS: (&str, &str) = ("orders-api", "rs-secret-0123456789abcdef");
const WEB: (&str, &str) = ("web", "web-secret-0123456789abcdef");
const ALICE: (&str, &str) = ("alice", "correct horse battery staple");
const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// One line of the table.
struct Row {
    store: &'static str,
    instances: usize,
    endpoint: &'static str,
    attacker: Option<(Attacker, Report)>,
    report: Report,
}

pub(crate) fn run() -> Result<()> {
    exec(&mut cargo(&["build", "--release", "-p", "jot-cli"]))?;
    let jot = target_dir().join("release/jot");
    deps::ensure_wrk().map_err(anyhow::Error::msg)?;
    let work = WorkDir::new()?;
    fs::write(work.path.join("jot.toml"), config())?;
    let mut rows = Vec::new();

    let data = work.path.join("data");
    {
        let server = Server::start(&jot, &work.path, "file", &["--data-dir", path(&data)?], &[])?;
        rows.extend(measure("file", &[&server], &work.path)?);
    }

    let cluster = jot_test_support::postgres::Cluster::private();
    let database = cluster.private_database();
    let kek = work.path.join("kek");
    exec(Command::new(&jot).args(["keygen", "kek", "--out", path(&kek)?]))?;
    let env = [("JOT_DATABASE_URL", database.url())];
    let pg = ["--kek-file", path(&kek)?];
    {
        let server = Server::start(&jot, &work.path, "pg", &pg, &env)?;
        rows.extend(measure("PostgreSQL", &[&server], &work.path)?);
    }
    {
        let a = Server::start(&jot, &work.path, "pg-a", &pg, &env)?;
        let b = Server::start(&jot, &work.path, "pg-b", &pg, &env)?;
        rows.extend(measure("PostgreSQL", &[&a, &b], &work.path)?);
    }
    drop(database);
    drop(cluster);

    let table = table(&rows);
    println!("\n{table}");
    let out = target_dir().join("bench-server.md");
    fs::write(&out, &table)?;
    eprintln!("bench server: table written to {}", out.display());
    Ok(())
}

/// The clients and the user every instance is started with (besides `--client`
/// for the service): a resource server that introspects every client's tokens and
/// a first-party web app with refresh tokens. Loopback is a trusted proxy, so the
/// spread attacker's `X-Forwarded-For` is believed.
fn config() -> String {
    format!(
        "trusted_proxies = [\"127.0.0.1\"]\n\
         [[client]]\nid = \"{rs}\"\nsecret = \"{rs_secret}\"\nintrospect = true\n\
         [[client]]\nid = \"{web}\"\nsecret = \"{web_secret}\"\n\
         redirect_uris = [\"{REDIRECT}\"]\n\
         scopes = [\"openid\", \"offline_access\"]\nfirst_party = true\n\
         [[user]]\nusername = \"{alice}\"\npassword = \"{alice_pw}\"\n",
        rs = RS.0,
        rs_secret = RS.1,
        web = WEB.0,
        web_secret = WEB.1,
        alice = ALICE.0,
        alice_pw = ALICE.1,
    )
}

/// Every load against `servers` (one `wrk` per instance, the connections split).
fn measure(store: &'static str, servers: &[&Server], dir: &Path) -> Result<Vec<Row>> {
    let n = servers.len();
    let seconds = std::env::var("JOT_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SECONDS);
    let load = Load {
        connections: CONNECTIONS / n as u32,
        seconds,
    };
    let first = &servers[0].addr;
    let token = mint::access_token(first, SVC.0, SVC.1)?;
    let flow = CodeFlow {
        client: WEB,
        redirect_uri: REDIRECT,
        user: ALICE,
    };
    let mut refresh_files = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        // Each client's secret is verified once per instance before the load.
        mint::access_token(&server.addr, SVC.0, SVC.1)?;
        let tokens = flow.refresh_tokens(&server.addr, REFRESH_CHAINS)?;
        let file = dir.join(format!("refresh-{i}.txt"));
        fs::write(&file, tokens.join("\n") + "\n")?;
        let script = dir.join(format!("refresh-{i}.lua"));
        fs::write(&script, wrk::refresh_script(&file, WEB.0, WEB.1))?;
        refresh_files.push(script);
    }
    let cc = dir.join("client_credentials.lua");
    fs::write(
        &cc,
        wrk::post_script("/token", SVC.0, SVC.1, "grant_type=client_credentials"),
    )?;
    let introspect = dir.join("introspect.lua");
    fs::write(
        &introspect,
        wrk::post_script("/introspect", RS.0, RS.1, &format!("token={token}")),
    )?;

    let urls = |path: &str| -> Vec<String> {
        servers
            .iter()
            .map(|s| format!("http://{}{path}", s.addr))
            .collect()
    };
    let jwks = "/.well-known/jwks.json";
    let mut rows = Vec::new();
    let mut row = |endpoint, report, attacker| {
        eprintln!("bench server: {store} ×{n} {endpoint}: {report:?} {attacker:?}");
        rows.push(Row {
            store,
            instances: n,
            endpoint,
            attacker,
            report,
        });
    };
    row(
        "client_credentials",
        together(&urls("/token"), Some(&cc), load)?,
        None,
    );
    let refresh: Vec<_> = urls("/token")
        .into_iter()
        .zip(refresh_files.iter().map(|f| Some(f.as_path())))
        .collect();
    row("refresh_token", together_scripts(&refresh, load)?, None);
    row(
        "introspect",
        together(&urls("/introspect"), Some(&introspect), load)?,
        None,
    );
    row("jwks", together(&urls(jwks), None, load)?, None);
    for attacker in [Attacker::OneAddress, Attacker::Spread] {
        let script = dir.join("attack.lua");
        fs::write(&script, wrk::attack_script(attacker, SVC.0))?;
        for (endpoint, path, script_of) in [
            ("client_credentials", "/token", Some(cc.as_path())),
            ("jwks", jwks, None),
        ] {
            let attack_load = Load {
                connections: (ATTACK_CONNECTIONS / n as u32).max(1),
                seconds: seconds + 2,
            };
            let attackers: Vec<Child> = urls("/token")
                .iter()
                .map(|url| wrk::spawn(url, Some(&script), attack_load))
                .collect::<Result<_>>()?;
            std::thread::sleep(Duration::from_secs(1));
            let measured = together(&urls(path), script_of, load);
            let mut attack = Vec::new();
            for child in attackers {
                attack.push(wrk::finish(child)?);
            }
            row(endpoint, measured?, Some((attacker, sum(&attack))));
        }
    }
    Ok(rows)
}

/// One `wrk` per URL, all at once, with the same script.
fn together(urls: &[String], script: Option<&Path>, load: Load) -> Result<Report> {
    let pairs: Vec<_> = urls.iter().map(|u| (u.clone(), script)).collect();
    together_scripts(&pairs, load)
}

fn together_scripts(pairs: &[(String, Option<&Path>)], load: Load) -> Result<Report> {
    let children: Vec<Child> = pairs
        .iter()
        .map(|(url, script)| wrk::spawn(url, *script, load))
        .collect::<Result<_>>()?;
    let mut reports = Vec::new();
    for child in children {
        reports.push(wrk::finish(child)?);
    }
    Ok(sum(&reports))
}

/// Requests and rates add up; the latencies are the worst instance's.
fn sum(reports: &[Report]) -> Report {
    reports.iter().fold(Report::default(), |acc, r| Report {
        requests: acc.requests + r.requests,
        requests_per_sec: acc.requests_per_sec + r.requests_per_sec,
        p50_ms: acc.p50_ms.max(r.p50_ms),
        p99_ms: acc.p99_ms.max(r.p99_ms),
        failed: acc.failed + r.failed,
        throttled: acc.throttled + r.throttled,
    })
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| endpoint | store | instances | attacker on /token | requests/s | p50 | p99 | failed | attacker requests/s (429) |\n\
         |---|---|---:|---|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let r = &row.report;
        let (who, attack) = match &row.attacker {
            None => ("–".to_owned(), "–".to_owned()),
            Some((attacker, a)) => (
                attacker.label().to_owned(),
                format!(
                    "{:.0} ({} of {})",
                    a.requests_per_sec, a.throttled, a.requests
                ),
            ),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {who} | {:.0} | {} | {} | {} | {attack} |\n",
            row.endpoint,
            row.store,
            row.instances,
            r.requests_per_sec,
            ms(r.p50_ms),
            ms(r.p99_ms),
            r.failed,
        ));
    }
    out
}

fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.1} ms")
    }
}

/// A running `jot serve` on 127.0.0.1 (a free port), its log in the work
/// directory; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(
        jot: &Path,
        dir: &Path,
        name: &str,
        store: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Server> {
        let log = dir.join(format!("{name}.log"));
        let config = dir.join("jot.toml");
        let client = format!("{}:{}:read", SVC.0, SVC.1);
        let mut cmd = Command::new(jot);
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--config", path(&config)?])
            .args(["--client", &client])
            .args(store)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log)?);
        for (key, value) in env {
            cmd.env(key, value);
        }
        let mut child = cmd.spawn().context("could not start jot serve")?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = fs::read_to_string(&log).unwrap_or_default();
            if let Some(addr) = text
                .lines()
                .filter(|l| l.contains("issuer listening"))
                .flat_map(str::split_whitespace)
                .find_map(|field| field.strip_prefix("addr="))
            {
                return Ok(Server {
                    child,
                    addr: addr.to_owned(),
                });
            }
            if let Some(status) = child.try_wait()? {
                bail!("jot serve ({name}) exited ({status}):\n{text}");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!("jot serve ({name}) did not listen within 60 s:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory of this run, removed when dropped.
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    fn new() -> Result<WorkDir> {
        let path = std::env::temp_dir().join(format!("jot-bench-server-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir(&path).with_context(|| path.display().to_string())?;
        Ok(WorkDir { path })
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

fn path(p: &Path) -> Result<&str> {
    p.to_str()
        .with_context(|| format!("{} is not UTF-8", p.display()))
}
