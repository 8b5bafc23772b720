//! What [`FileStore::open`](super::FileStore::open) checks and tidies before it
//! serves: directory permissions, and the temporary files a crash left behind.

use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::io_error;
use crate::store::StoreError;

/// A temporary file this old cannot belong to a write still under way.
const STALE_AFTER: Duration = Duration::from_secs(60);

/// The prefixes of the store's temporary files (atomic writes, atomic takes).
const TEMPORARY: [&str; 2] = [".tmp-", ".take-"];

/// Makes `dir` accessible to its owner only (mode 0700) when group or others have
/// any access to it, with a warning in the log. Does nothing off Unix.
pub(super) fn tighten(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = fs::metadata(dir).map_err(|e| io_error(dir, e))?;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| io_error(dir, e))?;
            tracing::warn!(
                target: "jot_issuer",
                path = %dir.display(),
                mode = %format_args!("{mode:04o}"),
                "data directory was open to other users: mode set to 0700"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes the store's temporary files older than [`STALE_AFTER`] from `root`,
/// its subdirectories `dirs`, and the directories one level below those (the
/// consents of each user). Returns how many went.
pub(super) fn remove_stale_temporaries(root: &Path, dirs: &[&str]) -> Result<usize, StoreError> {
    let mut removed = remove_in(root)?;
    for name in dirs {
        let dir = root.join(name);
        removed += remove_in(&dir)?;
        for entry in fs::read_dir(&dir).map_err(|e| io_error(&dir, e))? {
            let entry = entry.map_err(|e| io_error(&dir, e))?;
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                removed += remove_in(&entry.path())?;
            }
        }
    }
    if removed > 0 {
        tracing::info!(target: "jot_issuer", path = %root.display(), removed, "stale temporary files removed");
    }
    Ok(removed)
}

fn remove_in(dir: &Path) -> Result<usize, StoreError> {
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        let name = entry.file_name();
        let temporary = TEMPORARY
            .iter()
            .any(|prefix| name.to_string_lossy().starts_with(prefix));
        if !temporary {
            continue;
        }
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|at| now.duration_since(at).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if meta.is_file() && old {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(&entry.path(), e)),
            }
        }
    }
    Ok(removed)
}
