//! `jot serve`: a standalone issuer on a [`FileStore`](jot_issuer::store::FileStore)
//! or a PostgreSQL database ([`StoreLocation`]) with people signing in (OpenID
//! Connect) and its home page, configured by [`ServeConfig`].

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use jot_algorithms::Algorithm;
use jot_issuer::home::{self, Home};
use jot_issuer::kek::{Kek, KekRotation};
use jot_issuer::{
    ClientCredentials, ClientMetadataDocuments, ClientRegistration, Issuer, IssuerError,
    KeyRotation, Login, NewClient, RotatedKey, stored_algorithm, users, users::NewUser,
};
use tokio::net::TcpListener;

use super::ServeError;
use super::config::{DEFAULT_ADDR, DEFAULT_DATA_DIR, ServeConfig};
use super::connections::{self, Limits};
use super::operate::Operate;
use super::store::StoreLocation;
use super::tls::Tls;
use super::users::random_password;

/// The id of the development client created on first start when none is configured.
const DEV_CLIENT: &str = "dev";
/// The username of the development user created on first start when no user exists.
const DEV_USER: &str = "dev";

/// A bound, ready issuer server: [`Server::bind`], then [`Server::run`].
#[derive(Debug)]
pub(crate) struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    issuer: Issuer,
    location: StoreLocation,
    home: Home,
    development_client: Option<ClientCredentials>,
    development_user: Option<DevelopmentUser>,
    operate: Operate,
    limits: Limits,
    tls: Option<Arc<Tls>>,
}

/// The user `jot serve` created on a first start, with its password (shown once).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct DevelopmentUser {
    pub(crate) username: String,
    pub(crate) password: String,
}

