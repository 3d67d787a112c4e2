//! Progress while crates are documented: a bar drawn into a buffer and copied to the error writer
//! on the calling thread.

/// How progress is shown while crates are documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// `-q`: nothing.
    Off,
    /// CI logs and pipes: one plain line per crate on the error writer.
    Plain,
    /// A terminal: a progress bar.
    Bar,
}

impl ProgressMode {
    /// A bar when stderr is a terminal outside CI, plain lines otherwise, nothing with `-q`.
    pub fn detect(quiet: bool) -> ProgressMode {
        use std::io::IsTerminal;
        if quiet {
            ProgressMode::Off
        } else if std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none_or(|v| v.is_empty())
        {
            ProgressMode::Bar
        } else {
            ProgressMode::Plain
        }
    }
}

/// Progress while crates are documented. The bar is drawn by indicatif into a buffer
/// ([`BufferTerm`]) that is copied to the error writer on the calling thread after each update: the
/// error writer is the only way to the terminal (the binary holds the stderr lock for the whole
/// run, so anything writing to stderr from another thread would wait forever).
pub(super) struct Progress<'w> {
    mode: ProgressMode,
    err: &'w mut dyn std::io::Write,
    bar: Option<(indicatif::ProgressBar, BufferTerm)>,
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
}

impl indicatif::TermLike for BufferTerm {
    fn width(&self) -> u16 {
        self.width
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}A"))?;
        }
        Ok(())
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}B"))?;
        }
        Ok(())
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}C"))?;
        }
        Ok(())
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}D"))?;
        }
        Ok(())
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

impl<'w> Progress<'w> {
    pub(super) fn new(mode: ProgressMode, err: &'w mut dyn std::io::Write) -> Self {
        Progress {
            mode,
            err,
            bar: None,
        }
    }

    /// Copies what the bar drew to the error writer.
    fn flush_bar(&mut self) {
        if let Some((_, term)) = &self.bar {
            let bytes = term.take();
            if !bytes.is_empty() {
                let _ = self.err.write_all(&bytes);
                let _ = self.err.flush();
            }
        }
    }

    pub(super) fn step(&mut self, package: &str, n: usize, total: usize) {
        match self.mode {
            ProgressMode::Off => {}
            ProgressMode::Plain => {
                let _ = writeln!(self.err, "documenting {package} ({n}/{total})");
            }
            ProgressMode::Bar => {
                let (bar, _) = self.bar.get_or_insert_with(|| {
                    let width = std::env::var("COLUMNS")
                        .ok()
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(100);
                    let term = BufferTerm {
                        width,
                        ..BufferTerm::default()
                    };
                    let bar = indicatif::ProgressBar::with_draw_target(
                        Some(total as u64),
                        indicatif::ProgressDrawTarget::term_like(Box::new(term.clone())),
                    );
                    if let Ok(style) = indicatif::ProgressStyle::with_template(
                        "{bar:20} {pos}/{len} documenting {msg}",
                    ) {
                        bar.set_style(style);
                    }
                    (bar, term)
                });
                bar.set_message(package.to_owned());
                bar.set_position(n.saturating_sub(1) as u64);
                self.flush_bar();
            }
        }
    }

    pub(super) fn warn(&mut self, message: &str) {
        self.flush_bar();
        if self.bar.is_some() {
            // Over the bar's line; the next update draws the bar again below the warning.
            let _ = write!(self.err, "\r\x1b[2K");
        }
        let _ = writeln!(self.err, "warning: {message}");
    }

    pub(super) fn finish(&mut self) {
        if let Some((bar, _)) = &self.bar {
            bar.finish_and_clear();
        }
        self.flush_bar();
        self.bar = None;
    }
}
