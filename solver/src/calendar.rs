//! Working days, the statutory clock and Europe/London instants.
//!
//! Bank holidays are data (a proclamation can move them), so a [`Calendar`] is built from a
//! list; [`Calendar::england_and_wales`] ships the 2026–2027 defaults from
//! `fixtures/bank-holidays-england-wales.csv`.
//!
//! Date arithmetic never panics: a date that would fall past the end of chrono's range
//! saturates at [`NaiveDate::MAX`] (before its start, at [`NaiveDate::MIN`]), so a deadline
//! "after the end of time" stays after every real date. Validation keeps every date of a
//! problem within [`crate::validate::MIN_DATE`]..=[`crate::validate::MAX_DATE`], far from either end, so
//! a validated problem never saturates.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::{Europe::London, Tz};

const DEFAULT_BANK_HOLIDAYS: &str = include_str!("../data/bank-holidays-england-wales.csv");

/// Calendar days from the clock start to day 30 (the clock-start day is day 0).
pub const STATUTORY_DAYS: u64 = 30;
/// Working days of notice the parent must be given before the meeting.
pub const NOTICE_WORKING_DAYS: u32 = 5;
/// Working days the mediator has to issue the certificate after the meeting.
pub const CERTIFICATE_WORKING_DAYS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    bank_holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn new(bank_holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            bank_holidays: bank_holidays.into_iter().collect(),
        }
    }

    /// England and Wales bank holidays for 2026 and 2027.
    pub fn england_and_wales() -> Self {
        Self::new(default_bank_holidays())
    }

    pub fn bank_holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.bank_holidays.iter().copied()
    }

    pub fn is_bank_holiday(&self, date: NaiveDate) -> bool {
        self.bank_holidays.contains(&date)
    }

    /// Neither a Saturday, a Sunday nor a bank holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_bank_holiday(date)
    }

    /// The `n`th working day strictly after `date` (`n = 0` gives `date` itself); saturates
    /// at [`NaiveDate::MAX`].
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            let Some(next) = day.succ_opt() else {
                return NaiveDate::MAX;
            };
            day = next;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The last working day on or before `date`; saturates at [`NaiveDate::MIN`].
    pub fn working_day_on_or_before(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        while !self.is_working_day(day) {
            let Some(previous) = day.pred_opt() else {
                return NaiveDate::MIN;
            };
            day = previous;
        }
        day
    }

    /// Working days in the half-open range `(from, to]`: how many working days lie after
    /// `from` up to and including `to`. Zero when `to <= from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }

    /// Day 30 of the statutory clock: 30 calendar days after the clock starts; saturates at
    /// [`NaiveDate::MAX`].
    pub fn day_30(&self, clock_start: NaiveDate) -> NaiveDate {
        clock_start
            .checked_add_days(Days::new(STATUTORY_DAYS))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The last day a meeting can be held and still meet day 30: the last working day on or
    /// before day 30.
    pub fn meeting_deadline(&self, clock_start: NaiveDate) -> NaiveDate {
        self.working_day_on_or_before(self.day_30(clock_start))
    }

    /// The earliest meeting date for a roster published on `publication`: the 5th working day
    /// after it, or the next working day when the parent accepted short notice.
    pub fn earliest_meeting_date(
        &self,
        publication: NaiveDate,
        short_notice_ok: bool,
    ) -> NaiveDate {
        let n = if short_notice_ok {
            1
        } else {
            NOTICE_WORKING_DAYS
        };
        self.add_working_days(publication, n)
    }

    /// The day the mediator's certificate is due: 3 working days after the meeting.
    pub fn certificate_due(&self, meeting: NaiveDate) -> NaiveDate {
        self.add_working_days(meeting, CERTIFICATE_WORKING_DAYS)
    }
}

fn default_bank_holidays() -> Vec<NaiveDate> {
    DEFAULT_BANK_HOLIDAYS
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .filter_map(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .collect()
}

/// The Europe/London instant of a wall-clock time on a date. Meetings start at half past
/// the hour, never inside the 01:00–02:00 transition, but a gap is resolved forwards and an
/// ambiguity to the earlier instant rather than failing.
pub fn london_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Tz> {
    let naive = date.and_time(time);
    match London.from_local_datetime(&naive) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(early, _) => early,
        LocalResult::None => naive
            .checked_add_signed(chrono::Duration::hours(1))
            .and_then(|later| London.from_local_datetime(&later).earliest())
            .unwrap_or_else(|| London.from_utc_datetime(&naive)),
    }
}

