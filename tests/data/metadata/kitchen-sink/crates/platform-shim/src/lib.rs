//! platform-shim
