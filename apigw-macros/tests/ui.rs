//! The #[handler] expansion: signatures it accepts compile (`ui/pass`), and
//! every mistake it names is reported at the author's own token
//! (`ui/fail/*.stderr`, made with `TRYBUILD=overwrite` and read before
//! committing).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
