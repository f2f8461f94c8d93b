//! Compile-time guarantees: each mistake in `tests/ui/` must fail to compile with the blessed
//! message beside it. Bless new messages with `TRYBUILD=overwrite` only after reading them as a
//! user would.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
