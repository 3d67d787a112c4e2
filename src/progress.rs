//! Progress of the targeted build, like cargo's own: a pure model fed with cargo's JSON messages
//! (stdout) and status lines (stderr) — units done out of the unit graph's total, the crate being
//! checked — and its rendering: a live bar on a terminal, cargo's plain `Checking …` lines in CI
//! and pipes, nothing with `-q`. Progress goes to the error writer only; it never changes what the
//! build reports.

use std::collections::BTreeSet;
use std::io::Write;

/// How progress is shown while crates are built or documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// `-q`: nothing.
    Off,
    /// CI logs and pipes: plain lines on the error writer.
    Plain,
    /// A terminal: a progress bar.
    Bar,
}

impl ProgressMode {
    /// A bar when stderr is a terminal outside CI, plain lines otherwise, nothing with `-q`.
    pub fn detect(quiet: bool) -> ProgressMode {
        use std::io::IsTerminal;
        ProgressMode::choose(
            quiet,
            std::io::stderr().is_terminal(),
            std::env::var_os("CI").is_some_and(|v| !v.is_empty()),
        )
    }

    /// The pure choice behind [`ProgressMode::detect`].
    pub fn choose(quiet: bool, stderr_is_terminal: bool, in_ci: bool) -> ProgressMode {
        if quiet {
            ProgressMode::Off
        } else if stderr_is_terminal && !in_ci {
            ProgressMode::Bar
        } else {
            ProgressMode::Plain
        }
    }
}

/// Units built so far, out of how many, and the crate cargo works on now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BuildProgress {
    /// The unit graph's unit count, when known.
    pub total: Option<usize>,
    done: BTreeSet<String>,
    /// The crate of the latest `Checking`/`Compiling` line or finished unit.
    pub current: Option<String>,
}

impl BuildProgress {
    pub(crate) fn new(total: Option<usize>) -> BuildProgress {
        BuildProgress {
            total,
            ..BuildProgress::default()
        }
    }

    /// Units finished (each compiled target and each build-script run counts once).
    pub(crate) fn done(&self) -> usize {
        self.done.len()
    }

    /// One line of cargo's `--message-format json` stdout; returns whether anything changed.
    pub(crate) fn observe_message(&mut self, line: &str) -> bool {
        if !line.starts_with('{') {
            return false;
        }
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            return false;
        };
        let reason = message["reason"].as_str().unwrap_or_default();
        let package = message["package_id"].as_str().unwrap_or_default();
        let unit = match reason {
            "compiler-artifact" => {
                let target = &message["target"];
                format!(
                    "{package} {} {}",
                    target["name"].as_str().unwrap_or_default(),
                    target["kind"]
                )
            }
            "build-script-executed" => format!("{package} (run build script)"),
            _ => return false,
        };
        if let Some(name) = message["target"]["name"].as_str() {
            self.current = Some(name.to_owned());
        }
        self.done.insert(unit)
    }

    /// One line of cargo's stderr: `Checking name v1.2.3` names the crate cargo works on now.
    pub(crate) fn observe_status(&mut self, line: &str) -> bool {
        let trimmed = line.trim_start();
        let rest = trimmed
            .strip_prefix("Checking ")
            .or_else(|| trimmed.strip_prefix("Compiling "));
        match rest.and_then(|r| r.split_whitespace().next()) {
            Some(name) => {
                self.current = Some(name.to_owned());
                true
            }
            None => false,
        }
    }

    /// The number of units in `cargo check --unit-graph` output (JSON), if it parses.
    pub(crate) fn units_in_graph(json: &[u8]) -> Option<usize> {
        let graph: serde_json::Value = serde_json::from_slice(json).ok()?;
        graph["units"].as_array().map(Vec::len)
    }
}

