//! Every issue code the validator emits, with its one-line meaning.
//!
//! Codes are public (the command line, the HTTP API and callers match on them), so a code
//! keeps its spelling for ever and a retired code is never reused ([`RETIRED`]). The scheme:
//! `E1xxx` errors stop the roster, `W2xxx` warnings are reported beside it; the second digit
//! is the group (`0` horizon, templates and calendar; `1` areas and LAs; `2` mediators;
//! `3` interpreters; `4` venues; `5` cases) and the last two count within the group.
//!
//! The code table of `docs/input-format.md` is generated from [`Code`] ([`markdown_table`]);
//! a unit test fails, printing the expected text, when the two differ.

use super::Severity;

macro_rules! codes {
    ($($code:ident => $meaning:literal,)*) => {
        /// An issue code of the validator. Its documentation is its meaning, as in the table
        /// of `docs/input-format.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $meaning]
                $code,
            )*
        }

        impl Code {
            /// Every code, in the order of the documentation's table.
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The code as it appears in an [`super::Issue`], e.g. `"E1203"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// What the code means, in one line (Markdown).
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(Code::$code => $meaning,)*
                }
            }
        }
    };
}

codes! {
    E1001 => "`time_zone` is given and is not `Europe/London`",
    E1002 => "the horizon ends before it starts",
    E1003 => "`publication_date` is after the horizon's end",
    E1004 => "the horizon is longer than 366 days",
    E1005 => "`session_templates` is an empty list",
    E1006 => "two session templates share an id",
    E1007 => "a session template does not end after it starts",
    E1008 => "more than 32 session templates",
    E1009 => "no half-day session template (every template is `full_day`)",
    E1010 => "a session template has an empty id",
    E1011 => "an availability entry names a session id that is not a template id",
    E1012 => "a `travel` setting is not a positive, finite number, or `venue_shortlist` is 0",
    E1013 => "a date is outside the supported range 2000-01-01 to 2199-12-31 (a horizon end that is out of range only because the horizon is longer than 366 days is E1004 instead)",
    E1101 => "two areas share a `gss_code`",
    E1102 => "an area's `lat`/`lon` is out of range or not finite",
    E1103 => "`covered_las` names an LA that no area belongs to",
    E1104 => "`areas` is an empty list",
    E1105 => "an area has an empty `gss_code` or `la_code`",
    E1201 => "two mediators share an id",
    E1202 => "a mediator has an empty id",
    E1203 => "a mediator's `home_area` is not an area's `gss_code`",
    E1204 => "a mediator `covers` an LA that no area belongs to",
    E1205 => "a mediator's `max_sessions_per_day` is 0",
    E1206 => "a mediator's `max_sessions_per_week` is 0",
    E1207 => "a mediator's conflict has an empty id",
    E1301 => "two interpreters share an id",
    E1302 => "an interpreter has no language besides English",
    E1303 => "an interpreter has an empty id",
    E1401 => "two venues share an id",
    E1402 => "a venue's `area` is not an area's `gss_code`",
    E1403 => "a venue has 0 rooms",
    E1404 => "a venue's `cost_per_session` is negative, not finite or above 100,000",
    E1405 => "a venue's `lat`/`lon` is out of range or not finite",
    E1406 => "a venue has an empty id",
    E1501 => "two cases share a reference",
    E1502 => "a case has an empty reference",
    E1503 => "a case's `la` is not the `la_code` of any area",
    E1505 => "a case's `family_area` is not an area's `gss_code`",
    E1511 => "a case's `preferred_areas` names an unknown area",
    E1512 => "a case's `preferred_venues` names an unknown venue",
    W2001 => "a year of the horizon has no bank holiday in the calendar (the defaults cover 2026–2027)",
    W2002 => "availability entries dated outside the horizon (they are ignored)",
    W2201 => "a mediator's `max_sessions_per_day` exceeds the number of session templates",
    W2202 => "a mediator is never available in the horizon",
    W2203 => "a mediator's credential lapses before the horizon starts (no meeting possible)",
    W2204 => "a mediator covers no LA",
    W2301 => "an interpreter is never available in the horizon",
    W2401 => "a venue is never available in the horizon",
    W2501 => "a case needs a language that no mediator speaks and no interpreter offers",
    W2502 => "a case accepts only in-person meetings but no venue meets its needs",
    W2503 => "case-level: a required party of a case is never available in the horizon; the other cases are rostered and this one is reported not held (`parties_available`)",
    W2504 => "case-level: a case needs a full day but no session template is `full_day`; the other cases are rostered and this one is reported not held (`session_length`)",
    W2505 => "the problem has no cases: the roster is empty",
    W2506 => "case-level: a case's `la` is not in `covered_las`; the other cases are rostered and this one is reported not held (`case_data`)",
    W2507 => "case-level: a case's `clock_start` is after the horizon's end; the other cases are rostered and this one is reported not held (`case_data`)",
    W2508 => "case-level: a case has no parties; the other cases are rostered and this one is reported not held (`case_data`)",
    W2509 => "case-level: a case has no required party; the other cases are rostered and this one is reported not held (`case_data`)",
    W2510 => "case-level: a case needs 0 rooms or more than 3; the other cases are rostered and this one is reported not held (`case_data`)",
    W2511 => "case-level: a case's `health.icb` is empty; the other cases are rostered and this one is reported not held (`case_data`)",
}

/// Codes no longer emitted, each with the code that replaced it. Never reuse one.
pub const RETIRED: &[(&str, Code)] = &[
    ("E1504", Code::W2506),
    ("E1506", Code::W2507),
    ("E1507", Code::W2508),
    ("E1508", Code::W2509),
    ("E1509", Code::W2503),
    ("E1510", Code::W2510),
    ("E1513", Code::W2511),
    ("E1514", Code::W2504),
];

impl Code {
    /// `E…` codes are errors, `W…` codes warnings.
    pub fn severity(self) -> Severity {
        match self.as_str().starts_with('E') {
            true => Severity::Error,
            false => Severity::Warning,
        }
    }

    /// The code spelled `code`, if the validator emits it.
    pub fn parse(code: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The code tables of `docs/input-format.md`: every code with its meaning, then the retired
/// codes with their replacements.
pub fn markdown_table() -> String {
    let mut out = String::from("| Code | Meaning |\n|---|---|\n");
    for code in Code::ALL {
        out.push_str(&format!("| {code} | {} |\n", code.meaning()));
    }
    out.push_str("\nRetired codes (never reused):\n\n| Code | Now |\n|---|---|\n");
    for (old, now) in RETIRED {
        out.push_str(&format!("| {old} | {now}, a warning |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/input-format.md");
    const BEGIN: &str = "<!-- BEGIN validation codes: generated from solver/src/validate/codes.rs; do not edit by hand -->";
    const END: &str = "<!-- END validation codes -->";

    #[test]
    fn the_docs_table_is_generated_from_the_enum() {
        let docs = std::fs::read_to_string(DOCS).expect("docs/input-format.md is readable");
        let expected = markdown_table();
        let between = docs
            .split_once(BEGIN)
            .and_then(|(_, rest)| rest.split_once(END))
            .map(|(table, _)| table.trim());
        if between != Some(expected.trim()) {
            panic!(
                "docs/input-format.md's code table differs from solver/src/validate/codes.rs; \
                 put this between the lines\n{BEGIN}\nand\n{END}\n\n{expected}"
            );
        }
    }

    #[test]
    fn codes_follow_the_scheme() {
        for code in Code::ALL {
            let s = code.as_str();
            assert_eq!(s.len(), 5, "{s}");
            match code.severity() {
                Severity::Error => assert!(s.starts_with("E1"), "{s}"),
                Severity::Warning => assert!(s.starts_with("W2"), "{s}"),
            }
            assert!(s[1..].bytes().all(|b| b.is_ascii_digit()), "{s}");
            assert!(matches!(s.as_bytes()[2], b'0'..=b'5'), "{s}: group 0–5");
            assert_eq!(Code::parse(s), Some(*code));
            assert!(
                !code.meaning().contains('|'),
                "{s}: a pipe breaks the table"
            );
        }
        let listed: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, listed, "codes are listed once, in order");
    }

    #[test]
    fn retired_codes_are_never_reused() {
        for (old, _) in RETIRED {
            assert_eq!(Code::parse(old), None, "{old} is retired");
        }
    }
}
