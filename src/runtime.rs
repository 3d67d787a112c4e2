//! The process around a run: the command runs on a thread with a large stack (and so do rayon's
//! workers), so deeply nested but legal sources parse; SIGINT/SIGTERM/SIGHUP are handled
//! ([`crate::interrupt`]); and a panic — a driftgate bug — prints an "internal error" message with
//! what to report and exits [`crate::error::exit::INTERNAL`] (70), never 101 ("could not
//! complete"), so CI can tell a driftgate bug from a broken tree.

use crate::error::exit;

/// Stack of the main worker and of each rayon worker (virtual memory: pages are used only when
/// touched). [`crate::api::guard::MAX_NESTING`] keeps parsing far below it.
pub const STACK_SIZE: usize = 256 * 1024 * 1024;

/// Where driftgate's bugs are reported.
pub const REPORT_TO: &str = "the driftgate issue tracker";

/// Runs `body` (the whole command) with the protections above and returns its exit code.
// The panic hook and the thread start have no reporter to write to: this is the process edge.
#[allow(clippy::disallowed_macros)]
pub fn run_guarded(body: impl FnOnce() -> u8 + Send) -> u8 {
    crate::interrupt::install();
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_owned());
        let message = crate::secrets::redact(&format!(
            "error: internal error in driftgate {} (a bug in driftgate, not in your workspace): {payload}{location}\n\
             Please report it to {REPORT_TO} with the command line you ran, this message and, if you can, \
             the smallest workspace that reproduces it (RUST_BACKTRACE=1 adds a backtrace). \
             Exit code {}: nothing was written to your working tree.",
            env!("CARGO_PKG_VERSION"),
            exit::INTERNAL,
        ));
        eprintln!("{message}");
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            eprintln!("{}", std::backtrace::Backtrace::force_capture());
        }
    }));
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build_global();
    let outcome = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("driftgate".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, body)
            .map(|handle| handle.join())
    });
    if let Some(signal) = crate::interrupt::received() {
        // The handler killed the run's children, so the run may have ended "failed"; the handler
        // thread is about to exit with the signal's code. Let it (two threads calling `exit` at
        // once is not allowed), and answer that code ourselves if it has not within a few seconds.
        std::thread::sleep(std::time::Duration::from_secs(5));
        return crate::interrupt::exit_code_for(signal);
    }
    match outcome {
        Ok(Ok(code)) => code,
        // The panic hook has spoken; stop what the run started.
        Ok(Err(_)) => {
            crate::interrupt::cleanup();
            exit::INTERNAL
        }
        Err(e) => {
            eprintln!("error: cannot start driftgate's worker thread: {e}");
            exit::INCOMPLETE
        }
    }
}