impl std::fmt::Debug for DevelopmentUser {
    /// Never shows the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevelopmentUser")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Reads the config file, binds the address, opens (or creates) the data
    /// directory, generates the signing key on first start, registers the
    /// configured clients and users, creates a development user when no user exists
    /// ([`Server::development_user`]) and a development client when no client
    /// exists ([`Server::development_client`]), and registers the home page's demo
    /// client.
    pub(crate) async fn bind(config: ServeConfig) -> Result<Server, ServeError> {
        let config = config.resolve()?;
        let addr = match config.addr {
            Some(addr) => addr,
            // A constant that parses.
            None => DEFAULT_ADDR
                .parse()
                .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))),
        };
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Listen {
                addr: addr.to_string(),
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| ServeError::Listen {
            addr: addr.to_string(),
            source,
        })?;
        let operate = Operate::bind(config.metrics, config.admin_addr).await?;
        let tls = config.tls.map(Tls::load).transpose()?.map(Arc::new);
        let url = match config.issuer_url {
            Some(url) => url,
            None if tls.is_some() => format!("https://{}", reachable(local_addr)),
            None => format!("http://{}", reachable(local_addr)),
        };
        let location = match (config.store, config.data_dir) {
            (Some(url), _) => StoreLocation::from_url(&url)?,
            (None, dir) => {
                StoreLocation::Dir(dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)))
            }
        };
        require_kek(&location, config.kek.as_ref())?;
        let store = location.open().await?;
        let stored_alg = stored_algorithm(store.as_ref()).await?;
        let alg = config.alg.or(stored_alg).unwrap_or(Algorithm::ES256);

        let mut builder = Issuer::builder(url)
            .shared_store(store.clone())
            .algorithm(alg)
            .trusted_proxies(config.trusted_proxies)
            .login(Login::new())
            .cors_origins(config.cors_origins)
            .resources(config.resources)
            .replace_missing_key(config.replace_missing_key.unwrap_or(false));
        if config.dpop_nonces == Some(true) {
            let nonces = jot_axum::HmacNonces::random().map_err(|e| ServeError::Setting {
                setting: "dpop_nonces",
                reason: e.to_string(),
            })?;
            let replay = jot_issuer::store::StoreReplayCache::new(store.clone());
            builder = builder.dpop(jot_axum::Dpop::new().nonces(nonces).replay_cache(replay));
        }
        for aud in config.audience {
            builder = builder.audience(aud);
        }
        if let Some(ttl) = config.access_ttl {
            builder = builder.access_token_lifetime(ttl);
        }
        if let Some(ttl) = config.refresh_ttl {
            builder = builder.refresh_token_lifetime(ttl);
        }
        if let Some(rotation) = config.rotation {
            builder = builder.rotation_interval(rotation);
        }
        if let Some(every) = config.maintenance {
            builder = builder.maintenance_interval(every);
        }
        if let Some(max_age) = config.jwks_max_age {
            builder = builder.jwks_max_age(max_age);
        }
        if let Some(kek) = config.kek {
            builder = builder.kek(kek);
        }
        if config.client_id_metadata_documents.unwrap_or(false) {
            let allow_loopback = config.client_id_metadata_allow_loopback.unwrap_or(false);
            if allow_loopback {
                tracing::warn!(target: "jot::serve", "client metadata documents may come from loopback addresses (development only)");
            }
            builder = builder.client_id_metadata_documents(
                ClientMetadataDocuments::new()
                    .allow_loopback(allow_loopback)
                    .scopes(config.client_id_metadata_scopes.clone()),
            );
        }
        if config.dynamic_registration.unwrap_or(false) {
            let mut registration =
                ClientRegistration::new().scopes(config.registration_scopes.clone());
            if let Some(token) = &config.registration_token {
                registration = registration.initial_access_token(token.0.clone());
            }
            builder = builder.dynamic_client_registration(registration);
        }
        let issuer = builder.build().await.map_err(|e| match e {
            IssuerError::MissingPrivateKey { kid } => ServeError::MissingPrivateKey { kid },
            e => e.into(),
        })?;
        if stored_alg.is_some_and(|stored| stored != alg) {
            // On the timeline like any planned rotation: published now, signing
            // once verifiers can have fetched it.
            let rotated = issuer.rotate_key().await?;
            tracing::info!(target: "jot::serve", kid = %rotated.kid, %alg, signs_from = ?rotated.signs_from, "algorithm changed: next key published");
        }
        for client in &config.clients {
            if issuer.ensure_client(client.to_new_client()).await? {
                tracing::info!(target: "jot::serve", client_id = %client.id, "configured client stored");
            }
        }
        for user in &config.users {
            if users::ensure(issuer.store(), user.to_new_user()).await? {
                tracing::info!(target: "jot::serve", username = %user.username, "configured user stored");
            }
        }
        let development_user = if users::list(issuer.store()).await?.is_empty() {
            let password = random_password()?;
            users::add(
                issuer.store(),
                NewUser::new(DEV_USER, password.clone())
                    .name("Development User")
                    .email("dev@example.com"),
            )
            .await?;
            Some(DevelopmentUser {
                username: DEV_USER.to_owned(),
                password,
            })
        } else {
            None
        };
        // The demo client of the home page does not count: it is always there.
        let no_client = issuer
            .client_ids()
            .await?
            .iter()
            .all(|id| id == home::DEMO_CLIENT_ID);
        let development_client = if no_client {
            Some(issuer.register_client(NewClient::new(DEV_CLIENT)).await?)
        } else {
            None
        };
        let home = Home::register(&issuer).await?;
        Ok(Server {
            listener,
            local_addr,
            issuer,
            location,
            home,
            development_client,
            development_user,
            operate,
            limits: config.limits.resolve(),
            tls,
        })
    }

    /// The address bound.
    #[cfg(test)]
    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The issuer (to register clients, mint user tokens or rotate keys in-process).
    #[cfg(test)]
    pub(crate) fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The development client created by this start, if any: its secret exists only here.
    #[cfg(test)]
    pub(crate) fn development_client(&self) -> Option<&ClientCredentials> {
        self.development_client.as_ref()
    }

    /// The development user created by this start, if any: its password exists only here.
    #[cfg(test)]
    pub(crate) fn development_user(&self) -> Option<&DevelopmentUser> {
        self.development_user.as_ref()
    }

    /// The text [`serve()`] prints to stderr: the issuer, where to sign in, and
    /// what this start created — the development user's password, the development
    /// client's credentials with a `curl` that gets a token and a `jot verify` that
    /// checks it — each shown only this once.
    pub(crate) fn banner(&self) -> String {
        self.banner_with("jot")
    }

    /// [`Server::banner`] with another command in place of `jot` in the verify
    /// line (e.g. `cargo run -q -p jot-cli --` when `jot` is not installed).
    pub(crate) fn banner_with(&self, jot: &str) -> String {
        let url = self.issuer.url();
        let mut banner = format!(
            "\njot issuer {url} (keys, clients and users in {store})\n\
             \n  Home page and sign-in: {url}/\n  JWKS:                  {jwks}\n",
            store = self.location,
            jwks = self.issuer.jwks_url(),
        );
        if let Some(user) = &self.development_user {
            banner.push_str(&format!(
                "\nA development user was created. Its password is shown only now (only a hash is stored):\n\
                 \n  username: {}\n  password: {}\n\
                 \nOpen {url}/ in a browser and sign in with it to see your tokens.\n",
                user.username, user.password
            ));
        }
        if let Some(client) = self.client_banner(jot) {
            banner.push_str(&client);
        }
        banner.push('\n');
        banner
    }

    /// The banner's part on the development client, when this start created it.
    fn client_banner(&self, jot: &str) -> Option<String> {
        let client = self.development_client.as_ref()?;
        let url = self.issuer.url();
        let auth = sh_quote(&format!("{}:{}", client.client_id, client.client_secret));
        let audience = self
            .issuer
            .default_audience()
            .iter()
            .map(|a| format!(" --aud {}", sh_quote(a)))
            .collect::<String>();
        let curl = format!(
            "curl -s -u {auth} -d grant_type=client_credentials {}",
            sh_quote(&format!("{url}/token"))
        );
        Some(format!(
            "\nA development client was created. Its secret is shown only now (only a hash is stored):\n\
             \n  client_id:     {id}\n  client_secret: {secret}\n\
             \nGet a token:\n\n  {curl}\n\
             \nGet a token and verify it with the published keys:\n\n  {curl} \\\n    \
             | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/' \\\n    \
             | {jot} verify --jwks {jwks} --iss {iss}{audience} --typ at+jwt\n",
            id = client.client_id,
            secret = client.client_secret,
            jwks = sh_quote(&self.issuer.jwks_url()),
            iss = sh_quote(url),
        ))
    }

    /// Serves until `shutdown` resolves (in-flight requests are finished), running
    /// key reloads and scheduled rotation in the background. Connections are held
    /// to the configured [`Limits`] (timeouts, a connection cap).
    pub(crate) async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let issuer = self.issuer;
        tracing::info!(
            target: "jot::serve",
            addr = %self.local_addr,
            issuer = %issuer.url(),
            jwks = %issuer.jwks_url(),
            kid = %issuer.current_kid(),
            alg = %issuer.algorithm(),
            store = %self.location,
            "issuer listening"
        );
        let maintenance = tokio::spawn(issuer.clone().run_maintenance());
        let app = self
            .operate
            .main_router(issuer.router().merge(self.home.router()));
        let _operate = self.operate.start(&issuer);
        // Each request carries its peer address, for the per-address throttling.
        let tls_config = self.tls.as_ref().map(|tls| tls.config());
        let reload = self
            .tls
            .map(|tls| tokio::spawn(tls.watch(super::tls::POLL)));
        connections::serve(self.listener, app, self.limits, tls_config, shutdown).await;
        maintenance.abort();
        if let Some(reload) = reload {
            reload.abort();
        }
        tracing::info!(target: "jot::serve", "issuer stopped");
        Ok(())
    }
}

