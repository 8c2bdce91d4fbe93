//! The checker confirms every claim a roster makes: the shipped week is solved, then each
//! claimed field of the roster is changed in turn and must give its named violation (and only
//! that one), while the roster as solved checks clean.

use std::sync::OnceLock;

use chrono::{DateTime, Days, FixedOffset, TimeDelta};
use mediation_solver::checker::{
    check, CheckReport, CERTIFICATE_DUE_NOT_CONFIRMED, DEADLINE_NOT_CONFIRMED,
    LATE_FLAG_NOT_CONFIRMED, MARGIN_NOT_CONFIRMED, REASON_COUNT_NOT_CONFIRMED,
    REASON_NOT_CONFIRMED, SESSION_TIME_NOT_CONFIRMED, TRAVEL_NOT_CONFIRMED,
    UTC_OFFSET_NOT_CONFIRMED,
};
use mediation_solver::milp::SolveOptions;
use mediation_solver::model::{Mode, Problem};
use mediation_solver::roster::{MeetingDetails, Reason, Roster, CAPACITY_TAKEN};
use mediation_solver::schedule::schedule;
use mediation_solver::validate::parse_problem;

/// The shipped week and its roster, solved once for every test.
fn week() -> &'static (Problem, Roster) {
    static WEEK: OnceLock<(Problem, Roster)> = OnceLock::new();
    WEEK.get_or_init(|| {
        let json = include_str!("../../fixtures/week-2026-12-07.json");
        let problem = parse_problem(json)
            .expect("the shipped week is valid")
            .problem;
        let roster = schedule(&problem, &SolveOptions::default())
            .expect("the shipped week solves")
            .roster;
        (problem, roster)
    })
}

/// The roster with one change.
fn changed(change: impl FnOnce(&mut Roster)) -> CheckReport {
    let (problem, roster) = week();
    let mut roster = roster.clone();
    change(&mut roster);
    check(problem, &roster)
}

/// The report has exactly one violation, `code`, about `case` (and `meeting`, when given).
#[track_caller]
fn assert_only(report: &CheckReport, code: &str, case: &str, meeting: Option<usize>) {
    assert_eq!(report.codes(), vec![code], "{:#?}", report.violations);
    let v = &report.violations[0];
    assert_eq!(v.case.as_deref(), Some(case), "{v:#?}");
    assert_eq!(v.meeting, meeting, "{v:#?}");
}

fn details(roster: &mut Roster, k: usize) -> &mut MeetingDetails {
    roster.meetings[k]
        .details
        .as_mut()
        .expect("solved meetings carry details")
}

/// Index of the first meeting whose details satisfy `pick`.
fn meeting_where(pick: impl Fn(&MeetingDetails, Mode) -> bool) -> (usize, String) {
    let (_, roster) = week();
    roster
        .meetings
        .iter()
        .enumerate()
        .find(|(_, m)| pick(m.details.as_ref().expect("details"), m.mode))
        .map(|(k, m)| (k, m.case.clone()))
        .expect("the shipped week has such a meeting")
}

fn late_meeting() -> (usize, String) {
    meeting_where(|d, _| d.late)
}

fn on_time_meeting() -> (usize, String) {
    meeting_where(|d, _| !d.late)
}

fn reference_of_unscheduled() -> String {
    let (_, roster) = week();
    let u = roster
        .unscheduled
        .first()
        .expect("the shipped week leaves a case unscheduled");
    assert_ne!(u.primary_reason, CAPACITY_TAKEN, "{u:?}");
    u.case.clone()
}

fn reference_of_carried_over() -> String {
    let (_, roster) = week();
    let c = roster
        .carried_over
        .first()
        .expect("the shipped week carries a case over");
    assert_eq!(c.primary_reason, CAPACITY_TAKEN, "{c:?}");
    c.case.clone()
}

#[test]
fn the_roster_as_solved_checks_clean_and_claims_everything() {
    let (problem, roster) = week();
    let report = check(problem, roster);
    assert!(report.is_valid(), "{:#?}", report.violations);
    // Every kind of claim is there to be confirmed.
    assert!(roster.meetings.iter().all(|m| m.details.is_some()));
    assert!(roster
        .meetings
        .iter()
        .any(|m| m.details.as_ref().unwrap().late));
    assert!(roster.unscheduled.iter().all(|u| !u.reasons.is_empty()));
    assert!(roster.carried_over.iter().all(|c| !c.reasons.is_empty()));
}

