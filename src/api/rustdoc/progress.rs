//! Progress while crates are documented: a bar labelled with the side being documented and what it
//! is ("base, git HEAD~1 (abc1234)", "head, working tree": [`SourceTree::progress_label`]), drawn
//! into a buffer and copied to the error writer on the calling thread ([`LiveBar`]); plain lines in
//! CI and pipes.
//!
//! [`SourceTree::progress_label`]: crate::source::SourceTree::progress_label

use crate::progress::LiveBar;
pub use crate::progress::ProgressMode;

/// Progress while crates are documented (see [`LiveBar`] for how the bar reaches the terminal).
pub(super) struct Progress<'w> {
    mode: ProgressMode,
    /// Which side is documented and what it is, or the tree's description outside a comparison.
    label: String,
    err: &'w mut dyn std::io::Write,
    bar: Option<LiveBar>,
}

impl<'w> Progress<'w> {
    pub(super) fn new(mode: ProgressMode, label: String, err: &'w mut dyn std::io::Write) -> Self {
        Progress {
            mode,
            label,
            err,
            bar: None,
        }
    }

    pub(super) fn step(&mut self, package: &str, n: usize, total: usize) {
        match self.mode {
            ProgressMode::Off => {}
            ProgressMode::Plain => {
                let label = &self.label;
                let _ = writeln!(self.err, "documenting {package} ({n}/{total}) in {label}");
            }
            ProgressMode::Bar => {
                let label = &self.label;
                let bar = self.bar.get_or_insert_with(|| {
                    LiveBar::new(
                        Some(total as u64),
                        &format!("{{bar:20}} {{pos}}/{{len}} documenting {label}: {{msg}}"),
                    )
                });
                bar.bar().set_message(package.to_owned());
                bar.bar().set_position(n.saturating_sub(1) as u64);
                bar.flush_to(self.err);
            }
        }
    }

    pub(super) fn warn(&mut self, message: &str) {
        if let Some(bar) = &self.bar {
            // Over the bar's line; the next update draws the bar again below the warning.
            bar.clear_for_line(self.err);
        }
        let _ = writeln!(self.err, "warning: {message}");
    }

    pub(super) fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish(self.err);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "base, git HEAD~1 (abc1234)";

    #[test]
    fn plain_lines_name_the_side_and_its_revision() {
        let mut err = Vec::new();
        let mut progress = Progress::new(ProgressMode::Plain, BASE.to_owned(), &mut err);
        progress.step("flaredb-sql", 1, 2);
        progress.finish();
        assert_eq!(
            String::from_utf8(err).unwrap(),
            format!("documenting flaredb-sql (1/2) in {BASE}\n")
        );
    }

    #[test]
    fn the_bar_names_the_side_and_its_revision() {
        let mut err = Vec::new();
        let mut progress = Progress::new(ProgressMode::Bar, "head, working tree".into(), &mut err);
        progress.step("flaredb-sql", 1, 2);
        drop(progress);
        let drawn = String::from_utf8_lossy(&err).into_owned();
        assert!(
            drawn.contains("documenting head, working tree: flaredb-sql"),
            "{drawn:?}"
        );
    }

    #[test]
    fn nothing_when_quiet() {
        let mut err = Vec::new();
        let mut progress = Progress::new(ProgressMode::Off, BASE.to_owned(), &mut err);
        progress.step("flaredb-sql", 1, 2);
        progress.finish();
        assert!(err.is_empty());
    }
}