/// The whole `jot serve`: [`Server::bind`], the [banner](Server::banner) on stderr,
/// then [`Server::run`] until `shutdown`.
pub(crate) async fn serve(
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let server = Server::bind(config).await?;
    eprint!("{}", server.banner());
    server.run(shutdown).await
}

/// [`serve()`] on a new multi-threaded Tokio runtime, until Ctrl-C or SIGTERM
/// ([`shutdown_signal`]). For a synchronous `main`; do not call it from async code.
pub(crate) fn serve_blocking(config: ServeConfig) -> Result<(), ServeError> {
    runtime()?.block_on(serve(config, shutdown_signal()))
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!(target: "jot::serve", "shutdown signal received");
}

/// Rotates the signing key of the store at `location` as `rotation` says: a
/// next key that running `jot serve` instances promote once verifiers can have
/// fetched it, or (`now`) a new key at once, which they sign with from their next
/// maintenance tick (30 s by default). Creates nothing: a location without an
/// issuer (no data directory, no signing key) is [`ServeError::NoIssuer`].
pub(crate) async fn rotate_key(
    location: &StoreLocation,
    rotation: KeyRotation,
    kek: Option<&Kek>,
) -> Result<RotatedKey, ServeError> {
    require_kek(location, kek)?;
    let store = location.open_existing().await?;
    if stored_algorithm(store.as_ref()).await?.is_none() {
        return Err(ServeError::NoIssuer {
            location: location.to_string(),
            reason: "no signing key",
        });
    }
    let rotation = match kek {
        Some(kek) => rotation.kek(kek.clone()),
        None => rotation,
    };
    Ok(rotation.run(store.as_ref()).await?)
}

