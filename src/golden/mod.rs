//! Golden checks: always run, never pruned.
