//! Workspace model.
