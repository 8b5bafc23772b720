//! [`Limits`]: the timeouts and the connection cap of `jot serve`, and
//! [`LimitSettings`], the same as the flags and the config file give them.

use std::time::Duration;

/// The largest request body `jot serve` reads; a larger one is answered `413`
/// (the issuer's forms take at most 16 KiB).
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// The largest request head (request line and headers); a larger one is
/// answered `431`.
pub(crate) const MAX_HEAD: usize = 32 * 1024;

/// The most connections `jot serve` may be told to keep open.
pub(crate) const MAX_MAX_CONNECTIONS: usize = 1_000_000;

/// How long `jot serve` waits for each part of a connection's life, and how many
/// connections it keeps open.
///
/// | limit | default | what happens past it |
/// | --- | --- | --- |
/// | `header_timeout` | 10 s | a request head not complete this long after the connection opened, or after its first byte on a kept-alive connection: `408`, then closed |
/// | `body_timeout` | 30 s | a request body not complete this long after its head: `408`, closed |
/// | `request_timeout` | 60 s | an answer not ready this long after the head: `408`, closed; a response still not written 5 s later: closed |
/// | `idle_timeout` | 60 s | a kept-alive connection with no new request: closed |
/// | `max_connections` | 1024 | the connection waiting longest for a request is closed to make room; when every connection is in a request, `503` and closed |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: usize,
}

impl Limits {
    /// 10 s for the head.
    pub(crate) const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    /// 30 s for the body.
    pub(crate) const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
    /// 60 s for the whole request.
    pub(crate) const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
    /// 60 s between requests on a kept-alive connection.
    pub(crate) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
    /// 1024 connections.
    pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Limits::DEFAULT_HEADER_TIMEOUT,
            body_timeout: Limits::DEFAULT_BODY_TIMEOUT,
            request_timeout: Limits::DEFAULT_REQUEST_TIMEOUT,
            idle_timeout: Limits::DEFAULT_IDLE_TIMEOUT,
            max_connections: Limits::DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// The limits given by flags or by the config file: each unset one comes from
/// the other source ([`LimitSettings::or`]), else from [`Limits::default`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LimitSettings {
    pub(crate) header_timeout: Option<Duration>,
    pub(crate) body_timeout: Option<Duration>,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_connections: Option<usize>,
}

impl LimitSettings {
    /// These settings, each unset one taken from `other`.
    pub(crate) fn or(self, other: LimitSettings) -> LimitSettings {
        LimitSettings {
            header_timeout: self.header_timeout.or(other.header_timeout),
            body_timeout: self.body_timeout.or(other.body_timeout),
            request_timeout: self.request_timeout.or(other.request_timeout),
            idle_timeout: self.idle_timeout.or(other.idle_timeout),
            max_connections: self.max_connections.or(other.max_connections),
        }
    }

    /// The limits, defaults filling the unset ones.
    pub(crate) fn resolve(self) -> Limits {
        let default = Limits::default();
        Limits {
            header_timeout: self.header_timeout.unwrap_or(default.header_timeout),
            body_timeout: self.body_timeout.unwrap_or(default.body_timeout),
            request_timeout: self.request_timeout.unwrap_or(default.request_timeout),
            idle_timeout: self.idle_timeout.unwrap_or(default.idle_timeout),
            max_connections: self.max_connections.unwrap_or(default.max_connections),
        }
    }
}

/// File descriptors kept free of connections, for everything else: the store's
/// files, the listener, the runtime, the log.
pub(crate) const RESERVED_FILES: usize = 32;

impl Limits {
    /// These limits with the connection cap lowered, when the process may open
    /// fewer files (`open_files`, `ulimit -n`) than the cap and
    /// [`RESERVED_FILES`] need: to the limit less the reserve (half the limit
    /// when it is small). So that connections never take the descriptors the
    /// store needs to answer them.
    pub(crate) fn within_open_files(self, open_files: Option<usize>) -> Limits {
        let Some(files) = open_files else {
            return self;
        };
        let room = if files > 2 * RESERVED_FILES {
            files - RESERVED_FILES
        } else {
            (files / 2).max(1)
        };
        Limits {
            max_connections: self.max_connections.min(room),
            ..self
        }
    }
}

/// How many files this process may open (the soft limit), where the system
/// says so without a system call (Linux: `/proc/self/limits`).
pub(crate) fn open_file_limit() -> Option<usize> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    parse_open_file_limit(&limits)
}

/// The soft "Max open files" of a `/proc/PID/limits` text; `None` when unlimited.
fn parse_open_file_limit(limits: &str) -> Option<usize> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Checks a connection cap: 1 to [`MAX_MAX_CONNECTIONS`].
pub(crate) fn check_max_connections(max: usize) -> Result<usize, String> {
    if (1..=MAX_MAX_CONNECTIONS).contains(&max) {
        Ok(max)
    } else {
        Err(format!(
            "max_connections must be 1 to {MAX_MAX_CONNECTIONS}, not {max}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_fill_each_other_then_the_defaults() {
        let flags = LimitSettings {
            header_timeout: Some(Duration::from_secs(2)),
            ..LimitSettings::default()
        };
        let file = LimitSettings {
            header_timeout: Some(Duration::from_secs(5)),
            max_connections: Some(8),
            ..LimitSettings::default()
        };
        let limits = flags.or(file).resolve();
        assert_eq!(limits.header_timeout, Duration::from_secs(2));
        assert_eq!(limits.max_connections, 8);
        assert_eq!(limits.body_timeout, Limits::DEFAULT_BODY_TIMEOUT);
        assert_eq!(LimitSettings::default().resolve(), Limits::default());
        assert!(check_max_connections(0).is_err());
        assert!(check_max_connections(MAX_MAX_CONNECTIONS + 1).is_err());
        assert_eq!(check_max_connections(1), Ok(1));
    }

    #[test]
    fn the_cap_stays_below_the_open_file_limit() {
        let limits = Limits::default();
        assert_eq!(limits.within_open_files(None), limits);
        assert_eq!(limits.within_open_files(Some(65_536)), limits);
        assert_eq!(limits.within_open_files(Some(1024)).max_connections, 992);
        assert_eq!(limits.within_open_files(Some(64)).max_connections, 32);
        assert_eq!(limits.within_open_files(Some(1)).max_connections, 1);
        let text = "Limit                     Soft Limit           Hard Limit           Units     \n\
                    Max cpu time              unlimited            unlimited            seconds   \n\
                    Max open files            64                   1048576              files     \n";
        assert_eq!(parse_open_file_limit(text), Some(64));
        assert_eq!(
            parse_open_file_limit(&text.replace(" 64 ", " unlimited ")),
            None
        );
        if cfg!(target_os = "linux") {
            assert!(open_file_limit().is_some_and(|n| n > 0));
        }
    }
}
