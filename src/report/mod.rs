//! Reports: each output format owns its model types, carries a `schema_version` where it is
//! machine-read, and is byte-for-byte deterministic. Only reporters write to the terminal.

pub mod check;
pub mod diff;
pub mod format;
pub mod github;
pub mod gitlab;
pub mod impact;
pub mod issues;
pub mod junit;
pub mod locate;
pub mod markdown;
pub mod redact;
pub mod sarif;
pub mod schema;
pub mod schemas;
