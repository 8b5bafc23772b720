//! A throwaway PostgreSQL for tests: a cluster made with `initdb` in a temporary
//! directory and started with `pg_ctl` on a free loopback port, and a fresh
//! database per test.
//!
//! - [`shared`] is the one cluster of a test run: every test process started by
//!   the same runner (one `cargo nextest run`, or one `cargo test`) uses it, each
//!   test with its own [`Database`]. The first process makes it; a watchdog stops
//!   and removes it when the runner exits.
//! - [`Cluster::private`] is a cluster of one test's own, stopped and removed when
//!   dropped, for tests that stop and restart the server.
//!
//! Clusters live in the system's temporary directory (`TMPDIR`, else `/tmp`),
//! which the `postgres` user must be able to enter when the tests run as root.
//!
//! The server programs come from Debian's `postgresql` package, installed when
//! missing by the project's installer (`xtask/src/deps.rs`); nothing is skipped
//! when it is absent. `initdb` refuses to run as root, so under root (CI) the
//! cluster belongs to the `postgres` system user the package creates.
//!
//! Connections over TCP use a password (`scram-sha-256`; see [`Cluster::url`]);
//! TLS is on, with a certificate for `localhost` signed by the cluster's own CA
//! ([`Cluster::ca_cert`]); the Unix socket ([`Cluster::socket_dir`]) trusts
//! everyone. Durability is off (`fsync`, `synchronous_commit`): it is a test server.

use std::fs;
use std::io::Read as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

#[allow(dead_code, unreachable_pub)]
#[path = "../../../xtask/src/deps.rs"]
mod deps;

mod tls;

/// The superuser every test connects as.
pub const USER: &str = "jot";

/// A running PostgreSQL server.
#[derive(Debug)]
pub struct Cluster {
    base: PathBuf,
    bin: PathBuf,
    port: u16,
    password: String,
    /// The `(uid, gid)` the server runs as, when this process is root.
    owner: Option<(u32, u32)>,
    /// Stopped and removed on drop.
    private: bool,
}

/// A database of its own for one test, dropped (connections and all) on drop.
#[derive(Debug)]
pub struct Database {
    name: String,
    url: String,
    cluster: ClusterRef,
}

#[derive(Debug)]
enum ClusterRef {
    Shared(&'static Cluster),
    Private {
        bin: PathBuf,
        port: u16,
        password: String,
    },
}

/// The cluster of this test run (made by the first test process that asks).
pub fn shared() -> &'static Cluster {
    static SHARED: OnceLock<Cluster> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runner = std::os::unix::process::parent_id();
        let key = format!("{runner}-{}", start_time(runner).unwrap_or(0));
        let base = std::env::temp_dir().join(format!("jot-pg-{key}"));
        Cluster::create_or_attach(base, runner)
    })
}

