//! Turns a [`ProblemInput`] (the JSON document as it arrives) into a trusted
//! [`model::Problem`], or reports every problem found, all at once.
//!
//! Each [`Issue`] carries a stable code, a JSON pointer (RFC 6901) to the offending value, a
//! message saying what is wrong and a hint saying how to fix it. Errors stop the problem from
//! being built; warnings are returned beside it (or beside the errors).
//!
//! Checks that depend on the horizon's dates (availability outside the horizon, "never
//! available", lapsed credentials) run only when the horizon itself is sound, so one bad date
//! does not bury the report under consequences of it.
//!
//! # Codes
//!
//! | Code  | Meaning |
//! |-------|---------|
//! | E1001 | `time_zone` is given and is not `Europe/London` |
//! | E1002 | the horizon ends before it starts |
//! | E1003 | `publication_date` is after the horizon's end |
//! | E1004 | the horizon is longer than 366 days |
//! | E1005 | `session_templates` is an empty list |
//! | E1006 | two session templates share an id |
//! | E1007 | a session template does not end after it starts |
//! | E1008 | more session templates than [`model::MAX_TEMPLATES`] |
//! | E1009 | no half-day session template (every template is `full_day`) |
//! | E1010 | a session template has an empty id |
//! | E1011 | an availability entry names a session id that is not a template id |
//! | E1012 | a `travel` setting is not a positive, finite number |
//! | E1013 | a date is outside the supported range [`MIN_DATE`]..=[`MAX_DATE`] (2000-01-01 to 2199-12-31) |
//! | E1101 | two areas share a `gss_code` |
//! | E1102 | an area's `lat`/`lon` is out of range or not finite |
//! | E1103 | `covered_las` names an LA that no area belongs to |
//! | E1104 | `areas` is an empty list |
//! | E1105 | an area has an empty `gss_code` or `la_code` |
//! | E1201 | two mediators share an id |
//! | E1202 | a mediator has an empty id |
//! | E1203 | a mediator's `home_area` is not an area's `gss_code` |
//! | E1204 | a mediator `covers` an LA that no area belongs to |
//! | E1205 | a mediator's `max_sessions_per_day` is 0 |
//! | E1206 | a mediator's `max_sessions_per_week` is 0 |
//! | E1207 | a mediator's conflict has an empty id |
//! | E1301 | two interpreters share an id |
//! | E1302 | an interpreter has no language |
//! | E1303 | an interpreter has an empty id |
//! | E1401 | two venues share an id |
//! | E1402 | a venue's `area` is not an area's `gss_code` |
//! | E1403 | a venue has 0 rooms |
//! | E1404 | a venue's `cost_per_session` is negative or not finite |
//! | E1405 | a venue's `lat`/`lon` is out of range or not finite |
//! | E1406 | a venue has an empty id |
//! | E1501 | two cases share a reference |
//! | E1502 | a case has an empty reference |
//! | E1503 | a case's `la` is not the `la_code` of any area |
//! | E1504 | a case's `la` is not in `covered_las` |
//! | E1505 | a case's `family_area` is not an area's `gss_code` |
//! | E1506 | a case's `clock_start` is after the horizon's end |
//! | E1507 | a case has no parties |
//! | E1508 | a case has no required party |
//! | E1509 | a required party is never available in the horizon |
//! | E1510 | a case needs 0 rooms or more than 3 |
//! | E1511 | a case's `preferred_areas` names an unknown area |
//! | E1512 | a case's `preferred_venues` names an unknown venue |
//! | E1513 | a case's `health.icb` is empty |
//! | E1514 | a full-day case but no full-day session template |
//! | W2001 | a year of the horizon has no bank holiday in the calendar (defaults cover 2026–2027) |
//! | W2002 | availability entries dated outside the horizon (they are ignored) |
//! | W2201 | a mediator's `max_sessions_per_day` exceeds the number of session templates |
//! | W2202 | a mediator is never available in the horizon |
//! | W2203 | a mediator's credential lapses before the horizon starts (no meeting possible) |
//! | W2204 | a mediator covers no LA |
//! | W2301 | an interpreter is never available in the horizon |
//! | W2401 | a venue is never available in the horizon |
//! | W2501 | a case needs a language that no mediator speaks and no interpreter offers |
//! | W2502 | a case accepts only in-person meetings but no venue meets its needs |
//!
//! # Availability semantics
//!
//! An [`AvailabilityInput`] becomes one bitmask per horizon day (bit `t` set: template `t` is
//! free):
//! 1. With no `available` list every template of every day is free. With one, everything
//!    starts blocked and each listed day is opened: a day without `sessions` is wholly free;
//!    otherwise a template is free if its id is listed (on any entry for that date), or if it
//!    is a full-day template and every half-day template overlapping it is listed (AM + PM
//!    listed ⇒ FULL free; a full-day template overlapping no half-day one needs its own id).
//! 2. Each `unavailable` entry then blocks: without `sessions`, the whole day; otherwise every
//!    template whose time overlaps a listed template (PM unavailable ⇒ FULL blocked too).
//! 3. Entries dated outside the horizon are ignored, with one W2002 warning per list.
//!    Unknown session ids are errors (E1011) wherever the entry is dated.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::Serialize;

use crate::calendar::Calendar;
use crate::input::{
    AreaInput, AvailabilityInput, CaseInput, DaySessions, Duration, HorizonInput, InterpreterInput,
    MediatorInput, Mode, ProblemInput, SessionTemplateInput, TravelConfig, VenueInput,
};
use crate::model::{self, Availability, Problem};

const DEFAULT_AREAS_CSV: &str = include_str!("../../fixtures/areas.csv");
const LONDON: &str = "Europe/London";
const MAX_HORIZON_DAYS: i64 = 366;
/// The first date a problem may name (E1013).
pub const MIN_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("2000-01-01 is a date"),
};
/// The last date a problem may name (E1013). Far enough from the end of chrono's range that
/// a horizon, day 30 of a clock and the certificate of a meeting never overflow.
pub const MAX_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => panic!("2199-12-31 is a date"),
};

/// Whether `date` lies in the supported range [`MIN_DATE`]..=[`MAX_DATE`].
pub fn date_in_range(date: NaiveDate) -> bool {
    (MIN_DATE..=MAX_DATE).contains(&date)
}
const MAX_ROOMS: u32 = 3;
/// Session templates are bits of a `u32`.
const MASK_BITS: usize = 32;
const AREAS_FILE_HINT: &str = "the default areas are listed in fixtures/areas.csv";

// ---------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Stable code: `E1xxx` for errors, `W2xxx` for warnings (see the module's table).
    pub code: &'static str,
    pub severity: Severity,
    /// JSON pointer (RFC 6901) to the offending value, e.g. `/cases/3/la`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Not JSON, or JSON of the wrong shape (serde error).
    #[error("input is not a valid problem document at {path}: {message}")]
    Malformed {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the problem has {} validation error(s)", .errors.len())]
    Invalid {
        errors: Vec<Issue>,
        warnings: Vec<Issue>,
    },
}

/// A problem that passed validation, with the warnings raised on the way.
#[derive(Debug, Clone)]
pub struct Validated {
    pub problem: Problem,
    pub warnings: Vec<Issue>,
}

// ---------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------

/// Parses JSON text and validates it. Text that is not a problem document gives
/// [`InputError::Malformed`] with a JSON pointer to where parsing failed.
pub fn parse_problem(json: &str) -> Result<Validated, InputError> {
    validate(&parse_input(json)?)
}

/// Parses JSON text into a problem document without validating it.
pub fn parse_input(json: &str) -> Result<ProblemInput, InputError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let input: ProblemInput = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| malformed(json_pointer(e.path()), e.inner()))?;
    de.end().map_err(|e| malformed(String::new(), &e))?;
    Ok(input)
}

