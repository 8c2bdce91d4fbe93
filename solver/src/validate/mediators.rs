//! Mediators: ids, home area, covered LAs, caps, credentials, conflicts and availability.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{collect_all, index_ids, normalise_languages, Code, Ctx, IdRule, Report};
use crate::input::MediatorInput;
use crate::model;

pub(super) fn build_mediators(
    ctx: &Ctx,
    input: &[MediatorInput],
    r: &mut Report,
) -> (Option<Vec<model::Mediator>>, HashMap<String, usize>) {
    let rule = IdRule {
        collection: "mediators",
        field: "id",
        noun: "mediator",
        empty_code: Code::E1202,
        duplicate_code: Code::E1201,
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
        Code::E1203,
        &format!("mediator \"{}\" home_area", m.id),
        r,
    );
    check_mediator_covers(ctx, m, &path, r);
    check_mediator_caps(ctx, m, &path, r);
    check_mediator_credentials(ctx, m, &path, r);
    for (k, conflict) in m.conflicts.iter().enumerate() {
        if conflict.id.trim().is_empty() {
            r.add(
                Code::E1207,
                format!("{path}/conflicts/{k}/id"),
                format!("mediator \"{}\" declares a conflict with an empty id", m.id),
                "Give the LA's GSS code, the ICB code, the school id or the case reference the conflict is with.",
            );
        }
    }
    let availability = ctx.availability(&m.availability, &format!("{path}/availability"), r);
    if ctx.is_never_free(&availability) {
        r.add(
            Code::W2202,
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
        r.add(
            Code::W2204,
            format!("{path}/covers"),
            format!("mediator \"{}\" covers no LA and can take no case", m.id),
            "List the GSS codes of the LAs whose cases the mediator may take.",
        );
    }
    let what = format!("mediator \"{}\" covers", m.id);
    for (k, la) in m.covers.iter().enumerate() {
        ctx.check_la(la, &format!("{path}/covers/{k}"), Code::E1204, &what, r);
    }
}

fn check_mediator_caps(ctx: &Ctx, m: &MediatorInput, path: &str, r: &mut Report) {
    let caps = [
        ("max_sessions_per_day", m.max_sessions_per_day, Code::E1205),
        (
            "max_sessions_per_week",
            m.max_sessions_per_week,
            Code::E1206,
        ),
    ];
    for (field, value, code) in caps {
        if value == 0 {
            r.add(
                code,
                format!("{path}/{field}"),
                format!("mediator \"{}\" has {field} 0 and could take no meeting", m.id),
                "Give at least 1, or leave the mediator out of this roster (a full day counts as 2 sessions).",
            );
        }
    }
    let templates = ctx.templates.len();
    if m.max_sessions_per_day as usize > templates {
        r.add(
            Code::W2201,
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
    r.add(
        Code::W2203,
        format!("{path}/{first}"),
        format!(
            "mediator \"{}\" has credentials that lapse before the horizon starts on {start} ({}): they can take no meeting",
            m.id,
            list.join(", ")
        ),
        "Update the expiry dates if the credentials were renewed (an expiry date is the last valid day).",
    );
}