impl Cluster {
    /// A cluster of the calling test's own: stopped and removed when dropped (or,
    /// if the test process dies, by its watchdog).
    pub fn private() -> Cluster {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let base = std::env::temp_dir().join(format!(
            "jot-pg-{}-own-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&base);
        let mut cluster = Cluster::create_or_attach(base, std::process::id());
        cluster.private = true;
        cluster
    }

    /// A new, empty database.
    pub fn database(&'static self) -> Database {
        self.new_database(ClusterRef::Shared(self))
    }

    /// A new, empty database of a [private](Cluster::private) cluster.
    pub fn private_database(&self) -> Database {
        self.new_database(ClusterRef::Private {
            bin: self.bin.clone(),
            port: self.port,
            password: self.password.clone(),
        })
    }

    /// `postgres://jot:PASSWORD@127.0.0.1:PORT/DATABASE`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{USER}:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    /// The TCP port (on 127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The password of [`USER`].
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The CA certificate (PEM) that signed the server's certificate for `localhost`.
    pub fn ca_cert(&self) -> PathBuf {
        self.base.join("tls/ca.crt")
    }

    /// The directory of the server's Unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        self.base.join("sock")
    }

    /// Stops the server (`pg_ctl stop -m fast`: connections are closed).
    pub fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "60"])
            .unwrap_or_else(|e| panic!("pg_ctl stop: {e}"));
    }

    /// Starts it again, on the same port.
    pub fn start(&self) {
        self.pg_ctl(&["start", "-w", "-t", "60", "-l"])
            .unwrap_or_else(|e| panic!("pg_ctl start: {e}\n{}", self.log()));
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.base.join("server.log")).unwrap_or_default()
    }

    /// Makes (as the first of the run) or joins the cluster in `base`, watched by a
    /// process that removes it once `watched` is gone.
    fn create_or_attach(base: PathBuf, watched: u32) -> Cluster {
        let bin = deps::ensure_postgres().unwrap_or_else(|e| panic!("{e}"));
        match fs::create_dir(&base) {
            Ok(()) => match Cluster::create(base.clone(), bin, watched) {
                Ok(cluster) => cluster,
                Err(e) => {
                    let _ = fs::write(base.join("failed"), &e);
                    panic!(
                        "cannot start a PostgreSQL cluster in {}: {e}",
                        base.display()
                    );
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Cluster::attach(base, bin),
            Err(e) => panic!("{}: {e}", base.display()),
        }
    }

    /// Waits for the process that makes the cluster in `base` to say it is ready.
    fn attach(base: PathBuf, bin: PathBuf) -> Cluster {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if let Ok(text) = fs::read_to_string(base.join("ready")) {
                let mut lines = text.lines();
                let port = lines.next().and_then(|p| p.parse().ok());
                let password = lines.next().map(str::to_owned);
                if let (Some(port), Some(password)) = (port, password) {
                    let owner = owner_of(&base);
                    return Cluster {
                        base,
                        bin,
                        port,
                        password,
                        owner,
                        private: false,
                    };
                }
            }
            if let Ok(reason) = fs::read_to_string(base.join("failed")) {
                panic!("the test run's PostgreSQL cluster failed to start: {reason}");
            }
            assert!(
                Instant::now() < deadline,
                "no PostgreSQL cluster became ready in {} within 180 s",
                base.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn create(base: PathBuf, bin: PathBuf, watched: u32) -> Result<Cluster, String> {
        let we_are_root = fs::metadata(&base).map_err(|e| e.to_string())?.uid() == 0;
        let owner = if we_are_root {
            Some(system_user("postgres")?)
        } else {
            None
        };
        let mut cluster = Cluster {
            base,
            bin,
            port: 0,
            password: random_hex(16)?,
            owner,
            private: false,
        };
        fs::set_permissions(&cluster.base, fs::Permissions::from_mode(0o700))
            .map_err(|e| e.to_string())?;
        cluster.give(&cluster.base)?;
        cluster.watch(watched)?;
        let pwfile = cluster.base.join("pwfile");
        fs::write(&pwfile, &cluster.password).map_err(|e| e.to_string())?;
        cluster.give(&pwfile)?;
        let sock = cluster.socket_dir();
        fs::create_dir(&sock).map_err(|e| e.to_string())?;
        cluster.give(&sock)?;
        tls::make_certificates(&cluster.base.join("tls"), |path| cluster.give(path))?;

        let data = cluster.base.join("data");
        cluster.run(
            cluster
                .as_owner("initdb")
                .arg("-D")
                .arg(&data)
                .args(["-U", USER, "-E", "UTF8", "--locale=C", "--no-sync"])
                .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
                .arg(format!("--pwfile={}", pwfile.display())),
        )?;
        let _ = fs::remove_file(&pwfile);
        // A free port can be taken before the server binds it: try a few.
        let mut last = String::new();
        for _ in 0..5 {
            cluster.port = free_port()?;
            cluster.configure(&data, &sock)?;
            match cluster.pg_ctl(&["start", "-w", "-t", "60", "-l"]) {
                Ok(()) => {
                    let ready = cluster.base.join("ready.tmp");
                    fs::write(&ready, format!("{}\n{}\n", cluster.port, cluster.password))
                        .map_err(|e| e.to_string())?;
                    fs::rename(&ready, cluster.base.join("ready")).map_err(|e| e.to_string())?;
                    return Ok(cluster);
                }
                Err(e) => last = format!("{e}\n{}", cluster.log()),
            }
        }
        Err(last)
    }

    /// The server's settings, appended to `postgresql.conf` (the last one wins).
    fn configure(&self, data: &Path, sock: &Path) -> Result<(), String> {
        let tls = self.base.join("tls");
        let settings = format!(
            "\n# jot test cluster\n\
             listen_addresses = '127.0.0.1'\nport = {port}\n\
             unix_socket_directories = '{sock}'\n\
             max_connections = 300\nshared_buffers = 32MB\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n\
             ssl = on\nssl_cert_file = '{cert}'\nssl_key_file = '{key}'\n",
            port = self.port,
            sock = sock.display(),
            cert = tls.join("server.crt").display(),
            key = tls.join("server.key").display(),
        );
        let conf = data.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf).map_err(|e| e.to_string())?;
        text.push_str(&settings);
        fs::write(&conf, text).map_err(|e| e.to_string())
    }

    /// `pg_ctl -D DATA ARGS…` as the owner (`-l` gets the log file appended).
    fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let mut cmd = self.as_owner("pg_ctl");
        cmd.arg("-D").arg(self.base.join("data")).args(args);
        if args.last() == Some(&"-l") {
            cmd.arg(self.base.join("server.log"));
        }
        // The server outlives this process group: a test runner that kills the
        // group of a finished test must not take the shared server with it.
        cmd.process_group(0);
        self.run(&mut cmd)
    }

    /// Starts the process that stops the server and removes `base` once `pid` (the
    /// test runner, or the test process of a private cluster) is gone.
    fn watch(&self, pid: u32) -> Result<(), String> {
        let started = start_time(pid).unwrap_or(0);
        let script = format!(
            "while [ \"$(sed 's/.*) //' /proc/{pid}/stat 2>/dev/null | cut -d' ' -f20)\" = '{started}' ]; do sleep 1; done; \
             {pg_ctl} -D '{data}' stop -m immediate >/dev/null 2>&1; rm -rf '{base}'",
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = self.base.join("data").display(),
            base = self.base.display(),
        );
        let mut cmd = self.as_owner("/bin/sh");
        cmd.args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        cmd.spawn()
            .map(drop)
            .map_err(|e| format!("cannot start the cluster's watchdog: {e}"))
    }

    /// A command of the server's `bin` directory (or `program` itself if it is a
    /// path), run as the cluster's owner in its directory.
    fn as_owner(&self, program: &str) -> Command {
        let path = if program.starts_with('/') {
            PathBuf::from(program)
        } else {
            self.bin.join(program)
        };
        let mut cmd = Command::new(path);
        cmd.current_dir(&self.base)
            .env_remove("PGPASSWORD")
            .env_remove("PGDATA");
        if let Some((uid, gid)) = self.owner {
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    /// Runs `cmd` without a terminal; an error holds its output.
    fn run(&self, cmd: &mut Command) -> Result<(), String> {
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{:?} failed ({}): {}{}",
                cmd.get_program(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Hands `path` to the cluster's owner (when this process is root).
    fn give(&self, path: &Path) -> Result<(), String> {
        match self.owner {
            Some((uid, gid)) => std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", path.display())),
            None => Ok(()),
        }
    }

    fn new_database(&self, cluster: ClusterRef) -> Database {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed),
            random_hex(4).unwrap_or_default()
        );
        psql(
            &self.bin,
            self.port,
            &self.password,
            "postgres",
            &format!("CREATE DATABASE {name}"),
        );
        Database {
            url: self.url(&name),
            name,
            cluster,
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.private {
            let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "60"]);
            let _ = fs::remove_dir_all(&self.base);
        }
    }
}

impl Database {
    /// `postgres://jot:PASSWORD@127.0.0.1:PORT/NAME`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs SQL with `psql` and returns what it printed (unaligned, tuples only:
    /// one line per row, columns separated by `|`). Fails the test on an error.
    pub fn psql(&self, sql: &str) -> String {
        let (bin, port, password) = self.connection();
        psql(bin, port, password, &self.name, sql)
    }

    /// The `psql` command that [`Database::psql`] runs, to run elsewhere (on a
    /// thread, say, to hold a lock while the test goes on).
    pub fn psql_command(&self, sql: &str) -> Command {
        let (bin, port, password) = self.connection();
        psql_command(bin, port, password, &self.name, sql)
    }

    fn connection(&self) -> (&Path, u16, &str) {
        match &self.cluster {
            ClusterRef::Shared(c) => (&c.bin, c.port, &c.password),
            ClusterRef::Private {
                bin,
                port,
                password,
            } => (bin, *port, password),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (bin, port, password) = self.connection();
        // A stopped private cluster goes with its directory anyway.
        let _ = Command::new(bin.join("psql"))
            .args(["-X", "-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .args(["-U", USER, "-d", "postgres", "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .env("PGPASSWORD", password)
            .env("PGSSLMODE", "disable")
            .env("PGCONNECT_TIMEOUT", "5")
            .stdin(Stdio::null())
            .output();
    }
}

/// `psql -At -c SQL` on `database`; panics with psql's message on failure.
fn psql(bin: &Path, port: u16, password: &str, database: &str, sql: &str) -> String {
    let out = psql_command(bin, port, password, database, sql)
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql: {e}"));
    assert!(
        out.status.success(),
        "psql {sql:?} on {database}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
}

fn psql_command(bin: &Path, port: u16, password: &str, database: &str, sql: &str) -> Command {
    let mut cmd = Command::new(bin.join("psql"));
    cmd.args([
        "-X",
        "-q",
        "-At",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
    ])
    .args([
        "-p",
        &port.to_string(),
        "-U",
        USER,
        "-d",
        database,
        "-c",
        sql,
    ])
    .env("PGPASSWORD", password)
    .env("PGSSLMODE", "disable")
    .env("PGCONNECT_TIMEOUT", "10")
    .stdin(Stdio::null());
    cmd
}

/// The uid and gid of a system user, from `/etc/passwd`.
fn system_user(name: &str) -> Result<(u32, u32), String> {
    let passwd = fs::read_to_string("/etc/passwd").map_err(|e| e.to_string())?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() > 3 && fields[0] == name)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
        .ok_or_else(|| {
            format!(
                "running as root, and initdb refuses root: no `{name}` user to run the test \
                 cluster as (Debian's postgresql package creates it)"
            )
        })
}

/// The owner of `path`, when this process is root and it is someone else's.
fn owner_of(path: &Path) -> Option<(u32, u32)> {
    let meta = fs::metadata(path).ok()?;
    let me = fs::metadata("/proc/self").ok()?.uid();
    (me == 0 && meta.uid() != 0).then(|| (meta.uid(), meta.gid()))
}

/// When process `pid` started (clock ticks since boot), so a reused pid is not
/// mistaken for it.
fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    after_name.split(' ').nth(19)?.parse().ok()
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
