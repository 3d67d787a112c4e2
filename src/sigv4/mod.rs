//! The reference AWS SigV4 / SigV4a implementation and the harness protocol.
