//! Progress while crates are documented: a bar labelled with the tree being documented (base or
//! head), drawn into a buffer and copied to the error writer on the calling thread
//! ([`LiveBar`]); plain lines in CI and pipes.

use crate::progress::LiveBar;
pub use crate::progress::ProgressMode;

/// Progress while crates are documented (see [`LiveBar`] for how the bar reaches the terminal).
pub(super) struct Progress<'w> {
    mode: ProgressMode,
    /// Which tree is documented (`base`, `head`, or the tree's description).
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
