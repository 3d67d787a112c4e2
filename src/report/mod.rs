//! Reports: each output format owns its model types, carries a `schema_version` where it is
//! machine-read, and is byte-for-byte deterministic. Only reporters write to the terminal.

pub mod check;
pub mod diff;
pub mod impact;
