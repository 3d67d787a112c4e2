//! The `cargo-driftgate` binary: wires argv and stdio into [`driftgate::run`] inside
//! [`driftgate::runtime::run_guarded`] (large stack, signals, panics as exit 70); nothing else.
use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(driftgate::runtime::run_guarded(|| {
        // Raw streams: `driftgate::run` wraps them once it knows the colour choice.
        let mut out = std::io::stdout().lock();
        let mut err = std::io::stderr().lock();
        driftgate::run(std::env::args_os(), &mut out, &mut err)
    }))
}
