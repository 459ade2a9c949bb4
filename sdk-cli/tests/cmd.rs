//! Snapshot cases of the command line (tests/cmd/*.md), as rage does: each is a console
//! session that doubles as documentation. Refresh with `TRYCMD=overwrite cargo test -p paysign-cli --test cmd`.
#![allow(missing_docs)]

#[test]
fn cli_snapshots() {
    trycmd::TestCases::new().case("tests/cmd/*.md");
}
