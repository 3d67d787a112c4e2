//! test-utils
