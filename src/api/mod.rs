//! The public-API model, its two engines, rendering, diff and semver rules.
