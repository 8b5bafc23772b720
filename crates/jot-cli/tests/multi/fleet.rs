//! A fleet of `jot serve` instances on one database: one config file, one KEK,
//! one issuer URL (the address a load balancer would have), each instance on a
//! port of its own, reached directly.

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use crate::support::{Jot, http};

/// The issuer URL every instance puts in its tokens: nobody listens there, as
/// with a load balancer the tests go around.
pub(crate) const ISSUER: &str = "http://issuer.jot.test";
/// A service client (`client_credentials`).
pub(crate) const SVC: (&str, &str) = ("svc", "svc-secret-0123456789abcdef");
/// A web app people sign in to (code flow, PKCE, refresh tokens), first party.
pub(crate) const WEB: (&str, &str) = ("web", "web-secret-0123456789abcdef");
/// The web app's redirect URI (never followed: the tests read the code off it).
pub(crate) const REDIRECT: &str = "http://127.0.0.1:9/callback";
/// A user.
pub(crate) const ALICE: (&str, &str) = ("alice", "correct horse battery staple");
/// How long a test waits for something it expects at most.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// The shared settings of the instances on one database.
pub(crate) struct Fleet {
    /// The database URL.
    pub(crate) store: String,
    /// The KEK, as `jot keygen kek` printed it.
    pub(crate) kek: String,
    dir: tempfile::TempDir,
}

/// One running `jot serve`.
pub(crate) struct Instance {
    pub(crate) jot: Jot,
    /// `http://127.0.0.1:PORT`: where this instance listens.
    pub(crate) base: String,
}

impl Fleet {
    /// Settings for instances on `store` (a PostgreSQL URL): a new KEK and a
    /// config file with [`SVC`], [`WEB`], [`ALICE`] and `extra` TOML lines.
    pub(crate) fn new(store: &str, extra: &str) -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        let kek_file = dir.path().join("kek");
        let out = run(&["keygen", "kek", "--out", kek_file.to_str().unwrap()], &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let kek = std::fs::read_to_string(&kek_file)
            .unwrap()
            .trim()
            .to_owned();
        let config = format!(
            "store = \"{store}\"\nissuer = \"{ISSUER}\"\n{extra}\n\
             [[client]]\nid = \"{svc}\"\nsecret = \"{svc_secret}\"\nscopes = [\"read\"]\n\
             [[client]]\nid = \"{web}\"\nsecret = \"{web_secret}\"\n\
             redirect_uris = [\"{REDIRECT}\"]\n\
             scopes = [\"openid\", \"profile\", \"email\", \"offline_access\"]\nfirst_party = true\n\
             [[user]]\nusername = \"{alice}\"\npassword = \"{alice_pw}\"\nname = \"Alice\"\n",
            svc = SVC.0,
            svc_secret = SVC.1,
            web = WEB.0,
            web_secret = WEB.1,
            alice = ALICE.0,
            alice_pw = ALICE.1,
        );
        std::fs::write(dir.path().join("jot.toml"), config).unwrap();
        Fleet {
            store: store.to_owned(),
            kek,
            dir,
        }
    }

    /// The config file.
    pub(crate) fn config(&self) -> PathBuf {
        self.dir.path().join("jot.toml")
    }

    /// The KEK file.
    pub(crate) fn kek_file(&self) -> PathBuf {
        self.dir.path().join("kek")
    }

    /// Starts an instance with the config file, the KEK file and `args`; returns
    /// once it listens.
    pub(crate) fn start(&self, args: &[&str]) -> Instance {
        let config = self.config();
        let kek = self.kek_file();
        let mut all = vec![
            "--config",
            config.to_str().unwrap(),
            "--kek-file",
            kek.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        self.start_with(&all)
    }

    /// Starts an instance with exactly `args` (besides `--addr`).
    pub(crate) fn start_with(&self, args: &[&str]) -> Instance {
        let mut jot = Jot::start_with(args, &[("RUST_LOG", "warn,jot::serve=info")]);
        let lines = jot.read_until(|l| l.contains("issuer listening"));
        let line = lines.last().unwrap();
        let addr = line
            .split_whitespace()
            .find_map(|field| field.strip_prefix("addr="))
            .unwrap_or_else(|| panic!("no addr= in {line}"));
        Instance {
            jot,
            base: format!("http://{addr}"),
        }
    }

    /// `jot args…` on the fleet's database and KEK (`JOT_DATABASE_URL`, `JOT_KEK`).
    pub(crate) fn jot(&self, args: &[&str]) -> Output {
        run(
            args,
            &[("JOT_DATABASE_URL", &self.store), ("JOT_KEK", &self.kek)],
        )
    }
}

/// `jot args…` with a cleaned environment plus `env`.
pub(crate) fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_jot"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("jot runs")
}

/// An HTTP client with a time limit, so no test can hang on a request.
pub(crate) fn client() -> reqwest::Client {
    let _ = http();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(PATIENCE)
        .build()
        .unwrap()
}
