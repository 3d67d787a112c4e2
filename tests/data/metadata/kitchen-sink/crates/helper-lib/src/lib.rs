//! helper-lib
