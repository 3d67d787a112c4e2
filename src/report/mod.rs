//! Reports: one model, one renderer per format.
