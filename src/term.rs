//! Terminal styling: the `--color` choice (`CARGO_TERM_COLOR` when the flag is absent) resolved once
//! into a [`Style`] that every reporter paints with. Depends on nothing else in the crate, so the
//! reporters depend on nothing above them.

use std::io::{IsTerminal, Write};

/// `--color`: auto, always, never (cargo's vocabulary; `CARGO_TERM_COLOR` gives the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Whether to colour output; resolved once from `--color`, `NO_COLOR` and whether stdout is a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn new(choice: ColorChoice) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("CLICOLOR_FORCE").is_none_or(|v| v == "0")
                    && std::io::stdout().is_terminal()
                    || std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0")
            }
        };
        Style { color }
    }
    pub fn plain() -> Self {
        Style { color: false }
    }
    fn paint(&self, style: anstyle::Style) -> String {
        if self.color {
            style.render().to_string()
        } else {
            String::new()
        }
    }
    pub fn error_start(&self) -> String {
        self.paint(anstyle::AnsiColor::Red.on_default().bold())
    }
    pub fn warn_start(&self) -> String {
        self.paint(anstyle::AnsiColor::Yellow.on_default().bold())
    }
    pub fn ok_start(&self) -> String {
        self.paint(anstyle::AnsiColor::Green.on_default().bold())
    }
    pub fn bold_start(&self) -> String {
        self.paint(anstyle::Style::new().bold())
    }
    pub fn dim_start(&self) -> String {
        self.paint(anstyle::Style::new().dimmed())
    }
    pub fn reset(&self) -> String {
        if self.color {
            anstyle::Reset.render().to_string()
        } else {
            String::new()
        }
    }
}

/// An output stream that keeps escape sequences when colouring (even through a pipe) and strips
/// them otherwise (clap's messages and any other styled text included).
pub(crate) struct Styled<W: Write> {
    raw: W,
    /// The stripping state (it carries over an escape sequence split between writes); `None` keeps.
    strip: Option<anstream::adapter::StripBytes>,
}

impl<W: Write> Styled<W> {
    pub(crate) fn new(raw: W, color: bool) -> Self {
        Styled {
            raw,
            strip: (!color).then(anstream::adapter::StripBytes::new),
        }
    }
}

impl<W: Write> Write for Styled<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.strip {
            None => self.raw.write(buf),
            Some(strip) => {
                for printable in strip.strip_next(buf) {
                    self.raw.write_all(printable)?;
                }
                Ok(buf.len())
            }
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.raw.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styled_keeps_or_strips_escape_sequences_even_split_between_writes() {
        let style = Style { color: true };
        let text = format!("{}error{}: x\n", style.error_start(), style.reset());
        let (head, tail) = text.as_bytes().split_at(3);
        let mut kept = Styled::new(Vec::new(), true);
        kept.write_all(head).unwrap();
        kept.write_all(tail).unwrap();
        assert_eq!(kept.raw, text.as_bytes());
        let mut stripped = Styled::new(Vec::new(), false);
        stripped.write_all(head).unwrap();
        stripped.write_all(tail).unwrap();
        assert_eq!(String::from_utf8(stripped.raw).unwrap(), "error: x\n");
        assert_eq!(Style::plain().error_start(), "");
    }
}
