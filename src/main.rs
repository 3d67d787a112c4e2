//! The `cargo-driftgate` binary: wires argv and stdio into [`driftgate::run`]; nothing else.
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut out = anstream::stdout().lock();
    let mut err = anstream::stderr().lock();
    ExitCode::from(driftgate::run(std::env::args_os(), &mut out, &mut err))
}