// ---------------------------------------------------------------------------------------
// Each meeting's details
// ---------------------------------------------------------------------------------------

#[test]
fn a_wrong_deadline_is_named() {
    let (k, case) = on_time_meeting();
    let report = changed(|r| {
        let d = details(r, k);
        d.deadline = d.deadline + Days::new(1);
    });
    assert_only(&report, DEADLINE_NOT_CONFIRMED, &case, Some(k));
    assert!(report.violations[0].message.contains("deadline"));
}

#[test]
fn a_wrong_margin_is_named() {
    let (k, case) = on_time_meeting();
    let report = changed(|r| details(r, k).days_of_margin += 1);
    assert_only(&report, MARGIN_NOT_CONFIRMED, &case, Some(k));
}

#[test]
fn a_wrong_certificate_due_date_is_named() {
    let (k, case) = on_time_meeting();
    let report = changed(|r| {
        let d = details(r, k);
        d.certificate_due = d.certificate_due + Days::new(1);
    });
    assert_only(&report, CERTIFICATE_DUE_NOT_CONFIRMED, &case, Some(k));
}

#[test]
fn late_false_on_a_late_meeting_is_named() {
    let (k, case) = late_meeting();
    let report = changed(|r| details(r, k).late = false);
    assert_only(&report, LATE_FLAG_NOT_CONFIRMED, &case, Some(k));
}

#[test]
fn late_true_on_a_meeting_held_on_time_is_named() {
    let (k, case) = on_time_meeting();
    let report = changed(|r| details(r, k).late = true);
    assert_only(&report, LATE_FLAG_NOT_CONFIRMED, &case, Some(k));
}

fn summer_time(t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    let bst = FixedOffset::east_opt(3600).unwrap();
    t.naive_local()
        .and_local_timezone(bst)
        .single()
        .expect("a fixed offset has one instant per local time")
}

#[test]
fn a_summer_offset_in_december_is_named_on_the_start_and_on_the_end() {
    let (k, case) = on_time_meeting();
    let report = changed(|r| {
        let d = details(r, k);
        assert_eq!(d.start.offset().local_minus_utc(), 0, "December is +00:00");
        d.start = summer_time(d.start);
    });
    assert_only(&report, UTC_OFFSET_NOT_CONFIRMED, &case, Some(k));
    assert!(report.violations[0].message.contains("+01:00"));
    let report = changed(|r| {
        let d = details(r, k);
        d.end = summer_time(d.end);
    });
    assert_only(&report, UTC_OFFSET_NOT_CONFIRMED, &case, Some(k));
}

#[test]
fn a_start_at_another_time_is_named() {
    let (k, case) = on_time_meeting();
    let report = changed(|r| {
        let d = details(r, k);
        d.start += TimeDelta::hours(1);
    });
    assert_only(&report, SESSION_TIME_NOT_CONFIRMED, &case, Some(k));
}

#[test]
fn a_wrong_travel_distance_is_named() {
    let (k, case) = meeting_where(|d, mode| mode == Mode::InPerson && !d.late);
    let report = changed(|r| {
        let d = details(r, k);
        d.family_travel_km = d.family_travel_km.map(|km| km + 1.0);
    });
    assert_only(&report, TRAVEL_NOT_CONFIRMED, &case, Some(k));
    let (k, case) = meeting_where(|d, mode| mode != Mode::InPerson && !d.late);
    let report = changed(|r| details(r, k).mediator_travel_km = Some(3.0));
    assert_only(&report, TRAVEL_NOT_CONFIRMED, &case, Some(k));
}

