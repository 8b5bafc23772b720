//! The no_std proof for `jot-codec`: it builds without default features, and no crate that
//! ends up in its build (proc macros aside, they run on the host) has its `std` feature on.

use anyhow::{Result, bail};

use crate::{capture, cargo, exec};

pub(crate) fn check() -> Result<()> {
    exec(&mut cargo(&[
        "build",
        "-p",
        "jot-codec",
        "--no-default-features",
    ]))?;
    let tree = capture(&mut cargo(&[
        "tree",
        "-p",
        "jot-codec",
        "--no-default-features",
        "--edges",
        "normal,no-proc-macro",
        "--prefix",
        "none",
        "--format",
        "{p} [{f}]",
    ]))?;
    let offenders = crates_with_std(&tree);
    if !offenders.is_empty() {
        bail!(
            "jot-codec is not no_std: feature `std` is enabled on {}",
            offenders.join(", ")
        );
    }
    eprintln!("jot-codec builds without default features and no crate in its tree enables `std`");
    Ok(())
}

/// Crates whose `std` feature is enabled, sorted and deduplicated, from
/// `cargo tree --prefix none --format "{p} [{f}]"` output: one crate a line, e.g.
/// `serde v1.0.219 [alloc,derive,std]`, with ` (*)` after a crate already printed.
fn crates_with_std(tree: &str) -> Vec<&str> {
    let mut crates: Vec<&str> = tree
        .lines()
        .filter(|line| {
            line.rsplit_once('[')
                .and_then(|(_, rest)| rest.split_once(']'))
                .is_some_and(|(features, _)| features.split(',').any(|f| f == "std"))
        })
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    crates.sort_unstable();
    crates.dedup();
    crates
}

#[cfg(test)]
mod tests {
    use super::crates_with_std;

    #[test]
    fn no_std_tree_passes() {
        let tree = "\
jot-codec v0.1.0 (/work/main/crates/jot-codec) []
base64 v0.22.1 [alloc]
serde v1.0.229 [alloc,derive,serde_derive,std_foo]
serde_core v1.0.229 [alloc,result,nostd]
serde_json v1.0.154 [alloc]
memchr v2.8.3 []
serde_core v1.0.229 [alloc,result,nostd] (*)
thiserror v2.0.21 []
";
        assert_eq!(crates_with_std(tree), Vec::<&str>::new());
    }

    #[test]
    fn std_features_are_reported_once_per_crate() {
        let tree = "\
jot-codec v0.1.0 (/work/main/crates/jot-codec) [std]
serde v1.0.229 [alloc,derive,serde_derive,std]
serde_core v1.0.229 [alloc,result,std]
serde_json v1.0.154 [alloc,std]
memchr v2.8.3 [std]
serde_core v1.0.229 [alloc,result,std] (*)
";
        assert_eq!(
            crates_with_std(tree),
            ["jot-codec", "memchr", "serde", "serde_core", "serde_json"]
        );
    }
}