/// Validates a parsed document and builds the model, reporting every problem at once.
pub fn validate(input: &ProblemInput) -> Result<Validated, InputError> {
    let mut r = Report::default();
    check_time_zone(input.time_zone.as_deref(), &mut r);
    check_travel(&input.travel, &mut r);
    check_date_range(input, &mut r);
    let (horizon, horizon_ok) = build_horizon(&input.horizon, &mut r);
    let calendar = build_calendar(input.bank_holidays.as_deref(), &horizon, horizon_ok, &mut r);
    let (templates, template_index) = build_templates(input.session_templates.as_deref(), &mut r);
    let (areas, area_index) = build_areas(input.areas.as_deref(), &mut r);
    let mut ctx = Ctx {
        horizon,
        horizon_ok,
        templates,
        template_index,
        la_codes: areas.iter().map(|a| a.la_code.clone()).collect(),
        areas,
        area_index,
        covered_las: BTreeSet::new(),
    };
    ctx.covered_las = build_covered_las(&ctx, input.covered_las.as_deref(), &mut r);

    let (mediators, mediator_index) = build_mediators(&ctx, &input.mediators, &mut r);
    let (interpreters, interpreter_index) = build_interpreters(&ctx, &input.interpreters, &mut r);
    let (venues, venue_index) = build_venues(&ctx, &input.venues, &mut r);
    let others = Others {
        venue_index: &venue_index,
        venues: &input.venues,
        languages: spoken_languages(&input.mediators, &input.interpreters),
    };
    let (cases, case_index) = build_cases(&ctx, &others, &input.cases, &mut r);

    let built = (mediators, interpreters, venues, cases);
    let (Some(mediators), Some(interpreters), Some(venues), Some(cases)) = built else {
        return Err(r.into_error());
    };
    if !r.errors.is_empty() {
        return Err(r.into_error());
    }
    let index = model::Index {
        area: ctx.area_index,
        mediator: mediator_index,
        interpreter: interpreter_index,
        venue: venue_index,
        case: case_index,
        template: ctx.template_index,
    };
    let mut problem = Problem {
        horizon: ctx.horizon,
        calendar,
        templates: ctx.templates,
        areas: ctx.areas,
        covered_las: ctx.covered_las,
        travel: input.travel,
        mediators,
        interpreters,
        venues,
        cases,
        index,
    };
    let shortlists: Vec<_> = problem
        .cases
        .iter()
        .map(|case| crate::rules::venue_shortlist(&problem, case))
        .collect();
    for (case, shortlist) in problem.cases.iter_mut().zip(shortlists) {
        case.venue_shortlist = shortlist;
    }
    Ok(Validated {
        problem,
        warnings: r.warnings,
    })
}

/// The 45 areas of `fixtures/areas.csv` (32 London boroughs, the City, Luton, Bedford and the
/// 10 Hertfordshire districts).
pub fn default_areas() -> Vec<AreaInput> {
    DEFAULT_AREAS_CSV
        .lines()
        .skip(1)
        .filter_map(parse_area_line)
        .collect()
}

/// AM 09:30–13:00, PM 13:30–17:00 and FULL 09:30–17:00 (full day).
pub fn default_templates() -> Vec<SessionTemplateInput> {
    let template = |id: &str, start: (u32, u32), end: (u32, u32), full_day| SessionTemplateInput {
        id: id.to_string(),
        start: NaiveTime::from_hms_opt(start.0, start.1, 0).unwrap_or(NaiveTime::MIN),
        end: NaiveTime::from_hms_opt(end.0, end.1, 0).unwrap_or(NaiveTime::MIN),
        full_day,
    };
    vec![
        template("AM", (9, 30), (13, 0), false),
        template("PM", (13, 30), (17, 0), false),
        template("FULL", (9, 30), (17, 0), true),
    ]
}

/// `name,group,la,la_code,gss_code,lat,lon,population_2020`
fn parse_area_line(line: &str) -> Option<AreaInput> {
    let cols: Vec<&str> = line.split(',').map(str::trim).collect();
    let [name, _group, la_name, la_code, gss_code, lat, lon, population] = cols[..] else {
        return None;
    };
    Some(AreaInput {
        name: name.to_string(),
        gss_code: gss_code.to_string(),
        la_code: la_code.to_string(),
        la_name: la_name.to_string(),
        lat: lat.parse().ok()?,
        lon: lon.parse().ok()?,
        population: population.parse().unwrap_or(0),
    })
}

// ---------------------------------------------------------------------------------------
// Malformed input
// ---------------------------------------------------------------------------------------

/// `path` is a JSON pointer (empty for the whole document).
fn malformed(path: String, error: &serde_json::Error) -> InputError {
    let (line, column) = (error.line(), error.column());
    let full = error.to_string();
    let position = format!(" at line {line} column {column}");
    let message = full.strip_suffix(&position).unwrap_or(&full).to_string();
    InputError::Malformed {
        path,
        line,
        column,
        message,
    }
}

/// serde_path_to_error's `cases[3].la` as the JSON pointer `/cases/3/la`.
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{}", escape_pointer_token(key))),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

// ---------------------------------------------------------------------------------------
// Collecting issues
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Report {
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
}

impl Report {
    fn error(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.errors
            .push(issue(code, Severity::Error, path, message, hint));
    }

    fn warning(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.warnings
            .push(issue(code, Severity::Warning, path, message, hint));
    }

    fn into_error(self) -> InputError {
        InputError::Invalid {
            errors: self.errors,
            warnings: self.warnings,
        }
    }
}

fn issue(
    code: &'static str,
    severity: Severity,
    path: impl Into<String>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Issue {
    Issue {
        code,
        severity,
        path: path.into(),
        message: message.into(),
        hint: hint.into(),
    }
}

/// How the ids of one collection are checked.
struct IdRule {
    /// JSON key of the collection, e.g. `mediators`.
    collection: &'static str,
    /// JSON key of the id inside an element, e.g. `id`.
    field: &'static str,
    /// What an element is called in messages.
    noun: &'static str,
    empty_code: &'static str,
    duplicate_code: &'static str,
}

/// Maps each id to the index of its first occurrence, reporting empty and duplicate ids.
/// Duplicates name both paths: the issue sits on the second, the message names the first.
fn index_ids<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    rule: &IdRule,
    r: &mut Report,
) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    for (i, id) in ids.into_iter().enumerate() {
        let path = format!("/{}/{i}/{}", rule.collection, rule.field);
        if id.trim().is_empty() {
            r.error(
                rule.empty_code,
                path,
                format!("{} {i} has an empty {}", rule.noun, rule.field),
                format!("Give every {} a non-empty {}.", rule.noun, rule.field),
            );
        } else if let Some(first) = index.get(id) {
            let first_path = format!("/{}/{first}/{}", rule.collection, rule.field);
            r.error(
                rule.duplicate_code,
                path.clone(),
                format!(
                    "{} {} \"{id}\" is used twice: at {first_path} and at {path}",
                    rule.noun, rule.field
                ),
                format!(
                    "Give each {} its own {}, or merge the two entries.",
                    rule.noun, rule.field
                ),
            );
        } else {
            index.insert(id.to_string(), i);
        }
    }
    index
}