/// What the targeted build shows while it runs, on the error writer: lock waits always; with
/// [`ProgressMode::Plain`] cargo's `Checking …` lines; with [`ProgressMode::Bar`] a live bar of
/// units done out of the total and the current crate.
pub(crate) struct CheckProgress<'w> {
    mode: ProgressMode,
    model: BuildProgress,
    bar: Option<LiveBar>,
    err: &'w mut dyn Write,
}

impl<'w> CheckProgress<'w> {
    /// `total`: the unit graph's unit count, when known (only a bar uses it).
    pub(crate) fn new(mode: ProgressMode, total: Option<usize>, err: &'w mut dyn Write) -> Self {
        let bar = (mode == ProgressMode::Bar).then(|| {
            LiveBar::new(
                total.map(|t| t as u64),
                "{bar:25} {pos}/{len} checking {msg}",
            )
        });
        CheckProgress {
            mode,
            model: BuildProgress::new(total),
            bar,
            err,
        }
    }

    /// One line cargo printed.
    pub(crate) fn line(&mut self, stream: crate::process::Stream, line: &str) {
        use crate::process::Stream;
        let trimmed = line.trim_start();
        if stream == Stream::Stderr && trimmed.starts_with("Blocking") {
            if let Some(bar) = &self.bar {
                bar.clear_for_line(self.err);
            }
            let _ = writeln!(
                self.err,
                "driftgate: another cargo process holds the build lock; waiting for it ({trimmed})"
            );
            return;
        }
        match self.mode {
            ProgressMode::Off => {}
            ProgressMode::Plain => {
                if stream == Stream::Stderr
                    && (trimmed.starts_with("Checking") || trimmed.starts_with("Compiling"))
                {
                    let _ = writeln!(self.err, "  {trimmed}");
                }
            }
            ProgressMode::Bar => {
                let changed = match stream {
                    Stream::Stdout => self.model.observe_message(line),
                    Stream::Stderr => self.model.observe_status(line),
                };
                if let (true, Some(bar)) = (changed, &self.bar) {
                    if let Some(total) = self.model.total {
                        // An estimate never shows more done than there is.
                        bar.bar().set_length(total.max(self.model.done()) as u64);
                    }
                    bar.bar().set_position(self.model.done() as u64);
                    bar.bar()
                        .set_message(self.model.current.clone().unwrap_or_default());
                    bar.flush_to(self.err);
                }
            }
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish(self.err);
        }
    }
}

/// A live bar drawn by indicatif into a buffer ([`BufferTerm`]) copied to the error writer on the
/// calling thread after each update: the error writer is the only way to the terminal (the binary
/// holds the stderr lock for the whole run).
pub(crate) struct LiveBar {
    bar: indicatif::ProgressBar,
    term: BufferTerm,
}

impl LiveBar {
    /// A bar of `total` steps (a spinner-like counter when unknown) in `template`.
    pub(crate) fn new(total: Option<u64>, template: &str) -> LiveBar {
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100);
        let term = BufferTerm {
            width,
            ..BufferTerm::default()
        };
        let bar = indicatif::ProgressBar::with_draw_target(
            total,
            indicatif::ProgressDrawTarget::term_like(Box::new(term.clone())),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        LiveBar { bar, term }
    }

    pub(crate) fn bar(&self) -> &indicatif::ProgressBar {
        &self.bar
    }

    /// Copies what the bar drew to `err`.
    pub(crate) fn flush_to(&self, err: &mut dyn Write) {
        let bytes = self.term.take();
        if !bytes.is_empty() {
            let _ = err.write_all(&bytes);
            let _ = err.flush();
        }
    }

    /// Clears the bar's line before a plain line is printed over it.
    pub(crate) fn clear_for_line(&self, err: &mut dyn Write) {
        self.flush_to(err);
        let _ = write!(err, "\r\x1b[2K");
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self, err: &mut dyn Write) {
        self.bar.finish_and_clear();
        self.flush_to(err);
    }
}

