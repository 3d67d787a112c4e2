//! build-helper
