//! A tiny ANSI colour helper: on when writing to a terminal, off under `NO_COLOR`.

use std::io::IsTerminal as _;

use clap::ValueEnum;

/// `--color`: `auto` colours when the output is a terminal and `NO_COLOR` is unset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    // Colour when the output is a terminal and NO_COLOR is unset.
    #[default]
    Auto,
    // Always colour.
    Always,
    // Never colour.
    Never,
}

/// Whether to colour, and the styles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Paint {
    on: bool,
}

impl Paint {
    /// For stdout.
    pub(crate) fn stdout(choice: ColorChoice) -> Paint {
        Paint::decide(choice, std::io::stdout().is_terminal())
    }

    /// For stderr.
    pub(crate) fn stderr(choice: ColorChoice) -> Paint {
        Paint::decide(choice, std::io::stderr().is_terminal())
    }

    /// Never colour.
    #[cfg(test)]
    pub(crate) const fn plain() -> Paint {
        Paint { on: false }
    }

    fn decide(choice: ColorChoice, terminal: bool) -> Paint {
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        };
        Paint { on }
    }

    pub(crate) fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }

    pub(crate) fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }

    pub(crate) fn key(self, s: &str) -> String {
        self.wrap("1;34", s)
    }

    pub(crate) fn string(self, s: &str) -> String {
        self.wrap("32", s)
    }

    pub(crate) fn number(self, s: &str) -> String {
        self.wrap("36", s)
    }

    pub(crate) fn literal(self, s: &str) -> String {
        self.wrap("35", s)
    }

    pub(crate) fn warn(self, s: &str) -> String {
        self.wrap("1;33", s)
    }

    pub(crate) fn bad(self, s: &str) -> String {
        self.wrap("1;31", s)
    }

    pub(crate) fn good(self, s: &str) -> String {
        self.wrap("1;32", s)
    }

    fn wrap(self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_choices_win() {
        assert_eq!(
            Paint::decide(ColorChoice::Always, false).bold("x"),
            "\x1b[1mx\x1b[0m"
        );
        assert_eq!(Paint::decide(ColorChoice::Never, true).bold("x"), "x");
        assert_eq!(Paint::decide(ColorChoice::Auto, false).bold("x"), "x");
    }
}