/// [`rotate_key`] for a synchronous caller (its own small runtime; do not call it
/// from async code).
pub(crate) fn rotate_key_blocking(
    location: &StoreLocation,
    rotation: KeyRotation,
    kek: Option<&Kek>,
) -> Result<RotatedKey, ServeError> {
    runtime()?.block_on(rotate_key(location, rotation, kek))
}

/// Seals every private key of the store at `location` under `new`.
pub(crate) async fn rotate_kek(
    location: &StoreLocation,
    old: Option<&Kek>,
    new: &Kek,
) -> Result<KekRotation, ServeError> {
    let store = location.open().await?;
    Ok(jot_issuer::kek::rotate_kek(store.as_ref(), old, new).await?)
}

/// [`rotate_kek`] for a synchronous caller.
pub(crate) fn rotate_kek_blocking(
    location: &StoreLocation,
    old: Option<&Kek>,
    new: &Kek,
) -> Result<KekRotation, ServeError> {
    runtime()?.block_on(rotate_kek(location, old, new))
}

/// A database keeps its private keys sealed: no KEK, no start.
fn require_kek(location: &StoreLocation, kek: Option<&Kek>) -> Result<(), ServeError> {
    if matches!(location, StoreLocation::Postgres(_)) && kek.is_none() {
        return Err(ServeError::KekRequired {
            store: location.to_string(),
        });
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, ServeError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)
}

/// The address as a client on this machine reaches it: an unspecified address
/// (`0.0.0.0`, `::`) becomes loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    }
}

/// Quotes for a POSIX shell when needed.
fn sh_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/@%+=,".contains(&b));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_become_loopback_and_quoting_is_safe() {
        assert_eq!(
            reachable("0.0.0.0:80".parse().unwrap()).to_string(),
            "127.0.0.1:80"
        );
        assert_eq!(
            reachable("[::]:80".parse().unwrap()).to_string(),
            "[::1]:80"
        );
        assert_eq!(sh_quote("dev:abc-_"), "dev:abc-_");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }
}
