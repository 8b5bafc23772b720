//! The key-encryption key of `jot serve`, `jot rotate-key` and `jot rotate-kek`:
//! read from `--kek-file FILE`, else from an environment variable (`JOT_KEK`,
//! `JOT_NEW_KEK`), by the one KEK reader of `jot_issuer::kek`.

use std::path::Path;

use jot_issuer::kek::Kek;

use super::ServeError;

/// The environment variable holding the KEK when no file is given.
pub(crate) const KEK_ENV: &str = "JOT_KEK";
/// The environment variable holding the new KEK of `jot rotate-kek`.
pub(crate) const NEW_KEK_ENV: &str = "JOT_NEW_KEK";

/// What to tell someone who needs a KEK and gave none.
pub(crate) const HOW_TO_MAKE_ONE: &str = "make one with `jot keygen kek --out FILE` (keep FILE \
     secret and apart from the database's backups) and give it with --kek-file FILE or in the \
     environment variable JOT_KEK";

/// The KEK in `file`, else in the environment variable `env`; `None` when neither
/// is given (an empty variable counts as not given).
pub(crate) fn load(file: Option<&Path>, env: &str) -> Result<Option<Kek>, ServeError> {
    load_from(file, env, std::env::var(env).ok())
}

/// [`load`] with the variable's value given.
pub(crate) fn load_from(
    file: Option<&Path>,
    env: &str,
    value: Option<String>,
) -> Result<Option<Kek>, ServeError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|reason| ServeError::KekFile {
            path: path.to_path_buf(),
            reason,
        })?;
        return Kek::from_base64url(&text)
            .map(Some)
            .map_err(|reason| ServeError::Kek {
                from: path.display().to_string(),
                reason,
            });
    }
    match value.filter(|v| !v.trim().is_empty()) {
        Some(text) => Kek::from_base64url(&text)
            .map(Some)
            .map_err(|reason| ServeError::Kek {
                from: format!("the environment variable {env}"),
                reason,
            }),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kek_comes_from_the_file_else_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (Kek::generate().unwrap(), Kek::generate().unwrap());
        let file = dir.path().join("kek");
        std::fs::write(&file, format!("{}\n", a.to_base64url())).unwrap();
        let env = Some(b.to_base64url());
        let id = |k: Option<Kek>| k.map(|k| k.id());
        assert_eq!(
            id(load_from(Some(&file), KEK_ENV, env.clone()).unwrap()),
            Some(a.id())
        );
        assert_eq!(id(load_from(None, KEK_ENV, env).unwrap()), Some(b.id()));
        assert_eq!(
            id(load_from(None, KEK_ENV, Some(" ".into())).unwrap()),
            None
        );
        assert_eq!(id(load_from(None, KEK_ENV, None).unwrap()), None);

        let error = load_from(None, KEK_ENV, Some("hunter2".into())).unwrap_err();
        assert!(error.to_string().contains("JOT_KEK"), "{error}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
        std::fs::write(&file, "short").unwrap();
        assert!(matches!(
            load_from(Some(&file), KEK_ENV, None),
            Err(ServeError::Kek { .. })
        ));
        let missing = dir.path().join("missing");
        assert!(matches!(
            load_from(Some(&missing), KEK_ENV, None),
            Err(ServeError::KekFile { .. })
        ));
    }
}
