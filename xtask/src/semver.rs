//! The semver step of `cargo xtask release`: the public API of each publishable
//! crate compared with the last release (the newest `vX.Y.Z` tag) by
//! `cargo-semver-checks`, for the kind of release being made.

use anyhow::{Context, Result, bail};

use crate::release::Version;
use crate::{capture, cargo, exec, git, workspace_root};

/// Checks `crates` for a release from `current` to `next`. Before the first release
/// there is nothing to compare with: it says so and passes.
pub(crate) fn check(crates: &[String], current: Version, next: Version) -> Result<()> {
    let tags = capture(git(&["tag", "--list", "v*"]).current_dir(workspace_root()))?;
    let Some(baseline) = last_release(&tags, current) else {
        eprintln!(
            "release: semver: no version of jot has been released yet (no vX.Y.Z tag), so there \
             is no public API to compare with; cargo-semver-checks runs from the first release on"
        );
        return Ok(());
    };
    let installed = cargo(&["semver-checks", "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        bail!(
            "release: semver: cargo-semver-checks is not installed; it compares the API with \
             {baseline} (`cargo install cargo-semver-checks --locked`)"
        );
    }
    let release_type = release_type(current, next);
    eprintln!("release: semver: {release_type} release, API compared with {baseline}");
    let mut cmd = cargo(&[
        "semver-checks",
        "check-release",
        "--baseline-rev",
        &baseline,
        "--release-type",
        release_type,
    ]);
    // jot-cli's library target is the binary's code, not an API (src/lib.rs says so).
    for name in crates.iter().filter(|name| *name != "jot-cli") {
        cmd.args(["-p", name]);
    }
    exec(&mut cmd).with_context(|| format!("the API changes since {baseline} need a larger bump"))
}

/// The tag of the newest release not newer than `current`.
fn last_release(tags: &str, current: Version) -> Option<String> {
    tags.lines()
        .filter_map(|tag| {
            Some((
                Version::parse(tag.trim().strip_prefix('v')?).ok()?,
                tag.trim(),
            ))
        })
        .filter(|(version, _)| *version <= current)
        .max_by_key(|(version, _)| *version)
        .map(|(_, tag)| tag.to_owned())
}

/// `major`, `minor` or `patch`: what `current` to `next` is.
fn release_type(current: Version, next: Version) -> &'static str {
    if next.major() > current.major() {
        "major"
    } else if next.minor() > current.minor() {
        "minor"
    } else {
        "patch"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn the_baseline_is_the_newest_release_tag() {
        assert_eq!(last_release("", v("0.1.0")), None);
        assert_eq!(last_release("nightly\nv0.x\n", v("0.1.0")), None);
        let tags = "v0.1.0\nv0.2.0\nv0.10.1\nv0.9.0\nv1.0.0\n";
        assert_eq!(last_release(tags, v("0.10.1")).as_deref(), Some("v0.10.1"));
        assert_eq!(last_release(tags, v("0.9.5")).as_deref(), Some("v0.9.0"));
    }

    #[test]
    fn release_types() {
        assert_eq!(release_type(v("0.1.0"), v("1.0.0")), "major");
        assert_eq!(release_type(v("0.1.3"), v("0.2.0")), "minor");
        assert_eq!(release_type(v("0.1.3"), v("0.1.4")), "patch");
    }
}
