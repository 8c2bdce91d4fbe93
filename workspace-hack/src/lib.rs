//! No code: see this crate's `Cargo.toml`. Its dependencies' features are its whole purpose.
