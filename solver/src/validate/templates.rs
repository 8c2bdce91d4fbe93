//! Session templates: the defaults, and the checks of a given list.

use std::collections::HashMap;

use chrono::NaiveTime;

use super::{index_ids, Code, IdRule, Report};
use crate::input::SessionTemplateInput;
use crate::model;

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

pub(super) fn build_templates(
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
        empty_code: Code::E1010,
        duplicate_code: Code::E1006,
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
        r.add(
            Code::E1005,
            "/session_templates",
            "session_templates is empty: no meeting could be held",
            "Leave session_templates out for the defaults (AM 09:30–13:00, PM 13:30–17:00, FULL 09:30–17:00) or list at least one half-day session.",
        );
        return;
    }
    if list.len() > model::MAX_TEMPLATES {
        r.add(
            Code::E1008,
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
            r.add(
                Code::E1007,
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
        r.add(
            Code::E1009,
            "/session_templates",
            "every session template is full_day: half-day cases could never be held",
            "Add a half-day template such as {\"id\": \"AM\", \"start\": \"09:30:00\", \"end\": \"13:00:00\"}.",
        );
    }
}