#[test]
fn a_late_meetings_reasons_are_confirmed() {
    let (k, case) = late_meeting();
    let real = week().1.meetings[k]
        .details
        .as_ref()
        .and_then(|d| d.late_primary_reason.clone())
        .expect("a late meeting says why");
    let other = if real == "coverage" {
        "notice"
    } else {
        "coverage"
    };
    let report = changed(|r| details(r, k).late_primary_reason = Some(other.into()));
    assert_only(&report, REASON_NOT_CONFIRMED, &case, Some(k));
    assert!(report.violations[0].message.contains(&format!("`{real}`")));
    let report = changed(|r| details(r, k).late_reasons[0].count += 1);
    assert_only(&report, REASON_COUNT_NOT_CONFIRMED, &case, Some(k));
    let (k, case) = on_time_meeting();
    let report = changed(|r| details(r, k).late_primary_reason = Some(CAPACITY_TAKEN.into()));
    assert_only(&report, REASON_NOT_CONFIRMED, &case, Some(k));
}

// ---------------------------------------------------------------------------------------
// Each case left out
// ---------------------------------------------------------------------------------------

#[test]
fn a_wrong_deadline_of_a_case_left_out_is_named() {
    let case = reference_of_unscheduled();
    let report = changed(|r| {
        let u = &mut r.unscheduled[0];
        u.deadline = u.deadline + Days::new(1);
    });
    assert_only(&report, DEADLINE_NOT_CONFIRMED, &case, None);
    let case = reference_of_carried_over();
    let report = changed(|r| {
        let c = &mut r.carried_over[0];
        c.deadline = c.deadline - Days::new(1);
    });
    assert_only(&report, DEADLINE_NOT_CONFIRMED, &case, None);
}

#[test]
fn a_carried_over_case_relabelled_with_a_rule_or_a_made_up_code_is_named() {
    let case = reference_of_carried_over();
    for label in ["impartiality", "too_busy"] {
        let report = changed(|r| r.carried_over[0].primary_reason = label.into());
        assert_only(&report, REASON_NOT_CONFIRMED, &case, None);
        assert!(
            report.violations[0].message.contains(label),
            "{}",
            report.violations[0].message
        );
    }
}

#[test]
fn an_unscheduled_case_relabelled_with_another_rule_or_capacity_taken_is_named() {
    let case = reference_of_unscheduled();
    let (_, roster) = week();
    let real = roster.unscheduled[0].primary_reason.clone();
    // Another rule that also rules options out for this case: right that no option is
    // left, wrong about which rule leaves none.
    let other = roster.unscheduled[0]
        .reasons
        .iter()
        .map(|r| r.code.clone())
        .find(|code| *code != real)
        .expect("the case has more than one reason");
    let report = changed(|r| r.unscheduled[0].primary_reason = other.clone());
    assert_only(&report, REASON_NOT_CONFIRMED, &case, None);
    assert!(report.violations[0].message.contains(&format!("`{real}`")));
    let report = changed(|r| r.unscheduled[0].primary_reason = CAPACITY_TAKEN.into());
    assert_only(&report, REASON_NOT_CONFIRMED, &case, None);
}

#[test]
fn a_wrong_reason_count_is_named() {
    let case = reference_of_unscheduled();
    let report = changed(|r| r.unscheduled[0].reasons[0].count += 1);
    assert_only(&report, REASON_COUNT_NOT_CONFIRMED, &case, None);
    let report = changed(|r| {
        r.unscheduled[0].reasons.pop();
    });
    assert_only(&report, REASON_COUNT_NOT_CONFIRMED, &case, None);
    let report = changed(|r| {
        r.unscheduled[0].reasons.push(Reason {
            code: "working_day".into(),
            count: 2,
            message: "2 day(s) are weekends or bank holidays".into(),
        })
    });
    assert_only(&report, REASON_COUNT_NOT_CONFIRMED, &case, None);
    let case = reference_of_carried_over();
    let report = changed(|r| {
        let reason = r.carried_over[0]
            .reasons
            .iter_mut()
            .find(|x| x.code == CAPACITY_TAKEN)
            .expect("capacity_taken is counted");
        reason.count -= 1;
    });
    assert_only(&report, REASON_COUNT_NOT_CONFIRMED, &case, None);
    assert!(report.violations[0].message.contains(CAPACITY_TAKEN));
}

#[test]
fn reasons_left_out_of_a_hand_written_roster_claim_nothing() {
    let report = changed(|r| {
        r.unscheduled[0].reasons.clear();
        r.carried_over[0].reasons.clear();
        r.carried_over[0].primary_reason.clear();
        for m in &mut r.meetings {
            m.details = None;
        }
    });
    assert!(report.is_valid(), "{:#?}", report.violations);
}