fn check_position(lat: f64, lon: f64, path: &str, code: &'static str, r: &mut Report) {
    let coordinates = [("lat", lat, 90.0), ("lon", lon, 180.0)];
    for (field, value, limit) in coordinates {
        if !value.is_finite() || value.abs() > limit {
            r.error(
                code,
                format!("{path}/{field}"),
                format!("{field} {value} is not a valid coordinate"),
                format!("Give decimal degrees (WGS84) between -{limit} and {limit}; London is about lat 51.5, lon -0.1."),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Time zone, travel, horizon, calendar, templates
// ---------------------------------------------------------------------------------------

fn check_time_zone(time_zone: Option<&str>, r: &mut Report) {
    match time_zone {
        Some(tz) if tz != LONDON => r.error(
            "E1001",
            "/time_zone",
            format!("time_zone \"{tz}\" is not supported: every meeting happens in {LONDON}"),
            format!("Set time_zone to \"{LONDON}\" or leave it out."),
        ),
        _ => {}
    }
}

fn check_travel(travel: &TravelConfig, r: &mut Report) {
    let settings = [
        ("road_factor", travel.road_factor, false),
        ("speed_kmh", travel.speed_kmh, false),
        ("max_family_travel_km", travel.max_family_travel_km, true),
    ];
    for (field, value, zero_ok) in settings {
        let ok = value.is_finite() && (value > 0.0 || (zero_ok && value == 0.0));
        if !ok {
            r.error(
                "E1012",
                format!("/travel/{field}"),
                format!("travel {field} is {value}, which is not a usable number"),
                "Give a positive number, or leave travel out for the defaults (road_factor 1.3, speed_kmh 30, max_family_travel_km 40).",
            );
        }
    }
    if travel.venue_shortlist == 0 {
        r.error(
            "E1012",
            "/travel/venue_shortlist".to_string(),
            "travel venue_shortlist is 0: no family would be offered any venue".to_string(),
            "Give how many of its nearest suitable venues each family is offered (default 6).",
        );
    }
}

/// Every date of the input, with its JSON pointer.
fn input_dates(input: &ProblemInput) -> Vec<(String, NaiveDate)> {
    let h = &input.horizon;
    let mut dates = vec![
        ("/horizon/start".to_string(), h.start),
        ("/horizon/end".to_string(), h.end),
        ("/horizon/publication_date".to_string(), h.publication_date),
    ];
    for (k, d) in input.bank_holidays.iter().flatten().enumerate() {
        dates.push((format!("/bank_holidays/{k}"), *d));
    }
    let availability = |path: String, a: &AvailabilityInput, dates: &mut Vec<_>| {
        for (k, e) in a.available.iter().flatten().enumerate() {
            dates.push((format!("{path}/availability/available/{k}/date"), e.date));
        }
        for (k, e) in a.unavailable.iter().enumerate() {
            dates.push((format!("{path}/availability/unavailable/{k}/date"), e.date));
        }
    };
    for (i, m) in input.mediators.iter().enumerate() {
        let path = format!("/mediators/{i}");
        let credentials = [
            ("accreditation_expires", m.accreditation_expires),
            ("register_expires", m.register_expires),
            ("insurance_expires", m.insurance_expires),
            ("dbs_expires", m.dbs_expires),
        ];
        for (field, d) in credentials {
            dates.push((format!("{path}/{field}"), d));
        }
        availability(path, &m.availability, &mut dates);
    }
    for (i, x) in input.interpreters.iter().enumerate() {
        availability(format!("/interpreters/{i}"), &x.availability, &mut dates);
    }
    for (i, v) in input.venues.iter().enumerate() {
        availability(format!("/venues/{i}"), &v.availability, &mut dates);
    }
    for (i, c) in input.cases.iter().enumerate() {
        dates.push((format!("/cases/{i}/clock_start"), c.clock_start));
        for (j, party) in c.parties.iter().enumerate() {
            availability(
                format!("/cases/{i}/parties/{j}"),
                &party.availability,
                &mut dates,
            );
        }
    }
    dates
}

/// E1013: every date of the input lies in [`MIN_DATE`]..=[`MAX_DATE`], so no date arithmetic
/// later (a horizon's days, day 30, notice, certificates) can leave chrono's range.
/// A horizon end that is out of range only because the horizon is far too long is left to
/// E1004, which says more.
fn check_date_range(input: &ProblemInput, r: &mut Report) {
    let h = &input.horizon;
    let too_long = date_in_range(h.start) && (h.end - h.start).num_days() + 1 > MAX_HORIZON_DAYS;
    for (path, date) in input_dates(input) {
        if too_long && path == "/horizon/end" {
            continue;
        }
        if !date_in_range(date) {
            r.error(
                "E1013",
                path,
                format!("{date} is outside the supported dates {MIN_DATE} to {MAX_DATE}"),
                format!("Give a date from {MIN_DATE} to {MAX_DATE}; check the year."),
            );
        }
    }
}

/// The horizon, and whether it is sound enough for date-dependent checks. An unsound
/// horizon has no days, so nothing is allocated for a horizon of a million years.
fn build_horizon(h: &HorizonInput, r: &mut Report) -> (model::Horizon, bool) {
    // Dates out of range are reported by `check_date_range` (E1013).
    let mut ok = [h.start, h.end, h.publication_date]
        .into_iter()
        .all(date_in_range);
    if h.end < h.start {
        ok = false;
        r.error(
            "E1002",
            "/horizon/end",
            format!(
                "the horizon ends on {} before it starts on {}",
                h.end, h.start
            ),
            "Swap start and end, or correct the dates: both are inclusive.",
        );
    } else if (h.end - h.start).num_days() + 1 > MAX_HORIZON_DAYS {
        ok = false;
        r.error(
            "E1004",
            "/horizon/end",
            format!(
                "the horizon from {} to {} spans {} days, more than {MAX_HORIZON_DAYS}",
                h.start,
                h.end,
                (h.end - h.start).num_days() + 1
            ),
            "Roster at most a year at a time; a weekly roster is usual.",
        );
    }
    if h.publication_date > h.end {
        r.error(
            "E1003",
            "/horizon/publication_date",
            format!(
                "the roster is published on {}, after the horizon ends on {}",
                h.publication_date, h.end
            ),
            "The parties must be told before the meetings: publish on or before the horizon's start.",
        );
    }
    let days = if ok {
        h.start.iter_days().take_while(|d| *d <= h.end).collect()
    } else {
        Vec::new()
    };
    let horizon = model::Horizon {
        start: h.start,
        end: h.end,
        publication_date: h.publication_date,
        days,
    };
    (horizon, ok)
}

fn build_calendar(
    bank_holidays: Option<&[NaiveDate]>,
    horizon: &model::Horizon,
    horizon_ok: bool,
    r: &mut Report,
) -> Calendar {
    let calendar = match bank_holidays {
        Some(days) => Calendar::new(days.iter().copied()),
        None => Calendar::england_and_wales(),
    };
    if horizon_ok {
        let known: BTreeSet<i32> = calendar.bank_holidays().map(|d| d.year()).collect();
        let years: BTreeSet<i32> = horizon.days.iter().map(|d| d.year()).collect();
        for year in years.difference(&known) {
            let source = if bank_holidays.is_some() {
                "the bank_holidays list"
            } else {
                "the default calendar (England and Wales 2026–2027)"
            };
            r.warning(
                "W2001",
                "/bank_holidays",
                format!("{source} has no bank holiday in {year}, which the horizon covers"),
                format!("List the England and Wales bank holidays of {year} in bank_holidays (see gov.uk/bank-holidays), or working days will include them."),
            );
        }
    }
    calendar
}

fn build_templates(
    input: Option<&[SessionTemplateInput]>,
    r: &mut Report,
) -> (Vec<model::SessionTemplate>, HashMap<String, usize>) {
    let defaults;
    let list = match input {
        Some(list) => {
            check_templates(list, r);
            list
        }
        None => {
            defaults = default_templates();
            &defaults[..]
        }
    };
    let rule = IdRule {
        collection: "session_templates",
        field: "id",
        noun: "session template",
        empty_code: "E1010",
        duplicate_code: "E1006",
    };
    // Defaults are sound, so reporting on them never fires.
    let index = index_ids(list.iter().map(|t| t.id.as_str()), &rule, r);
    let templates = list
        .iter()
        .map(|t| model::SessionTemplate {
            id: t.id.clone(),
            start: t.start,
            end: t.end,
            full_day: t.full_day,
        })
        .collect();
    (templates, index)
}

fn check_templates(list: &[SessionTemplateInput], r: &mut Report) {
    if list.is_empty() {
        r.error(
            "E1005",
            "/session_templates",
            "session_templates is empty: no meeting could be held",
            "Leave session_templates out for the defaults (AM 09:30–13:00, PM 13:30–17:00, FULL 09:30–17:00) or list at least one half-day session.",
        );
        return;
    }
    if list.len() > model::MAX_TEMPLATES {
        r.error(
            "E1008",
            "/session_templates",
            format!(
                "{} session templates are defined; at most {} are supported",
                list.len(),
                model::MAX_TEMPLATES
            ),
            "Merge templates: a few half-day sessions and a full day are usual.",
        );
    }
    for (i, t) in list.iter().enumerate() {
        if t.end <= t.start {
            r.error(
                "E1007",
                format!("/session_templates/{i}/end"),
                format!(
                    "session template \"{}\" ends at {} but starts at {}",
                    t.id, t.end, t.start
                ),
                "A session ends after it starts on the same day, e.g. start 09:30, end 13:00.",
            );
        }
    }
    if list.iter().all(|t| t.full_day) {
        r.error(
            "E1009",
            "/session_templates",
            "every session template is full_day: half-day cases could never be held",
            "Add a half-day template such as {\"id\": \"AM\", \"start\": \"09:30:00\", \"end\": \"13:00:00\"}.",
        );
    }
}

// ---------------------------------------------------------------------------------------
// Areas and LAs
// ---------------------------------------------------------------------------------------

fn build_areas(
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
        empty_code: "E1105",
        duplicate_code: "E1101",
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
        r.error(
            "E1104",
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
            r.error(
                "E1105",
                format!("{path}/la_code"),
                format!("area \"{}\" has an empty la_code", area.name),
                "Give the GSS code of the LA responsible for SEND there (e.g. E10000015 for a Hertfordshire district).",
            );
        }
        check_position(area.lat, area.lon, &path, "E1102", r);
    }
}

fn build_covered_las(ctx: &Ctx, input: Option<&[String]>, r: &mut Report) -> BTreeSet<String> {
    let Some(list) = input else {
        return ctx.la_codes.clone();
    };
    for (k, la) in list.iter().enumerate() {
        ctx.check_la(la, &format!("/covered_las/{k}"), "E1103", "covered_las", r);
    }
    list.iter().cloned().collect()
}

// ---------------------------------------------------------------------------------------
// Shared lookups
// ---------------------------------------------------------------------------------------

/// What every entity needs to resolve ids and expand availability.
struct Ctx {
    horizon: model::Horizon,
    /// Whether date-dependent checks are meaningful (see the module docs).
    horizon_ok: bool,
    templates: Vec<model::SessionTemplate>,
    template_index: HashMap<String, usize>,
    areas: Vec<model::Area>,
    area_index: HashMap<String, usize>,
    la_codes: BTreeSet<String>,
    covered_las: BTreeSet<String>,
}

impl Ctx {
    /// The area with GSS code `code`, or an error (with a hint) at `path`.
    fn area(
        &self,
        code: &str,
        path: &str,
        error: &'static str,
        what: &str,
        r: &mut Report,
    ) -> Option<model::AreaIdx> {
        if let Some(&idx) = self.area_index.get(code) {
            return Some(idx);
        }
        r.error(
            error,
            path,
            format!("{what} \"{code}\" is not the gss_code of any area"),
            self.unknown_area_hint(code),
        );
        None
    }

    fn unknown_area_hint(&self, code: &str) -> String {
        if let Some(area) = self.areas.iter().find(|a| a.la_code == code) {
            let districts: Vec<String> = self
                .areas
                .iter()
                .filter(|a| a.la_code == code)
                .take(3)
                .map(|a| format!("{} ({})", a.gss_code, a.name))
                .collect();
            return format!(
                "\"{code}\" is the LA {}, not an area: give the gss_code of one of its areas, e.g. {}.",
                area.la_name,
                districts.join(", ")
            );
        }
        if let Some(area) = self.areas.iter().find(|a| same_code(&a.gss_code, code)) {
            return format!(
                "Codes are upper case without spaces: use \"{}\".",
                area.gss_code
            );
        }
        format!(
            "Use an area's gss_code ({AREAS_FILE_HINT}, column gss_code; e.g. E09000007 for Camden, E07000240 for St Albans)."
        )
    }

    /// Whether `la` is the `la_code` of some area; reports an error with a hint if not.
    fn check_la(
        &self,
        la: &str,
        path: &str,
        error: &'static str,
        what: &str,
        r: &mut Report,
    ) -> bool {
        if self.la_codes.contains(la) {
            return true;
        }
        let district = self
            .areas
            .iter()
            .find(|a| a.gss_code == la && a.la_code != la);
        let message = match district {
            Some(area) => format!(
                "{what} names \"{la}\", which is the district {}, not a local authority",
                area.name
            ),
            None => format!("{what} names \"{la}\", which is not the la_code of any area"),
        };
        r.error(error, path, message, self.unknown_la_hint(la));
        false
    }

    fn unknown_la_hint(&self, la: &str) -> String {
        let district = self
            .areas
            .iter()
            .find(|a| a.gss_code == la && a.la_code != la);
        if let Some(area) = district {
            return format!(
                "{} is an area that only locates families and venues; the LA responsible for SEND there is {} ({}): use \"{}\". In Hertfordshire the ten districts are areas and the LA is E10000015.",
                area.name, area.la_name, area.la_code, area.la_code
            );
        }
        if let Some(code) = self.la_codes.iter().find(|c| same_code(c, la)) {
            return format!("Codes are upper case without spaces: use \"{code}\".");
        }
        format!(
            "Use the la_code of an area ({AREAS_FILE_HINT}, column la_code; e.g. E09000007 for Camden, E10000015 for Hertfordshire), or add the LA's areas to areas."
        )
    }

    /// Whether an entity is never free, when that is meaningful: with a sound horizon and
    /// at least one template (otherwise the cause is already reported).
    fn is_never_free(&self, availability: &Availability) -> bool {
        self.horizon_ok && !self.templates.is_empty() && availability.is_never_free()
    }

    /// Bit of the template with this id, if it exists and fits the mask.
    fn template_bit(&self, id: &str) -> Option<u32> {
        let &t = self.template_index.get(id)?;
        (t < MASK_BITS).then(|| 1u32 << t)
    }

    fn mask_templates(&self) -> impl Iterator<Item = (usize, &model::SessionTemplate)> {
        self.templates.iter().enumerate().take(MASK_BITS)
    }

    fn all_templates(&self) -> u32 {
        let n = self.templates.len().min(MASK_BITS);
        Availability::always(1, n)
            .free
            .first()
            .copied()
            .unwrap_or(0)
    }

    /// Listed templates plus each full-day template whose overlapping half-days are all listed.
    fn expand_available(&self, listed: u32) -> u32 {
        let mut free = listed;
        for (t, template) in self.mask_templates().filter(|(_, t)| t.full_day) {
            let mut halves = self
                .mask_templates()
                .filter(|(_, h)| !h.full_day && h.overlaps(template))
                .peekable();
            let has_halves = halves.peek().is_some();
            if has_halves && halves.all(|(h, _)| listed & (1 << h) != 0) {
                free |= 1 << t;
            }
        }
        free
    }

    /// Listed templates plus every template overlapping one of them.
    fn expand_blocked(&self, listed: u32) -> u32 {
        let listed_templates: Vec<&model::SessionTemplate> = self
            .mask_templates()
            .filter(|(t, _)| listed & (1 << t) != 0)
            .map(|(_, template)| template)
            .collect();
        self.mask_templates()
            .filter(|(t, template)| {
                listed & (1 << t) != 0 || listed_templates.iter().any(|l| l.overlaps(template))
            })
            .fold(0, |mask, (t, _)| mask | (1 << t))
    }

    /// Expands availability as described in the module docs.
    fn availability(&self, input: &AvailabilityInput, path: &str, r: &mut Report) -> Availability {
        let all = self.all_templates();
        let days = self.horizon.days.len();
        let mut free = match &input.available {
            None => vec![all; days],
            Some(available) => {
                let listed = self.day_listings(available, &format!("{path}/available"), r);
                listed
                    .iter()
                    .map(|day| match day.whole {
                        true => all,
                        false => self.expand_available(day.sessions),
                    })
                    .collect()
            }
        };
        let blocked = self.day_listings(&input.unavailable, &format!("{path}/unavailable"), r);
        for (mask, day) in free.iter_mut().zip(&blocked) {
            *mask &= !match day.whole {
                true => all,
                false => self.expand_blocked(day.sessions),
            };
        }
        Availability { free }
    }

    /// What a list of entries names on each horizon day. Reports unknown session ids
    /// (E1011) and, once per list, entries outside the horizon (W2002).
    fn day_listings(&self, entries: &[DaySessions], path: &str, r: &mut Report) -> Vec<DayListing> {
        let mut days = vec![DayListing::default(); self.horizon.days.len()];
        let mut outside = Vec::new();
        for (k, entry) in entries.iter().enumerate() {
            let sessions = self.session_mask(entry, &format!("{path}/{k}"), r);
            match self
                .horizon
                .day_index(entry.date)
                .and_then(|d| days.get_mut(d))
            {
                Some(day) => {
                    day.whole |= entry.sessions.is_none();
                    day.sessions |= sessions;
                }
                None => outside.push((k, entry.date)),
            }
        }
        if let (true, Some(&(k, date))) = (self.horizon_ok, outside.first()) {
            r.warning(
                "W2002",
                format!("{path}/{k}/date"),
                format!(
                    "{} availability entr{} outside the horizon {} to {} (first: {date}) {} ignored",
                    outside.len(),
                    if outside.len() == 1 { "y" } else { "ies" },
                    self.horizon.start,
                    self.horizon.end,
                    if outside.len() == 1 { "is" } else { "are" },
                ),
                "Nothing to do if this is a longer calendar; otherwise check the dates.",
            );
        }
        days
    }

    fn session_mask(&self, entry: &DaySessions, path: &str, r: &mut Report) -> u32 {
        let Some(sessions) = &entry.sessions else {
            return 0;
        };
        let mut mask = 0;
        for (j, id) in sessions.iter().enumerate() {
            match self.template_index.contains_key(id) {
                true => mask |= self.template_bit(id).unwrap_or(0),
                false => r.error(
                    "E1011",
                    format!("{path}/sessions/{j}"),
                    format!("session \"{id}\" on {} is not a session template id", entry.date),
                    format!(
                        "Use one of the session template ids: {}; or leave sessions out to mean the whole day.",
                        self.template_ids()
                    ),
                ),
            }
        }
        mask
    }

    fn template_ids(&self) -> String {
        let ids: Vec<&str> = self.templates.iter().map(|t| t.id.as_str()).collect();
        ids.join(", ")
    }
}

/// What availability entries name on one horizon day.
#[derive(Debug, Clone, Copy, Default)]
struct DayListing {
    /// An entry without sessions: the whole day.
    whole: bool,
    /// Templates listed by id.
    sessions: u32,
}

fn same_code(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn normalise_languages(languages: &[String]) -> BTreeSet<String> {
    languages.iter().filter_map(|l| need_language(l)).collect()
}

/// A normalised language other than English, or `None`.
fn need_language(language: &str) -> Option<String> {
    let language = model::normalise_language(language);
    match language.as_str() {
        "" | "english" | "en" => None,
        _ => Some(language),
    }
}

/// Collects the built entities if every one was built (a `None` always comes with an error).
fn collect_all<T>(built: Vec<Option<T>>) -> Option<Vec<T>> {
    built.into_iter().collect()
}

// ---------------------------------------------------------------------------------------
// Mediators
// ---------------------------------------------------------------------------------------

fn build_mediators(
    ctx: &Ctx,
    input: &[MediatorInput],
    r: &mut Report,
) -> (Option<Vec<model::Mediator>>, HashMap<String, usize>) {
    let rule = IdRule {
        collection: "mediators",
        field: "id",
        noun: "mediator",
        empty_code: "E1202",
        duplicate_code: "E1201",
    };
    let index = index_ids(input.iter().map(|m| m.id.as_str()), &rule, r);
    let built = input
        .iter()
        .enumerate()
        .map(|(i, m)| build_mediator(ctx, i, m, r))
        .collect();
    (collect_all(built), index)
}

fn build_mediator(
    ctx: &Ctx,
    i: usize,
    m: &MediatorInput,
    r: &mut Report,
) -> Option<model::Mediator> {
    let path = format!("/mediators/{i}");
    let home_area = ctx.area(
        &m.home_area,
        &format!("{path}/home_area"),
        "E1203",
        &format!("mediator \"{}\" home_area", m.id),
        r,
    );
    check_mediator_covers(ctx, m, &path, r);
    check_mediator_caps(ctx, m, &path, r);
    check_mediator_credentials(ctx, m, &path, r);
    for (k, conflict) in m.conflicts.iter().enumerate() {
        if conflict.id.trim().is_empty() {
            r.error(
                "E1207",
                format!("{path}/conflicts/{k}/id"),
                format!("mediator \"{}\" declares a conflict with an empty id", m.id),
                "Give the LA's GSS code, the ICB code, the school id or the case reference the conflict is with.",
            );
        }
    }
    let availability = ctx.availability(&m.availability, &format!("{path}/availability"), r);
    if ctx.is_never_free(&availability) {
        r.warning(
            "W2202",
            format!("{path}/availability"),
            format!("mediator \"{}\" is never available in the horizon", m.id),
            "Add available days inside the horizon, or leave the mediator out of this roster.",
        );
    }
    Some(model::Mediator {
        id: m.id.clone(),
        name: m.name.clone(),
        home_area: home_area?,
        covers: m.covers.iter().cloned().collect(),
        credentials: model::Credentials {
            accreditation_expires: m.accreditation_expires,
            register_expires: m.register_expires,
            insurance_expires: m.insurance_expires,
            dbs_expires: m.dbs_expires,
        },
        languages: normalise_languages(&m.languages),
        max_sessions_per_day: m.max_sessions_per_day,
        max_sessions_per_week: m.max_sessions_per_week,
        availability,
        conflicts: m
            .conflicts
            .iter()
            .map(|c| model::Conflict {
                kind: c.kind,
                id: c.id.clone(),
            })
            .collect(),
        employers: m
            .employers
            .iter()
            .filter(|e| !e.trim().is_empty())
            .cloned()
            .collect(),
        session_cost: i64::from(m.session_cost),
    })
}

fn check_mediator_covers(ctx: &Ctx, m: &MediatorInput, path: &str, r: &mut Report) {
    if m.covers.is_empty() {
        r.warning(
            "W2204",
            format!("{path}/covers"),
            format!("mediator \"{}\" covers no LA and can take no case", m.id),
            "List the GSS codes of the LAs whose cases the mediator may take.",
        );
    }
    let what = format!("mediator \"{}\" covers", m.id);
    for (k, la) in m.covers.iter().enumerate() {
        ctx.check_la(la, &format!("{path}/covers/{k}"), "E1204", &what, r);
    }
}

fn check_mediator_caps(ctx: &Ctx, m: &MediatorInput, path: &str, r: &mut Report) {
    let caps = [
        ("max_sessions_per_day", m.max_sessions_per_day, "E1205"),
        ("max_sessions_per_week", m.max_sessions_per_week, "E1206"),
    ];
    for (field, value, code) in caps {
        if value == 0 {
            r.error(
                code,
                format!("{path}/{field}"),
                format!("mediator \"{}\" has {field} 0 and could take no meeting", m.id),
                "Give at least 1, or leave the mediator out of this roster (a full day counts as 2 sessions).",
            );
        }
    }
    let templates = ctx.templates.len();
    if m.max_sessions_per_day as usize > templates {
        r.warning(
            "W2201",
            format!("{path}/max_sessions_per_day"),
            format!(
                "mediator \"{}\" may do {} sessions a day but only {templates} session templates exist",
                m.id, m.max_sessions_per_day
            ),
            "The cap can never be reached; lower it to the sessions a day really allows.",
        );
    }
}

fn check_mediator_credentials(ctx: &Ctx, m: &MediatorInput, path: &str, r: &mut Report) {
    if !ctx.horizon_ok {
        return;
    }
    let start = ctx.horizon.start;
    let credentials = [
        ("accreditation_expires", m.accreditation_expires),
        ("register_expires", m.register_expires),
        ("insurance_expires", m.insurance_expires),
        ("dbs_expires", m.dbs_expires),
    ];
    let lapsed: Vec<(&str, NaiveDate)> = credentials
        .into_iter()
        .filter(|(_, expires)| *expires < start)
        .collect();
    let Some(&(first, _)) = lapsed.first() else {
        return;
    };
    let list: Vec<String> = lapsed.iter().map(|(f, d)| format!("{f} {d}")).collect();
    r.warning(
        "W2203",
        format!("{path}/{first}"),
        format!(
            "mediator \"{}\" has credentials that lapse before the horizon starts on {start} ({}): they can take no meeting",
            m.id,
            list.join(", ")
        ),
        "Update the expiry dates if the credentials were renewed (an expiry date is the last valid day).",
    );
}

// ---------------------------------------------------------------------------------------
// Interpreters
// ---------------------------------------------------------------------------------------

fn build_interpreters(
    ctx: &Ctx,
    input: &[InterpreterInput],
    r: &mut Report,
) -> (Option<Vec<model::Interpreter>>, HashMap<String, usize>) {
    let rule = IdRule {
        collection: "interpreters",
        field: "id",
        noun: "interpreter",
        empty_code: "E1303",
        duplicate_code: "E1301",
    };
    let index = index_ids(input.iter().map(|i| i.id.as_str()), &rule, r);
    let built = input
        .iter()
        .enumerate()
        .map(|(i, interpreter)| Some(build_interpreter(ctx, i, interpreter, r)))
        .collect();
    (collect_all(built), index)
}

fn build_interpreter(
    ctx: &Ctx,
    i: usize,
    input: &InterpreterInput,
    r: &mut Report,
) -> model::Interpreter {
    let path = format!("/interpreters/{i}");
    let languages = normalise_languages(&input.languages);
    if languages.is_empty() {
        r.error(
            "E1302",
            format!("{path}/languages"),
            format!(
                "interpreter \"{}\" has no language besides English",
                input.id
            ),
            "List the languages interpreted, e.g. [\"BSL\"] or [\"Polish\"].",
        );
    }
    let availability = ctx.availability(&input.availability, &format!("{path}/availability"), r);
    if ctx.is_never_free(&availability) {
        r.warning(
            "W2301",
            format!("{path}/availability"),
            format!(
                "interpreter \"{}\" is never available in the horizon",
                input.id
            ),
            "Add available days inside the horizon, or leave the interpreter out.",
        );
    }
    model::Interpreter {
        id: input.id.clone(),
        languages,
        availability,
    }
}

// ---------------------------------------------------------------------------------------
// Venues
// ---------------------------------------------------------------------------------------

fn build_venues(
    ctx: &Ctx,
    input: &[VenueInput],
    r: &mut Report,
) -> (Option<Vec<model::Venue>>, HashMap<String, usize>) {
    let rule = IdRule {
        collection: "venues",
        field: "id",
        noun: "venue",
        empty_code: "E1406",
        duplicate_code: "E1401",
    };
    let index = index_ids(input.iter().map(|v| v.id.as_str()), &rule, r);
    let built = input
        .iter()
        .enumerate()
        .map(|(i, v)| build_venue(ctx, i, v, r))
        .collect();
    (collect_all(built), index)
}

fn build_venue(ctx: &Ctx, i: usize, v: &VenueInput, r: &mut Report) -> Option<model::Venue> {
    let path = format!("/venues/{i}");
    let area = ctx.area(
        &v.area,
        &format!("{path}/area"),
        "E1402",
        &format!("venue \"{}\" area", v.id),
        r,
    );
    if v.rooms == 0 {
        r.error(
            "E1403",
            format!("{path}/rooms"),
            format!("venue \"{}\" has no rooms", v.id),
            "Give the rooms bookable at once (a meeting needs 1 to 3), or leave the venue out.",
        );
    }
    if !v.cost_per_session.is_finite() || v.cost_per_session < 0.0 {
        r.error(
            "E1404",
            format!("{path}/cost_per_session"),
            format!(
                "venue \"{}\" costs {} per session",
                v.id, v.cost_per_session
            ),
            "Give the price in pounds per session booked, 0 or more.",
        );
    }
    check_position(v.lat, v.lon, &path, "E1405", r);
    let availability = ctx.availability(&v.availability, &format!("{path}/availability"), r);
    if ctx.is_never_free(&availability) {
        r.warning(
            "W2401",
            format!("{path}/availability"),
            format!("venue \"{}\" is never available in the horizon", v.id),
            "Add available days inside the horizon, or leave the venue out.",
        );
    }
    Some(model::Venue {
        id: v.id.clone(),
        name: v.name.clone(),
        area: area?,
        lat: v.lat,
        lon: v.lon,
        rooms: v.rooms,
        step_free: v.step_free,
        hearing_loop: v.hearing_loop,
        availability,
        cost_per_session: v.cost_per_session,
    })
}

// ---------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------

/// What cases are checked against besides the shared lookups.
struct Others<'a> {
    venue_index: &'a HashMap<String, usize>,
    venues: &'a [VenueInput],
    /// Normalised languages spoken by some mediator or offered by some interpreter.
    languages: BTreeSet<String>,
}

fn spoken_languages(
    mediators: &[MediatorInput],
    interpreters: &[InterpreterInput],
) -> BTreeSet<String> {
    let mediator_languages = mediators.iter().flat_map(|m| &m.languages);
    let interpreter_languages = interpreters.iter().flat_map(|i| &i.languages);
    mediator_languages
        .chain(interpreter_languages)
        .filter_map(|l| need_language(l))
        .collect()
}

fn build_cases(
    ctx: &Ctx,
    others: &Others,
    input: &[CaseInput],
    r: &mut Report,
) -> (Option<Vec<model::Case>>, HashMap<String, usize>) {
    let rule = IdRule {
        collection: "cases",
        field: "reference",
        noun: "case",
        empty_code: "E1502",
        duplicate_code: "E1501",
    };
    let index = index_ids(input.iter().map(|c| c.reference.as_str()), &rule, r);
    let built = input
        .iter()
        .enumerate()
        .map(|(i, c)| build_case(ctx, others, i, c, r))
        .collect();
    (collect_all(built), index)
}

fn build_case(
    ctx: &Ctx,
    others: &Others,
    i: usize,
    c: &CaseInput,
    r: &mut Report,
) -> Option<model::Case> {
    let path = format!("/cases/{i}");
    check_case_la(ctx, c, &path, r);
    let family_area = ctx.area(
        &c.family_area,
        &format!("{path}/family_area"),
        "E1505",
        &format!("case \"{}\" family_area", c.reference),
        r,
    );
    check_case_dates(ctx, c, &path, r);
    check_case_health(c, &path, r);
    check_case_needs(ctx, others, c, &path, r);
    let parties = build_parties(ctx, c, &path, r);
    let preferred_areas = resolve_preferred_areas(ctx, c, &path, r);
    let preferred_venues = resolve_preferred_venues(others, c, &path, r);
    let mut accepted_modes: BTreeSet<Mode> = c.accepted_modes.iter().copied().collect();
    accepted_modes.insert(c.preferred_mode);
    Some(model::Case {
        reference: c.reference.clone(),
        la: c.la.clone(),
        family_area: family_area?,
        school: c.school.clone(),
        clock_start: c.clock_start,
        icb: c.health.as_ref().map(|h| h.icb.clone()),
        parties,
        preferred_mode: c.preferred_mode,
        accepted_modes,
        needs: model::Needs {
            rooms: c.needs.rooms,
            step_free: c.needs.step_free,
            hearing_loop: c.needs.hearing_loop,
            language: c.needs.language.as_deref().and_then(need_language),
        },
        duration: c.duration,
        short_notice_ok: c.short_notice_ok,
        preferred_areas: preferred_areas?,
        preferred_venues: preferred_venues?,
        venue_shortlist: BTreeSet::new(),
        published: None,
    })
}

fn check_case_la(ctx: &Ctx, c: &CaseInput, path: &str, r: &mut Report) {
    let la_path = format!("{path}/la");
    let what = format!("case \"{}\" la", c.reference);
    if ctx.check_la(&c.la, &la_path, "E1503", &what, r) && !ctx.covered_las.contains(&c.la) {
        r.error(
            "E1504",
            la_path,
            format!("case \"{}\" is for LA {}, which the service does not cover", c.reference, c.la),
            format!("Add \"{}\" to covered_las if the service is contracted for it, or refer the case elsewhere.", c.la),
        );
    }
}

fn check_case_dates(ctx: &Ctx, c: &CaseInput, path: &str, r: &mut Report) {
    if c.clock_start > ctx.horizon.end {
        r.error(
            "E1506",
            format!("{path}/clock_start"),
            format!(
                "case \"{}\" starts its clock on {}, after the roster ends on {}: a case cannot have agreed mediation after the roster",
                c.reference, c.clock_start, ctx.horizon.end
            ),
            "Check the date the LA was told the parent wants mediation; a case agreed later belongs in a later roster.",
        );
    }
}

fn check_case_health(c: &CaseInput, path: &str, r: &mut Report) {
    if c.health.as_ref().is_some_and(|h| h.icb.trim().is_empty()) {
        r.error(
            "E1513",
            format!("{path}/health/icb"),
            format!("case \"{}\" involves health but names no ICB", c.reference),
            "Give the code of the NHS Integrated Care Board whose provision is in dispute, or leave health out.",
        );
    }
}

fn check_case_needs(ctx: &Ctx, others: &Others, c: &CaseInput, path: &str, r: &mut Report) {
    let rooms = c.needs.rooms;
    if rooms == 0 || rooms > MAX_ROOMS {
        r.error(
            "E1510",
            format!("{path}/needs/rooms"),
            format!("case \"{}\" needs {rooms} rooms", c.reference),
            format!("A meeting uses 1 to {MAX_ROOMS} rooms: a joint room plus up to one breakout room per side."),
        );
    }
    if c.duration == Duration::FullDay && !ctx.templates.iter().any(|t| t.full_day) {
        r.error(
            "E1514",
            format!("{path}/duration"),
            format!("case \"{}\" needs a full day but no session template is full_day", c.reference),
            "Add a full-day template (e.g. FULL 09:30–17:00 with full_day true), or make the case half_day.",
        );
    }
    if let Some(language) = c.needs.language.as_deref().and_then(need_language) {
        if !others.languages.contains(&language) {
            r.warning(
                "W2501",
                format!("{path}/needs/language"),
                format!("case \"{}\" needs {language}, which no mediator speaks and no interpreter offers", c.reference),
                "Add an interpreter for the language, or a mediator who speaks it; the case cannot be held until then.",
            );
        }
    }
    check_case_venue_exists(others, c, path, r);
}

fn check_case_venue_exists(others: &Others, c: &CaseInput, path: &str, r: &mut Report) {
    let only_in_person =
        c.preferred_mode == Mode::InPerson && c.accepted_modes.iter().all(|m| *m == Mode::InPerson);
    let needs = &c.needs;
    let suitable = others.venues.iter().any(|v| {
        v.rooms >= needs.rooms
            && (!needs.step_free || v.step_free)
            && (!needs.hearing_loop || v.hearing_loop)
    });
    if only_in_person && !suitable {
        r.warning(
            "W2502",
            format!("{path}/needs"),
            format!("case \"{}\" accepts only in-person meetings but no venue meets its needs", c.reference),
            "Add a venue with the rooms and access needed, or ask the family whether video or phone would do.",
        );
    }
}

fn build_parties(ctx: &Ctx, c: &CaseInput, path: &str, r: &mut Report) -> Vec<model::Party> {
    if c.parties.is_empty() {
        r.error(
            "E1507",
            format!("{path}/parties"),
            format!("case \"{}\" has no parties", c.reference),
            "List at least the parent (or young person) and the LA representative.",
        );
    } else if !c.parties.iter().any(|p| p.required) {
        r.error(
            "E1508",
            format!("{path}/parties"),
            format!("case \"{}\" has no required party", c.reference),
            "Mark the parent (or young person) and the LA representative as required.",
        );
    }
    c.parties
        .iter()
        .enumerate()
        .map(|(p, party)| {
            let party_path = format!("{path}/parties/{p}/availability");
            let availability = ctx.availability(&party.availability, &party_path, r);
            if party.required && ctx.is_never_free(&availability) {
                r.error(
                    "E1509",
                    party_path,
                    format!(
                        "the required {} of case \"{}\" is never available in the horizon: a party with no availability",
                        party.role.as_str(),
                        c.reference
                    ),
                    "Add availability or mark the party not required.",
                );
            }
            model::Party {
                role: party.role,
                required: party.required,
                availability,
            }
        })
        .collect()
}

fn resolve_preferred_areas(
    ctx: &Ctx,
    c: &CaseInput,
    path: &str,
    r: &mut Report,
) -> Option<BTreeSet<model::AreaIdx>> {
    let what = format!("case \"{}\" preferred area", c.reference);
    let resolved: Vec<Option<usize>> = c
        .preferred_areas
        .iter()
        .enumerate()
        .map(|(k, code)| {
            ctx.area(
                code,
                &format!("{path}/preferred_areas/{k}"),
                "E1511",
                &what,
                r,
            )
        })
        .collect();
    resolved.into_iter().collect()
}

fn resolve_preferred_venues(
    others: &Others,
    c: &CaseInput,
    path: &str,
    r: &mut Report,
) -> Option<BTreeSet<model::VenueIdx>> {
    let resolved: Vec<Option<usize>> = c
        .preferred_venues
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let found = others.venue_index.get(id).copied();
            if found.is_none() {
                r.error(
                    "E1512",
                    format!("{path}/preferred_venues/{k}"),
                    format!(
                        "case \"{}\" prefers venue \"{id}\", which is not a venue id",
                        c.reference
                    ),
                    "Use the id of one of the venues listed in venues, or remove the preference.",
                );
            }
            found
        })
        .collect();
    resolved.into_iter().collect()
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{DaySessions, PartyRole};
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// One mediator, one venue and one case in Camden; a week from Mon 14 Dec 2026.
    fn minimal_json() -> serde_json::Value {
        json!({
            "horizon": {"start": "2026-12-14", "end": "2026-12-18", "publication_date": "2026-12-07"},
            "mediators": [{
                "id": "M1", "name": "A Mediator", "home_area": "E09000007",
                "covers": ["E09000007", "E10000015"],
                "accreditation_expires": "2027-12-31", "register_expires": "2027-12-31",
                "insurance_expires": "2027-12-31", "dbs_expires": "2027-12-31",
                "max_sessions_per_day": 2, "max_sessions_per_week": 6
            }],
            "venues": [{
                "id": "V1", "name": "Camden Centre", "area": "E09000007",
                "lat": 51.54, "lon": -0.14, "rooms": 3
            }],
            "cases": [{
                "reference": "C-001", "la": "E09000007", "family_area": "E09000007",
                "clock_start": "2026-12-01",
                "parties": [{"role": "parent"}, {"role": "la"}],
                "preferred_mode": "in_person",
                "needs": {}
            }]
        })
    }

    fn minimal() -> ProblemInput {
        serde_json::from_value(minimal_json()).unwrap()
    }

    fn errors(input: &ProblemInput) -> Vec<Issue> {
        match validate(input) {
            Err(InputError::Invalid { errors, .. }) => errors,
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("expected validation errors"),
        }
    }

    fn codes(issues: &[Issue]) -> Vec<&'static str> {
        issues.iter().map(|i| i.code).collect()
    }

    fn day(date: &str, sessions: Option<&[&str]>) -> DaySessions {
        DaySessions {
            date: d(date),
            sessions: sessions.map(|s| s.iter().map(|x| x.to_string()).collect()),
        }
    }

    /// Template indices free for the mediator on horizon day `day`.
    fn free_templates(problem: &Problem, day: usize) -> Vec<&str> {
        let mediator = &problem.mediators[0];
        problem
            .templates
            .iter()
            .enumerate()
            .filter(|(t, _)| mediator.availability.is_free(day, *t))
            .map(|(_, t)| t.id.as_str())
            .collect()
    }

    #[test]
    fn minimal_valid_problem_builds() {
        let v = validate(&minimal()).unwrap();
        let p = &v.problem;
        assert!(v.warnings.is_empty(), "{:?}", v.warnings);
        assert_eq!(p.horizon.days.len(), 5);
        assert_eq!(p.horizon.days[4], d("2026-12-18"));
        assert_eq!(p.templates.len(), 3);
        assert_eq!(p.areas.len(), 45);
        assert!(p.covered_las.contains("E10000015"));
        assert_eq!(p.index.mediator["M1"], 0);
        assert_eq!(p.index.template["FULL"], 2);
        assert_eq!(p.mediators[0].home_area, p.index.area["E09000007"]);
        assert_eq!(p.cases[0].needs.rooms, 1);
        assert!(p.cases[0].accepted_modes.contains(&Mode::InPerson));
        assert!(p.calendar.is_bank_holiday(d("2026-12-25")));
        assert_eq!(p.mediators[0].availability.free, vec![0b111; 5]);
    }

    #[test]
    fn parse_problem_accepts_the_minimal_problem() {
        let text = minimal_json().to_string();
        assert!(parse_problem(&text).is_ok());
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let mut input = minimal();
        input.mediators[0].home_area = "E99999999".into();
        input.venues[0].rooms = 0;
        input.cases[0].needs.rooms = 4;
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1203", "E1403", "E1510"]);
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "/mediators/0/home_area",
                "/venues/0/rooms",
                "/cases/0/needs/rooms"
            ]
        );
    }

    #[test]
    fn malformed_json_gives_a_json_pointer_path() {
        let mut value = minimal_json();
        value["cases"][0]["la"] = json!(42);
        match parse_problem(&serde_json::to_string_pretty(&value).unwrap()) {
            Err(InputError::Malformed {
                path,
                line,
                column,
                message,
            }) => {
                assert_eq!(path, "/cases/0/la");
                assert!(line > 1 && column > 0);
                assert!(!message.contains(" at line "), "{message}");
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn unknown_field_is_malformed_at_its_parent() {
        let mut value = minimal_json();
        value["venues"][0]["colour"] = json!("blue");
        let Err(InputError::Malformed { path, message, .. }) = parse_problem(&value.to_string())
        else {
            panic!("expected Malformed");
        };
        assert!(path.starts_with("/venues/0"), "{path}");
        assert!(message.contains("colour"), "{message}");
    }

    #[test]
    fn garbage_text_is_malformed_without_panicking() {
        for text in ["", "{", "[]", "null", "{\"horizon\": 3}", "{} trailing"] {
            assert!(
                matches!(parse_problem(text), Err(InputError::Malformed { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn duplicate_mediator_ids_are_reported_with_both_paths() {
        let mut input = minimal();
        input.mediators.push(input.mediators[0].clone());
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1201"]);
        assert_eq!(errors[0].path, "/mediators/1/id");
        assert!(errors[0].message.contains("/mediators/0/id"));
        assert!(errors[0].message.contains("/mediators/1/id"));
    }

    #[test]
    fn empty_case_reference_is_an_error() {
        let mut input = minimal();
        input.cases[0].reference = " ".into();
        assert_eq!(codes(&errors(&input)), vec!["E1502"]);
    }

    #[test]
    fn unknown_home_area_points_to_the_areas_file() {
        let mut input = minimal();
        input.mediators[0].home_area = "Camden".into();
        let errors = errors(&input);
        assert_eq!(errors[0].code, "E1203");
        assert!(errors[0].hint.contains("fixtures/areas.csv"));
    }

    #[test]
    fn hertfordshire_la_given_as_an_area_says_to_use_a_district() {
        let mut input = minimal();
        input.cases[0].family_area = "E10000015".into();
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1505"]);
        assert!(errors[0].hint.contains("Hertfordshire County Council"));
        assert!(errors[0].hint.contains("E07000"));
    }

    #[test]
    fn hertfordshire_district_given_as_la_gets_the_specific_hint() {
        let mut input = minimal();
        input.cases[0].la = "E07000240".into();
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1503"]);
        assert_eq!(errors[0].path, "/cases/0/la");
        assert!(errors[0].message.contains("St Albans"));
        assert!(errors[0].hint.contains("E10000015"));
    }

    #[test]
    fn mediator_covering_a_district_gets_the_specific_hint() {
        let mut input = minimal();
        input.mediators[0].covers.push("E07000103".into());
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1204"]);
        assert_eq!(errors[0].path, "/mediators/0/covers/2");
        assert!(errors[0].hint.contains("Watford"));
        assert!(errors[0].hint.contains("E10000015"));
    }

    #[test]
    fn case_in_an_uncovered_la_is_an_error() {
        let mut input = minimal();
        input.covered_las = Some(vec!["E10000015".into()]);
        assert_eq!(codes(&errors(&input)), vec!["E1504"]);
    }

    #[test]
    fn am_and_pm_available_make_the_full_day_free() {
        let mut input = minimal();
        input.mediators[0].availability.available = Some(vec![
            day("2026-12-15", Some(&["AM", "PM"])),
            day("2026-12-16", Some(&["AM"])),
            day("2026-12-17", Some(&["AM"])),
            day("2026-12-17", Some(&["PM"])),
            day("2026-12-18", None),
        ]);
        let p = validate(&input).unwrap().problem;
        assert_eq!(free_templates(&p, 0), Vec::<&str>::new());
        assert_eq!(free_templates(&p, 1), vec!["AM", "PM", "FULL"]);
        assert_eq!(free_templates(&p, 2), vec!["AM"]);
        assert_eq!(free_templates(&p, 3), vec!["AM", "PM", "FULL"]);
        assert_eq!(free_templates(&p, 4), vec!["AM", "PM", "FULL"]);
    }

    #[test]
    fn pm_unavailable_blocks_the_full_day() {
        let mut input = minimal();
        input.mediators[0].availability.unavailable = vec![
            day("2026-12-14", Some(&["PM"])),
            day("2026-12-15", Some(&["FULL"])),
            day("2026-12-16", None),
        ];
        let p = validate(&input).unwrap().problem;
        assert_eq!(free_templates(&p, 0), vec!["AM"]);
        assert_eq!(free_templates(&p, 1), Vec::<&str>::new());
        assert_eq!(free_templates(&p, 2), Vec::<&str>::new());
        assert_eq!(free_templates(&p, 3), vec!["AM", "PM", "FULL"]);
    }

    #[test]
    fn unknown_session_id_in_availability_is_an_error() {
        let mut input = minimal();
        input.venues[0].availability.unavailable = vec![day("2026-12-14", Some(&["EVENING"]))];
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1011"]);
        assert_eq!(
            errors[0].path,
            "/venues/0/availability/unavailable/0/sessions/0"
        );
        assert!(errors[0].hint.contains("AM, PM, FULL"));
    }

    #[test]
    fn dates_outside_the_horizon_are_warnings_not_errors() {
        let mut input = minimal();
        input.mediators[0].availability.available = Some(vec![
            day("2026-12-01", None),
            day("2026-12-14", None),
            day("2027-02-01", Some(&["AM"])),
        ]);
        let v = validate(&input).unwrap();
        assert_eq!(codes(&v.warnings), vec!["W2002"]);
        assert_eq!(
            v.warnings[0].path,
            "/mediators/0/availability/available/0/date"
        );
        assert!(v.warnings[0].message.starts_with("2 availability entries"));
        assert_eq!(free_templates(&v.problem, 0), vec!["AM", "PM", "FULL"]);
    }

    #[test]
    fn mediator_never_available_is_a_warning() {
        let mut input = minimal();
        input.mediators[0].availability.available = Some(vec![]);
        let v = validate(&input).unwrap();
        assert_eq!(codes(&v.warnings), vec!["W2202"]);
    }

    #[test]
    fn required_party_never_available_is_an_error() {
        let mut input = minimal();
        input.cases[0].parties[1].availability.available = Some(vec![]);
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1509"]);
        assert_eq!(errors[0].path, "/cases/0/parties/1/availability");
        assert!(errors[0].hint.contains("mark the party not required"));
    }

    #[test]
    fn optional_party_never_available_is_fine() {
        let mut input = minimal();
        input.cases[0].parties.push(crate::input::PartyInput {
            role: PartyRole::School,
            required: false,
            availability: AvailabilityInput {
                available: Some(vec![]),
                unavailable: vec![],
            },
        });
        assert!(validate(&input).is_ok());
    }

    #[test]
    fn case_without_a_required_party_is_an_error() {
        let mut input = minimal();
        for party in &mut input.cases[0].parties {
            party.required = false;
        }
        assert_eq!(codes(&errors(&input)), vec!["E1508"]);
    }

    #[test]
    fn time_zone_other_than_london_is_an_error() {
        let mut input = minimal();
        input.time_zone = Some("UTC".into());
        assert_eq!(codes(&errors(&input)), vec!["E1001"]);
        input.time_zone = Some("Europe/London".into());
        assert!(validate(&input).is_ok());
    }

    #[test]
    fn horizon_ending_before_it_starts_is_one_error() {
        let mut input = minimal();
        input.horizon.end = d("2026-12-10");
        input.horizon.publication_date = d("2026-12-01");
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1002"]);
    }

    #[test]
    fn horizon_longer_than_a_year_is_an_error() {
        let mut input = minimal();
        input.horizon.end = NaiveDate::MAX;
        assert_eq!(codes(&errors(&input)), vec!["E1004"]);
    }

    #[test]
    fn publication_after_the_horizon_is_an_error() {
        let mut input = minimal();
        input.horizon.publication_date = d("2026-12-19");
        assert_eq!(codes(&errors(&input)), vec!["E1003"]);
    }

    #[test]
    fn clock_start_after_the_horizon_is_an_error() {
        let mut input = minimal();
        input.cases[0].clock_start = d("2026-12-19");
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1506"]);
        assert!(errors[0]
            .message
            .contains("cannot have agreed mediation after the roster"));
    }

    #[test]
    fn templates_are_checked() {
        let mut input = minimal();
        let mut templates = default_templates();
        templates[1].end = templates[1].start;
        templates.push(templates[0].clone());
        input.session_templates = Some(templates);
        assert_eq!(codes(&errors(&input)), vec!["E1007", "E1006"]);
        input.session_templates = Some(vec![]);
        assert_eq!(codes(&errors(&input)), vec!["E1005"]);
        input.session_templates = Some(vec![default_templates()[2].clone()]);
        assert_eq!(codes(&errors(&input)), vec!["E1009"]);
    }

    #[test]
    fn too_many_templates_is_an_error_without_panicking() {
        let mut input = minimal();
        let template = &default_templates()[0];
        let many = (0..40)
            .map(|i| SessionTemplateInput {
                id: format!("T{i}"),
                ..template.clone()
            })
            .collect();
        input.session_templates = Some(many);
        input.mediators[0].availability.unavailable = vec![day("2026-12-14", Some(&["T39"]))];
        assert_eq!(codes(&errors(&input)), vec!["E1008"]);
    }

    #[test]
    fn lapsed_credentials_are_a_warning() {
        let mut input = minimal();
        input.mediators[0].dbs_expires = d("2026-12-13");
        let v = validate(&input).unwrap();
        assert_eq!(codes(&v.warnings), vec!["W2203"]);
        assert_eq!(v.warnings[0].path, "/mediators/0/dbs_expires");
    }

    #[test]
    fn zero_caps_are_errors_and_an_unreachable_day_cap_a_warning() {
        let mut input = minimal();
        input.mediators[0].max_sessions_per_day = 0;
        input.mediators[0].max_sessions_per_week = 0;
        assert_eq!(codes(&errors(&input)), vec!["E1205", "E1206"]);
        input.mediators[0].max_sessions_per_day = 4;
        input.mediators[0].max_sessions_per_week = 4;
        assert_eq!(codes(&validate(&input).unwrap().warnings), vec!["W2201"]);
    }

    #[test]
    fn venue_numbers_are_checked() {
        let mut input = minimal();
        input.venues[0].cost_per_session = f64::NAN;
        input.venues[0].lat = 91.0;
        input.venues[0].lon = f64::INFINITY;
        input.venues[0].area = "E09000099".into();
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1402", "E1404", "E1405", "E1405"]);
    }

    #[test]
    fn unknown_preferences_are_errors() {
        let mut input = minimal();
        input.cases[0].preferred_areas = vec!["E09000007".into(), "nowhere".into()];
        input.cases[0].preferred_venues = vec!["V9".into()];
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1511", "E1512"]);
        assert_eq!(errors[0].path, "/cases/0/preferred_areas/1");
    }

    #[test]
    fn language_nobody_speaks_is_a_warning_and_english_is_no_need() {
        let mut input = minimal();
        input.cases[0].needs.language = Some(" BSL".into());
        let v = validate(&input).unwrap();
        assert_eq!(codes(&v.warnings), vec!["W2501"]);
        assert_eq!(v.problem.cases[0].needs.language.as_deref(), Some("bsl"));

        input.mediators[0].languages = vec!["bsl".into()];
        assert!(validate(&input).unwrap().warnings.is_empty());

        input.cases[0].needs.language = Some("English".into());
        let v = validate(&input).unwrap();
        assert_eq!(v.problem.cases[0].needs.language, None);
    }

    #[test]
    fn interpreter_without_languages_is_an_error() {
        let mut input = minimal();
        input.interpreters.push(InterpreterInput {
            id: "I1".into(),
            languages: vec![" ".into()],
            availability: AvailabilityInput::default(),
        });
        assert_eq!(codes(&errors(&input)), vec!["E1302"]);
    }

    #[test]
    fn duplicate_areas_and_bad_covered_las_are_reported() {
        let mut input = minimal();
        let mut areas = default_areas();
        areas.push(areas[0].clone());
        input.areas = Some(areas);
        input.covered_las = Some(vec!["E09000007".into(), "E07000095".into()]);
        let errors = errors(&input);
        assert_eq!(codes(&errors), vec!["E1101", "E1103"]);
        assert_eq!(errors[0].path, "/areas/45/gss_code");
        assert!(errors[1].hint.contains("E10000015"));
    }

    #[test]
    fn horizon_beyond_the_default_bank_holidays_is_a_warning() {
        let mut input = minimal();
        input.horizon = HorizonInput {
            start: d("2028-01-10"),
            end: d("2028-01-14"),
            publication_date: d("2028-01-03"),
        };
        input.cases[0].clock_start = d("2028-01-01");
        input.mediators[0].accreditation_expires = d("2028-12-31");
        input.mediators[0].register_expires = d("2028-12-31");
        input.mediators[0].insurance_expires = d("2028-12-31");
        input.mediators[0].dbs_expires = d("2028-12-31");
        let v = validate(&input).unwrap();
        assert_eq!(codes(&v.warnings), vec!["W2001"]);
    }

    #[test]
    fn default_areas_are_the_45_areas_of_the_fixture() {
        let areas = default_areas();
        assert_eq!(areas.len(), 45);
        let herts = areas.iter().filter(|a| a.la_code == "E10000015").count();
        assert_eq!(herts, 10);
        let watford = areas.iter().find(|a| a.name == "Watford").unwrap();
        assert_eq!(watford.gss_code, "E07000103");
        assert_eq!(watford.la_name, "Hertfordshire County Council");
    }

    #[test]
    fn default_templates_are_am_pm_and_full() {
        let t = default_templates();
        let ids: Vec<&str> = t.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, vec!["AM", "PM", "FULL"]);
        assert!(t[2].full_day && !t[0].full_day);
        assert_eq!(t[1].end, NaiveTime::from_hms_opt(17, 0, 0).unwrap());
    }

    #[test]
    fn issues_serialise_with_snake_case_severity() {
        let issue = issue("E1001", Severity::Error, "/time_zone", "m", "h");
        let value = serde_json::to_value(&issue).unwrap();
        assert_eq!(value["severity"], "error");
        assert_eq!(value["code"], "E1001");
    }
}
