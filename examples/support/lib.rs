//! Helpers shared by the examples and integration tests: reading data files and small summaries.
