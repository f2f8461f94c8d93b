//! The `#[model]` attribute macro.
