//! The crate's default data lives inside it (`solver/data/`, so the crate packages on its
//! own); `fixtures/` keeps the same files for users. The two copies must not drift.

use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");

fn read(dir: &str, file: &str) -> String {
    let path = Path::new(dir).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_default_data_and_the_fixtures_are_the_same_files() {
    for file in ["areas.csv", "bank-holidays-england-wales.csv"] {
        assert!(
            read(DATA, file) == read(FIXTURES, file),
            "solver/data/{file} and fixtures/{file} differ: copy the one you changed over the other"
        );
    }
}

#[test]
fn the_defaults_are_read_from_the_data() {
    let areas = mediation_solver::validate::default_areas();
    let rows = read(DATA, "areas.csv").lines().skip(1).count();
    assert_eq!(areas.len(), rows);
    assert_eq!(areas.len(), 45);

    let calendar = mediation_solver::calendar::Calendar::england_and_wales();
    let holidays = read(DATA, "bank-holidays-england-wales.csv");
    let listed = holidays.lines().skip(1).filter(|l| !l.trim().is_empty());
    assert_eq!(calendar.bank_holidays().count(), listed.count());
}
