//! Reading sources.
