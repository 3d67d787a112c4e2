//! Reports: each output format owns its model types, carries a `schema_version` where it is
//! machine-read, and is byte-for-byte deterministic. Only reporters write to the terminal.

pub mod check;
pub(crate) mod diff;
pub mod format;
pub mod github;
pub(crate) mod gitlab;
pub(crate) mod impact;
pub mod issues;
pub mod junit;
pub mod locate;
pub mod markdown;
pub(crate) mod redact;
pub(crate) mod sarif;
pub mod schema;
pub(crate) mod schemas;
