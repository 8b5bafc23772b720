//! The synopsis of every command, written from the clap definitions: the block of
//! README.md's "Commands" section is this text, and a test keeps them equal.

use clap::{Arg, ArgAction, Command, CommandFactory as _};

use crate::cli::Cli;

/// The widest line of the synopsis.
const WIDTH: usize = 92;

/// Possible values are spelled out (`jwk|pem`) when there are at most this many;
/// else the value name stands for them (`ALG`).
const MAX_SPELLED_VALUES: usize = 5;

/// One usage line (wrapped) per visible leaf command: `jot encode [--alg ALG] ...`.
pub(crate) fn synopsis() -> String {
    let mut cli = Cli::command();
    cli.build();
    let mut out = String::new();
    walk(&cli, "jot", &mut out);
    out
}

fn walk(cmd: &Command, prefix: &str, out: &mut String) {
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix} {}", sub.get_name());
        if sub.has_subcommands() {
            walk(sub, &name, out);
        } else {
            wrap(&name, &words(sub), out);
        }
    }
}

/// The words after the command's name: required groups as `(A | B)`, options,
/// then positional arguments; optional ones in brackets.
fn words(cmd: &Command) -> Vec<String> {
    let shown = |arg: &&Arg| {
        !arg.is_hide_set()
            && !arg.is_global_set()
            && !matches!(arg.get_id().as_str(), "help" | "version")
    };
    let mut grouped = Vec::new();
    let mut out = Vec::new();
    for group in cmd.get_groups().filter(|g| g.is_required_set()) {
        let members: Vec<String> = group
            .get_args()
            .filter_map(|id| cmd.get_arguments().find(|a| a.get_id() == id))
            .map(bare)
            .collect();
        grouped.extend(group.get_args().cloned());
        // One word per member, so that a long group wraps between them.
        let last = members.len().saturating_sub(1);
        for (i, member) in members.iter().enumerate() {
            let open = if i == 0 { "(" } else { "" };
            let close = if i == last { ")" } else { " |" };
            out.push(format!("{open}{member}{close}"));
        }
    }
    let free = |arg: &&Arg| shown(arg) && !grouped.contains(arg.get_id());
    let (positionals, options): (Vec<&Arg>, Vec<&Arg>) = cmd
        .get_arguments()
        .filter(free)
        .partition(|a| a.is_positional());
    for arg in options.into_iter().chain(positionals) {
        let word = bare(arg);
        out.push(if arg.is_required_set() {
            word
        } else {
            format!("[{word}]")
        });
    }
    out
}

/// An argument without brackets: `--alg ALG`, `--json`, `FILE...`, `--aud S...`.
fn bare(arg: &Arg) -> String {
    let value = value(arg);
    let repeated = matches!(arg.get_action(), ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    let dots = if repeated { "..." } else { "" };
    match arg.get_long() {
        Some(long) if arg.get_action().takes_values() => format!("--{long} {value}{dots}"),
        Some(long) => format!("--{long}"),
        None => format!("{value}{dots}"),
    }
}

/// How a value is shown: its possible values, or its name.
fn value(arg: &Arg) -> String {
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !possible.is_empty() && possible.len() <= MAX_SPELLED_VALUES {
        return possible.join("|");
    }
    match arg.get_value_names() {
        Some([name, ..]) => name.to_string(),
        _ => arg.get_id().as_str().to_uppercase(),
    }
}

/// Writes `name words...`, continuation lines indented under the first word.
fn wrap(name: &str, words: &[String], out: &mut String) {
    let indent = name.len() + 1;
    let mut line = name.to_owned();
    for word in words {
        if line.len() + 1 + word.len() > WIDTH && line.len() > indent {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(indent - 1);
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_lines_bracket_what_is_optional() {
        let text = synopsis();
        let encode = text
            .split("jot ")
            .find(|cmd| cmd.starts_with("encode "))
            .unwrap();
        assert!(encode.contains("[--alg ALG...]"), "{encode}");
        assert!(
            encode.contains("(--key FILE... | --secret-file FILE | --secret-env NAME)"),
            "{encode}"
        );
        assert!(encode.contains("[--json general|flattened]"), "{encode}");
        let dpop = text.split("jot ").find(|c| c.starts_with("dpop ")).unwrap();
        assert!(dpop.contains("[--alg ALG]"), "{dpop}");
        assert!(encode.contains("[--aud AUD...]"), "{encode}");
        assert!(
            text.contains("jot jwk thumbprint [--alg ALG] FILE\n"),
            "{text}"
        );
        assert!(text.lines().all(|l| l.len() <= WIDTH), "{text}");
        assert!(!text.contains("--help") && !text.contains("jot man"));
    }
}
