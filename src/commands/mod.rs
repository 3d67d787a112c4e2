//! Subcommand implementations. Each gets the validated [`Context`] and the writers; each returns the
//! exit code of its verdict, or an [`Error`](crate::Error) when it could not complete.

pub mod diff;
pub mod snapshot;

use crate::cli::{ColorChoice, GlobalArgs};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Options shared by every subcommand, validated once.
#[derive(Debug, Clone)]
pub struct Context {
    pub manifest_path: Option<PathBuf>,
    pub packages: Vec<String>,
    pub workspace: bool,
    pub exclude: Vec<String>,
    pub style: Style,
    pub quiet: bool,
    pub verbose: u8,
}

impl Context {
    pub fn new(global: &GlobalArgs) -> Self {
        Context {
            manifest_path: global.manifest_path.clone(),
            packages: global.workspace.package.clone(),
            workspace: global.workspace.workspace || global.workspace.all,
            exclude: global.workspace.exclude.clone(),
            style: Style::new(global.color),
            quiet: global.quiet,
            verbose: global.verbose,
        }
    }
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
