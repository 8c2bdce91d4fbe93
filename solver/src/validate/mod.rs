//! Turns a [`ProblemInput`] (the JSON document as it arrives) into a trusted
//! [`model::Problem`], or reports every problem found, all at once.
//!
//! Each [`Issue`] carries a stable code ([`Code`]: its meaning, the scheme, and the retired
//! codes), a JSON pointer (RFC 6901) to the offending value, a message saying what is wrong
//! and a hint saying how to fix it. Errors stop the problem from being built; warnings are
//! returned beside it (or beside the errors).
//!
//! Only structural problems are errors: a document that cannot be read as a problem, ids
//! that are empty, shared or name nothing, an impossible horizon or calendar, a setting no
//! meeting could use. A case whose own data means it cannot be held is a warning: the other
//! cases are rostered and that case is reported not held with a rule's reason. Either the
//! rules already explain it (a required party never available, W2503; a full-day case
//! without a full-day template, W2504), or its data is incomplete or inconsistent (W2506 to
//! W2511): validation then records the warning's code in [`model::Case::data_problem`] and
//! the rule `case_data` rules the case out. A problem without cases is valid, with warning
//! W2505.
//!
//! Checks that depend on the horizon's dates (availability outside the horizon, "never
//! available", lapsed credentials) run only when the horizon itself is sound, so one bad date
//! does not bury the report under consequences of it.
//!
//! One file per part of the document: `horizon.rs` (time zone, travel, dates, horizon and
//! calendar), `templates.rs`, `areas.rs` (areas, LAs and the default areas),
//! `availability.rs` (how an availability object becomes free sessions), `mediators.rs`,
//! `interpreters.rs`, `venues.rs` and `cases.rs`; [`codes`] lists every code; this module
//! holds the entry points and what they share.

mod areas;
mod availability;
mod cases;
pub mod codes;
mod horizon;
mod interpreters;
mod mediators;
mod templates;
#[cfg(test)]
mod tests;
mod venues;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

pub use self::areas::{default_area_rows, default_areas, parse_areas_csv, AreaRow};
pub use self::codes::Code;
pub use self::templates::default_templates;
use crate::input::ProblemInput;
use crate::model::{self, Availability, Problem};

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
    /// Stable code: `E1xxx` for errors, `W2xxx` for warnings ([`Code::as_str`]; see
    /// [`Code`] for their meanings).
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
    horizon::check_time_zone(input.time_zone.as_deref(), &mut r);
    horizon::check_travel(&input.travel, &mut r);
    horizon::check_date_range(input, &mut r);
    let (horizon, horizon_ok) = horizon::build_horizon(&input.horizon, &mut r);
    let calendar =
        horizon::build_calendar(input.bank_holidays.as_deref(), &horizon, horizon_ok, &mut r);
    let (templates, template_index) =
        templates::build_templates(input.session_templates.as_deref(), &mut r);
    let (areas, area_index) = areas::build_areas(input.areas.as_deref(), &mut r);
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
    ctx.covered_las = areas::build_covered_las(&ctx, input.covered_las.as_deref(), &mut r);

    let (mediators, mediator_index) = mediators::build_mediators(&ctx, &input.mediators, &mut r);
    let (interpreters, interpreter_index) =
        interpreters::build_interpreters(&ctx, &input.interpreters, &mut r);
    let (venues, venue_index) = venues::build_venues(&ctx, &input.venues, &mut r);
    let others = cases::Others {
        venue_index: &venue_index,
        venues: &input.venues,
        languages: cases::spoken_languages(&input.mediators, &input.interpreters),
    };
    let (cases, case_index) = cases::build_cases(&ctx, &others, &input.cases, &mut r);

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
    /// Records an issue: an error or a warning as its code says.
    fn add(
        &mut self,
        code: Code,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let issue = issue(code, path, message, hint);
        match issue.severity {
            Severity::Error => self.errors.push(issue),
            Severity::Warning => self.warnings.push(issue),
        }
    }

    fn into_error(self) -> InputError {
        InputError::Invalid {
            errors: self.errors,
            warnings: self.warnings,
        }
    }
}

fn issue(
    code: Code,
    path: impl Into<String>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Issue {
    Issue {
        code: code.as_str(),
        severity: code.severity(),
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
    empty_code: Code,
    duplicate_code: Code,
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
            r.add(
                rule.empty_code,
                path,
                format!("{} {i} has an empty {}", rule.noun, rule.field),
                format!("Give every {} a non-empty {}.", rule.noun, rule.field),
            );
        } else if let Some(first) = index.get(id) {
            let first_path = format!("/{}/{first}/{}", rule.collection, rule.field);
            r.add(
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

fn check_position(lat: f64, lon: f64, path: &str, code: Code, r: &mut Report) {
    let coordinates = [("lat", lat, 90.0), ("lon", lon, 180.0)];
    for (field, value, limit) in coordinates {
        if !value.is_finite() || value.abs() > limit {
            r.add(
                code,
                format!("{path}/{field}"),
                format!("{field} {value} is not a valid coordinate"),
                format!("Give decimal degrees (WGS84) between -{limit} and {limit}; London is about lat 51.5, lon -0.1."),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Shared lookups
// ---------------------------------------------------------------------------------------

/// What every entity needs to resolve ids and expand availability (`availability.rs`).
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
        error: Code,
        what: &str,
        r: &mut Report,
    ) -> Option<model::AreaIdx> {
        if let Some(&idx) = self.area_index.get(code) {
            return Some(idx);
        }
        r.add(
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
    fn check_la(&self, la: &str, path: &str, error: Code, what: &str, r: &mut Report) -> bool {
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
        r.add(error, path, message, self.unknown_la_hint(la));
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
