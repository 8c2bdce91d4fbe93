//! Venues: ids, area, rooms, cost, position and availability.

use std::collections::HashMap;

use super::{check_position, collect_all, index_ids, Code, Ctx, IdRule, Report};
use crate::input::VenueInput;
use crate::model;

/// The most a venue may cost per session, in pounds: far above any real room hire, and low
/// enough that a meeting's cost in objective units cannot overflow (a fuzzed venue at
/// 10³⁰⁸ pounds overflowed the sum of a placement's terms).
const MAX_COST_PER_SESSION: f64 = 100_000.0;

pub(super) fn build_venues(
    ctx: &Ctx,
    input: &[VenueInput],
    r: &mut Report,
) -> (Option<Vec<model::Venue>>, HashMap<String, usize>) {
    let rule = IdRule {
        collection: "venues",
        field: "id",
        noun: "venue",
        empty_code: Code::E1406,
        duplicate_code: Code::E1401,
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
        Code::E1402,
        &format!("venue \"{}\" area", v.id),
        r,
    );
    if v.rooms == 0 {
        r.add(
            Code::E1403,
            format!("{path}/rooms"),
            format!("venue \"{}\" has no rooms", v.id),
            "Give the rooms bookable at once (a meeting needs 1 to 3), or leave the venue out.",
        );
    }
    if !(0.0..=MAX_COST_PER_SESSION).contains(&v.cost_per_session) {
        r.add(
            Code::E1404,
            format!("{path}/cost_per_session"),
            if v.cost_per_session > MAX_COST_PER_SESSION {
                format!(
                    "venue \"{}\" costs {:e} per session, more than 100,000",
                    v.id, v.cost_per_session
                )
            } else {
                format!(
                    "venue \"{}\" costs {} per session",
                    v.id, v.cost_per_session
                )
            },
            "Give the price in pounds per session booked, from 0 to 100,000.",
        );
    }
    check_position(v.lat, v.lon, &path, Code::E1405, r);
    let availability = ctx.availability(&v.availability, &format!("{path}/availability"), r);
    if ctx.is_never_free(&availability) {
        r.add(
            Code::W2401,
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