/// ISO week of a date as (ISO year, week number).
pub fn iso_week(date: NaiveDate) -> (i32, u32) {
    let w = date.iso_week();
    (w.year(), w.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn default_calendar_has_sixteen_bank_holidays() {
        let cal = Calendar::england_and_wales();
        assert_eq!(cal.bank_holidays().count(), 16);
        assert!(cal.is_bank_holiday(d("2026-12-28")));
        assert!(cal.is_bank_holiday(d("2027-03-29")));
    }

    #[test]
    fn weekends_and_bank_holidays_are_not_working_days() {
        let cal = Calendar::england_and_wales();
        assert!(!cal.is_working_day(d("2026-12-25")));
        assert!(!cal.is_working_day(d("2026-12-26")));
        assert!(!cal.is_working_day(d("2026-12-27")));
        assert!(!cal.is_working_day(d("2026-12-28")));
        assert!(cal.is_working_day(d("2026-12-29")));
    }

    #[test]
    fn worked_example_request_on_10_december_must_meet_by_8_january() {
        let cal = Calendar::england_and_wales();
        let start = d("2026-12-10");
        assert_eq!(cal.day_30(start), d("2027-01-09"));
        assert_eq!(cal.meeting_deadline(start), d("2027-01-08"));
        assert_eq!(cal.working_days_between(start, d("2027-01-08")), 18);
    }

    #[test]
    fn deadline_on_a_bank_holiday_weekend_moves_back_to_the_thursday() {
        let cal = Calendar::england_and_wales();
        // Day 30 is Mon 29 Mar 2027 (Easter Monday); Fri 26 Mar is Good Friday.
        let start = d("2027-02-27");
        assert_eq!(cal.day_30(start), d("2027-03-29"));
        assert_eq!(cal.meeting_deadline(start), d("2027-03-25"));
    }

    #[test]
    fn publication_on_monday_7_december_allows_meetings_from_monday_14th() {
        let cal = Calendar::england_and_wales();
        assert_eq!(
            cal.earliest_meeting_date(d("2026-12-07"), false),
            d("2026-12-14")
        );
        assert_eq!(
            cal.earliest_meeting_date(d("2026-12-07"), true),
            d("2026-12-08")
        );
    }

    #[test]
    fn notice_counts_only_working_days_over_christmas() {
        let cal = Calendar::england_and_wales();
        // Published Wed 23 Dec: 24, 29, 30, 31 Dec, 4 Jan.
        assert_eq!(
            cal.earliest_meeting_date(d("2026-12-23"), false),
            d("2027-01-04")
        );
    }

    #[test]
    fn certificate_for_christmas_eve_meeting_is_due_31_december() {
        let cal = Calendar::england_and_wales();
        assert_eq!(cal.certificate_due(d("2026-12-24")), d("2026-12-31"));
    }

    #[test]
    fn half_past_nine_is_gmt_before_the_clocks_change_and_bst_after() {
        let nine_thirty = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
        let before = london_instant(d("2027-03-25"), nine_thirty);
        let after = london_instant(d("2027-03-30"), nine_thirty);
        assert_eq!(before.to_rfc3339(), "2027-03-25T09:30:00+00:00");
        assert_eq!(after.to_rfc3339(), "2027-03-30T09:30:00+01:00");
        let autumn = london_instant(d("2026-10-26"), nine_thirty);
        assert_eq!(autumn.to_rfc3339(), "2026-10-26T09:30:00+00:00");
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_an_hour() {
        let t = london_instant(d("2027-03-28"), NaiveTime::from_hms_opt(1, 30, 0).unwrap());
        assert_eq!(t.to_rfc3339(), "2027-03-28T02:30:00+01:00");
    }

    #[test]
    fn working_days_between_is_empty_for_a_reversed_range() {
        let cal = Calendar::england_and_wales();
        assert_eq!(
            cal.working_days_between(d("2026-12-10"), d("2026-12-01")),
            0
        );
    }

    #[test]
    fn arithmetic_at_the_end_of_chronos_range_saturates_instead_of_panicking() {
        let cal = Calendar::england_and_wales();
        let last = NaiveDate::MAX;
        assert_eq!(cal.day_30(last), NaiveDate::MAX);
        assert_eq!(cal.add_working_days(last, 5), NaiveDate::MAX);
        assert_eq!(cal.certificate_due(last), NaiveDate::MAX);
        let _ = cal.meeting_deadline(last);
        let _ = cal.meeting_deadline(NaiveDate::MIN);
        let _ = cal.earliest_meeting_date(last, false);
        assert_eq!(cal.working_days_between(last, last), 0);
    }

    #[test]
    fn iso_week_of_new_year_belongs_to_the_previous_year() {
        assert_eq!(iso_week(d("2027-01-01")), (2026, 53));
    }
}