/// An indicatif terminal that writes ANSI sequences into a shared buffer.
#[derive(Debug, Clone, Default)]
struct BufferTerm {
    buffer: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    width: u16,
}

impl BufferTerm {
    fn push(&self, text: &str) -> std::io::Result<()> {
        self.buffer
            .lock()
            .map_err(|_| std::io::Error::other("progress buffer poisoned"))?
            .extend_from_slice(text.as_bytes());
        Ok(())
    }
    fn take(&self) -> Vec<u8> {
        self.buffer
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
    fn cursor(&self, n: usize, code: char) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}{code}"))?;
        }
        Ok(())
    }
}

impl indicatif::TermLike for BufferTerm {
    fn width(&self) -> u16 {
        self.width
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'A')
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'B')
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'C')
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'D')
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.push(s)?;
        self.push("\n")
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.push(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.push("\r\x1b[2K")
    }
    fn flush(&self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTIFACT: &str = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/a#0.1.0","target":{"name":"a","kind":["lib"]},"fresh":false}"#;

    #[test]
    fn a_bar_only_on_a_terminal_outside_ci_and_nothing_when_quiet() {
        assert_eq!(ProgressMode::choose(false, true, false), ProgressMode::Bar);
        assert_eq!(ProgressMode::choose(false, true, true), ProgressMode::Plain);
        assert_eq!(
            ProgressMode::choose(false, false, false),
            ProgressMode::Plain
        );
        assert_eq!(ProgressMode::choose(true, true, false), ProgressMode::Off);
    }

    #[test]
    fn each_finished_unit_counts_once_and_names_the_current_crate() {
        let mut progress = BuildProgress::new(Some(3));
        assert!(progress.observe_message(ARTIFACT));
        assert!(!progress.observe_message(ARTIFACT), "a repeated message");
        let script = r#"{"reason":"build-script-executed","package_id":"path+file:///w/a#0.1.0"}"#;
        assert!(progress.observe_message(script));
        let message = r#"{"reason":"compiler-message","package_id":"x","message":{}}"#;
        assert!(!progress.observe_message(message));
        assert!(!progress.observe_message("not json"));
        assert_eq!(progress.done(), 2);
        assert_eq!(progress.current.as_deref(), Some("a"));
        assert!(progress.observe_status("    Checking serde v1.0.200"));
        assert_eq!(progress.current.as_deref(), Some("serde"));
        assert!(!progress.observe_status("    Finished `dev` profile"));
    }

    #[test]
    fn plain_progress_relays_cargos_status_lines_and_lock_waits_only() {
        use crate::process::Stream;
        let mut err = Vec::new();
        let mut progress = CheckProgress::new(ProgressMode::Plain, None, &mut err);
        progress.line(Stream::Stderr, "    Checking a v0.1.0 (/w/a)");
        progress.line(Stream::Stdout, ARTIFACT);
        progress.line(
            Stream::Stderr,
            "    Blocking waiting for file lock on build directory",
        );
        progress.line(Stream::Stderr, "warning: unused import");
        progress.finish();
        let text = String::from_utf8(err).unwrap();
        assert_eq!(
            text,
            "  Checking a v0.1.0 (/w/a)\ndriftgate: another cargo process holds the build lock; \
             waiting for it (Blocking waiting for file lock on build directory)\n"
        );
        let mut err = Vec::new();
        let mut quiet = CheckProgress::new(ProgressMode::Off, None, &mut err);
        quiet.line(Stream::Stderr, "    Checking a v0.1.0 (/w/a)");
        quiet.finish();
        assert!(err.is_empty());
    }

    #[test]
    fn the_total_is_the_unit_graphs_unit_count() {
        let graph = br#"{"version":1,"units":[{"pkg_id":"a"},{"pkg_id":"b"}],"roots":[1]}"#;
        assert_eq!(BuildProgress::units_in_graph(graph), Some(2));
        assert_eq!(BuildProgress::units_in_graph(b"error"), None);
    }
}
