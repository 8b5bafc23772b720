//! Colour: whether to use it (`--color`, else `anstream`'s reading of the stream and
//! of `NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE` and `TERM`) and the styles
//! (`anstyle`), the crates clap colours its own help with.

use anstyle::{AnsiColor, Style};
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

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const KEY: Style = AnsiColor::Blue.on_default().bold();
const STRING: Style = AnsiColor::Green.on_default();
const NUMBER: Style = AnsiColor::Cyan.on_default();
const LITERAL: Style = AnsiColor::Magenta.on_default();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const GOOD: Style = AnsiColor::Green.on_default().bold();

impl Paint {
    /// For stdout.
    pub(crate) fn stdout(choice: ColorChoice) -> Paint {
        Paint::decide(choice, || anstream::AutoStream::choice(&std::io::stdout()))
    }

    /// For stderr.
    pub(crate) fn stderr(choice: ColorChoice) -> Paint {
        Paint::decide(choice, || anstream::AutoStream::choice(&std::io::stderr()))
    }

    /// Never colour.
    #[cfg(test)]
    pub(crate) const fn plain() -> Paint {
        Paint { on: false }
    }

    /// `--color always|never`, or for `auto` what anstream says of the stream.
    fn decide(choice: ColorChoice, auto: impl FnOnce() -> anstream::ColorChoice) -> Paint {
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => matches!(
                auto(),
                anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi
            ),
        };
        Paint { on }
    }

    pub(crate) fn bold(self, s: &str) -> String {
        self.wrap(BOLD, s)
    }

    pub(crate) fn dim(self, s: &str) -> String {
        self.wrap(DIM, s)
    }

    pub(crate) fn key(self, s: &str) -> String {
        self.wrap(KEY, s)
    }

    pub(crate) fn string(self, s: &str) -> String {
        self.wrap(STRING, s)
    }

    pub(crate) fn number(self, s: &str) -> String {
        self.wrap(NUMBER, s)
    }

    pub(crate) fn literal(self, s: &str) -> String {
        self.wrap(LITERAL, s)
    }

    pub(crate) fn warn(self, s: &str) -> String {
        self.wrap(WARN, s)
    }

    pub(crate) fn bad(self, s: &str) -> String {
        self.wrap(BAD, s)
    }

    pub(crate) fn good(self, s: &str) -> String {
        self.wrap(GOOD, s)
    }

    fn wrap(self, style: Style, s: &str) -> String {
        if self.on {
            format!("{style}{s}{style:#}")
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
        let never = || anstream::ColorChoice::Never;
        let always = || anstream::ColorChoice::Always;
        assert_eq!(
            Paint::decide(ColorChoice::Always, never).bold("x"),
            "\x1b[1mx\x1b[0m"
        );
        assert_eq!(Paint::decide(ColorChoice::Never, always).bold("x"), "x");
        assert_eq!(Paint::decide(ColorChoice::Auto, never).bold("x"), "x");
        assert_eq!(
            Paint::decide(ColorChoice::Auto, always).bad("x"),
            "\x1b[1m\x1b[31mx\x1b[0m"
        );
    }
}
