//! Areas and LAs: the default areas (`solver/data/areas.csv`, the one parser of that file),
//! the checks of a given list, and the covered LAs.

use std::collections::{BTreeSet, HashMap};

use super::{check_position, index_ids, Code, Ctx, IdRule, Report, AREAS_FILE_HINT};
use crate::input::AreaInput;
use crate::model;

/// The default areas. `fixtures/areas.csv` is the same file for users; a test keeps the two
/// identical.
const DEFAULT_AREAS_CSV: &str = include_str!("../../data/areas.csv");

/// One row of an areas file: the area as a problem names it, and its group.
#[derive(Debug, Clone)]
pub struct AreaRow {
    pub area: AreaInput,
    /// The `group` column: `london`, `luton`, `bedford` or `hertfordshire`.
    pub group: String,
}

/// Reads an areas file with the header
/// `name,group,la,la_code,gss_code,lat,lon,population_2020` (the header line is skipped).
/// A row without exactly eight columns or with an unreadable `lat` or `lon` is skipped (a
/// blank line among them); an unreadable population counts as 0. Never panics.
pub fn parse_areas_csv(text: &str) -> Vec<AreaRow> {
    text.lines().skip(1).filter_map(parse_area_line).collect()
}

/// The 45 default areas (32 London boroughs, the City, Luton, Bedford and the 10
/// Hertfordshire districts), with their groups.
pub fn default_area_rows() -> Vec<AreaRow> {
    parse_areas_csv(DEFAULT_AREAS_CSV)
}

/// The 45 default areas: the `areas` of a problem that gives none.
pub fn default_areas() -> Vec<AreaInput> {
    default_area_rows()
        .into_iter()
        .map(|row| row.area)
        .collect()
}

fn parse_area_line(line: &str) -> Option<AreaRow> {
    let cols: Vec<&str> = line.split(',').map(str::trim).collect();
    let [name, group, la_name, la_code, gss_code, lat, lon, population] = cols[..] else {
        return None;
    };
    let area = AreaInput {
        name: name.to_string(),
        gss_code: gss_code.to_string(),
        la_code: la_code.to_string(),
        la_name: la_name.to_string(),
        lat: lat.parse().ok()?,
        lon: lon.parse().ok()?,
        population: population.parse().unwrap_or(0),
    };
    Some(AreaRow {
        area,
        group: group.to_string(),
    })
}

pub(super) fn build_areas(
    input: Option<&[AreaInput]>,
    r: &mut Report,
) -> (Vec<model::Area>, HashMap<String, usize>) {
    let defaults;
    let list = match input {
        Some(list) => {
            check_areas(list, r);
            list
        }
        None => {
            defaults = default_areas();
            &defaults[..]
        }
    };
    let rule = IdRule {
        collection: "areas",
        field: "gss_code",
        noun: "area",
        empty_code: Code::E1105,
        duplicate_code: Code::E1101,
    };
    let index = index_ids(list.iter().map(|a| a.gss_code.as_str()), &rule, r);
    let areas = list
        .iter()
        .map(|a| model::Area {
            name: a.name.clone(),
            gss_code: a.gss_code.clone(),
            la_code: a.la_code.clone(),
            la_name: a.la_name.clone(),
            lat: a.lat,
            lon: a.lon,
            population: a.population,
        })
        .collect();
    (areas, index)
}

fn check_areas(list: &[AreaInput], r: &mut Report) {
    if list.is_empty() {
        r.add(
            Code::E1104,
            "/areas",
            "areas is empty: no case, mediator or venue could be located",
            format!(
                "Leave areas out for the defaults ({AREAS_FILE_HINT}) or list the areas served."
            ),
        );
    }
    for (i, area) in list.iter().enumerate() {
        let path = format!("/areas/{i}");
        if area.la_code.trim().is_empty() {
            r.add(
                Code::E1105,
                format!("{path}/la_code"),
                format!("area \"{}\" has an empty la_code", area.name),
                "Give the GSS code of the LA responsible for SEND there (e.g. E10000015 for a Hertfordshire district).",
            );
        }
        check_position(area.lat, area.lon, &path, Code::E1102, r);
    }
}

pub(super) fn build_covered_las(
    ctx: &Ctx,
    input: Option<&[String]>,
    r: &mut Report,
) -> BTreeSet<String> {
    let Some(list) = input else {
        return ctx.la_codes.clone();
    };
    for (k, la) in list.iter().enumerate() {
        ctx.check_la(
            la,
            &format!("/covered_las/{k}"),
            Code::E1103,
            "covered_las",
            r,
        );
    }
    list.iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_skipped_and_the_group_is_kept() {
        let text = "name,group,la,la_code,gss_code,lat,lon,population_2020\n\
                    Camden,london,Camden,E09000007,E09000007,51.546,-0.157,270029\n\
                    \n\
                    Too,few,columns\n\
                    Nowhere,london,Nowhere,E0,E0,north,-0.1,1\n\
                    Watford,hertfordshire,Hertfordshire County Council,E10000015,E07000103,51.66,-0.4,96767\n\
                    Unknown,london,Unknown,E1,E1,51.5,-0.1,many\n";
        let rows = parse_areas_csv(text);
        let names: Vec<&str> = rows.iter().map(|r| r.area.name.as_str()).collect();
        assert_eq!(names, vec!["Camden", "Watford", "Unknown"]);
        assert_eq!(rows[1].group, "hertfordshire");
        assert_eq!(rows[1].area.la_code, "E10000015");
        assert_eq!(rows[2].area.population, 0);
        assert!(parse_areas_csv("").is_empty());
    }

    #[test]
    fn every_default_row_is_read() {
        let lines = DEFAULT_AREAS_CSV.lines().skip(1);
        let rows = lines.filter(|l| !l.trim().is_empty()).count();
        assert_eq!(default_area_rows().len(), rows);
        assert!(default_area_rows().iter().all(|r| r.area.population > 0));
    }
}
