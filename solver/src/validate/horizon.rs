//! The time zone, travel settings, the range of every date, the horizon and the calendar.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::{date_in_range, Code, Report, MAX_DATE, MIN_DATE};
use crate::calendar::Calendar;
use crate::input::{AvailabilityInput, HorizonInput, ProblemInput, TravelConfig};
use crate::model;

const LONDON: &str = "Europe/London";
const MAX_HORIZON_DAYS: i64 = 366;

pub(super) fn check_time_zone(time_zone: Option<&str>, r: &mut Report) {
    match time_zone {
        Some(tz) if tz != LONDON => r.add(
            Code::E1001,
            "/time_zone",
            format!("time_zone \"{tz}\" is not supported: every meeting happens in {LONDON}"),
            format!("Set time_zone to \"{LONDON}\" or leave it out."),
        ),
        _ => {}
    }
}

pub(super) fn check_travel(travel: &TravelConfig, r: &mut Report) {
    let settings = [
        ("road_factor", travel.road_factor, false),
        ("speed_kmh", travel.speed_kmh, false),
        ("max_family_travel_km", travel.max_family_travel_km, true),
    ];
    for (field, value, zero_ok) in settings {
        let ok = value.is_finite() && (value > 0.0 || (zero_ok && value == 0.0));
        if !ok {
            r.add(
                Code::E1012,
                format!("/travel/{field}"),
                format!("travel {field} is {value}, which is not a usable number"),
                "Give a positive number, or leave travel out for the defaults (road_factor 1.3, speed_kmh 30, max_family_travel_km 40).",
            );
        }
    }
    if travel.venue_shortlist == 0 {
        r.add(
            Code::E1012,
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
pub(super) fn check_date_range(input: &ProblemInput, r: &mut Report) {
    let h = &input.horizon;
    let too_long = date_in_range(h.start) && (h.end - h.start).num_days() + 1 > MAX_HORIZON_DAYS;
    for (path, date) in input_dates(input) {
        if too_long && path == "/horizon/end" {
            continue;
        }
        if !date_in_range(date) {
            r.add(
                Code::E1013,
                path,
                format!("{date} is outside the supported dates {MIN_DATE} to {MAX_DATE}"),
                format!("Give a date from {MIN_DATE} to {MAX_DATE}; check the year."),
            );
        }
    }
}

/// The horizon, and whether it is sound enough for date-dependent checks. An unsound
/// horizon has no days, so nothing is allocated for a horizon of a million years.
pub(super) fn build_horizon(h: &HorizonInput, r: &mut Report) -> (model::Horizon, bool) {
    // Dates out of range are reported by `check_date_range` (E1013).
    let mut ok = [h.start, h.end, h.publication_date]
        .into_iter()
        .all(date_in_range);
    if h.end < h.start {
        ok = false;
        r.add(
            Code::E1002,
            "/horizon/end",
            format!(
                "the horizon ends on {} before it starts on {}",
                h.end, h.start
            ),
            "Swap start and end, or correct the dates: both are inclusive.",
        );
    } else if (h.end - h.start).num_days() + 1 > MAX_HORIZON_DAYS {
        ok = false;
        r.add(
            Code::E1004,
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
        r.add(
            Code::E1003,
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

pub(super) fn build_calendar(
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
            r.add(
                Code::W2001,
                "/bank_holidays",
                format!("{source} has no bank holiday in {year}, which the horizon covers"),
                format!("List the England and Wales bank holidays of {year} in bank_holidays (see gov.uk/bank-holidays), or working days will include them."),
            );
        }
    }
    calendar
}
