//! Workspace-level tests of jot live in `tests/`.
