//! The checker against every hard rule: for each rule, a hand-written roster that respects it
//! and one that breaks it, then the verification of the reasons given for cases left out.
//!
//! The scenario is described in `common/mod.rs`: mediators `M-CAM` and `M-ISL`, venues `V-CAM`
//! and `V-CRO`, cases `C-1` (Camden) and `C-2` (Islington), Mon 14 – Fri 18 Dec 2026.

mod common;

use common::*;
use mediation_solver::checker::{
    CARRY_OVER_NOT_ALLOWED, CASE_MISSING, LATE_CASE_COULD_BE_EARLIER, PLACEABLE_CASE_LEFT_OUT,
    REASON_NOT_CONFIRMED,
};
use mediation_solver::input::{ConflictInput, ConflictKind, Duration, Mode, PartyRole};
use mediation_solver::roster::{CarriedOverCase, Roster, UnscheduledCase, CAPACITY_TAKEN};

#[test]
fn the_base_roster_breaks_no_rule() {
    let report = Scenario::new().check(&valid_roster());
    assert_valid(&report);
    assert_eq!(report.meetings_checked, 2);
}

// ---------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------

#[test]
fn meeting_with_a_mediator_covering_the_la_keeps_coverage() {
    let mut s = Scenario::new();
    s.mediator("M-ISL").covers = vec![CAMDEN.into(), ISLINGTON.into()];
    assert_valid(&s.check(&valid_roster()));
}

#[test]
fn meeting_with_a_mediator_who_does_not_cover_the_la_breaks_coverage() {
    let mut s = Scenario::new();
    s.add_mediator("M-BED", BEDFORD, &[BEDFORD]);
    let report = s.check(&roster(vec![
        at("C-1", "M-BED", MON, "AM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "coverage");
    assert_eq!(report.violations[0].meeting, Some(0));
    assert_eq!(report.violations[0].case.as_deref(), Some("C-1"));
}

// ---------------------------------------------------------------------------------------
// Impartiality
// ---------------------------------------------------------------------------------------

#[test]
fn mediator_employed_by_another_la_is_impartial() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").employers = vec![CROYDON.into()];
    assert_valid(&s.check(&valid_roster()));
}

#[test]
fn mediator_employed_by_the_case_la_breaks_impartiality() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").employers = vec![CAMDEN.into()];
    assert_breaks(&s.check(&valid_roster()), "impartiality");
}

#[test]
fn prior_involvement_with_the_family_breaks_impartiality() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").conflicts = vec![ConflictInput {
        kind: ConflictKind::Case,
        id: "C-1".into(),
    }];
    assert_breaks(&s.check(&valid_roster()), "impartiality");
}

#[test]
fn mediator_employed_by_the_icb_of_a_health_case_breaks_impartiality() {
    let mut s = Scenario::new();
    s.case("C-1").health = Some(mediation_solver::input::HealthInput { icb: "QMJ".into() });
    s.mediator("M-CAM").employers = vec!["QMJ".into()];
    assert_breaks(&s.check(&valid_roster()), "impartiality");
}

// ---------------------------------------------------------------------------------------
// Within horizon
// ---------------------------------------------------------------------------------------

#[test]
fn meeting_on_the_last_day_of_the_horizon_is_within_it() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-CAM", FRI, "AM", "V-CAM"),
        at("C-2", "M-ISL", FRI, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn meeting_the_monday_after_the_horizon_breaks_within_horizon() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-CAM", "2026-12-21", "AM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "within_horizon");
    assert_eq!(report.violations[0].meeting, Some(0));
}

// ---------------------------------------------------------------------------------------
// Working day
// ---------------------------------------------------------------------------------------

fn with_bank_holiday_on_wednesday() -> Scenario {
    let mut s = Scenario::new();
    s.input.bank_holidays = Some(vec![d(WED), d("2026-12-25"), d("2026-12-28")]);
    s
}

#[test]
fn meeting_the_day_after_a_bank_holiday_is_on_a_working_day() {
    let report = with_bank_holiday_on_wednesday().check(&roster(vec![
        at("C-1", "M-CAM", THU, "AM", "V-CAM"),
        at("C-2", "M-ISL", THU, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn meeting_on_a_bank_holiday_breaks_working_day() {
    let report = with_bank_holiday_on_wednesday().check(&roster(vec![
        at("C-1", "M-CAM", WED, "AM", "V-CAM"),
        at("C-2", "M-ISL", THU, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "working_day");
}

#[test]
fn meeting_on_a_saturday_breaks_working_day() {
    let mut s = Scenario::new();
    s.input.horizon.end = d("2026-12-19");
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", "2026-12-19", "AM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "working_day");
}

// ---------------------------------------------------------------------------------------
// Notice
// ---------------------------------------------------------------------------------------

/// Published Wed 9 Dec: the 5th working day after is Wed 16 Dec.
fn published_on_wednesday_9th() -> Scenario {
    let mut s = Scenario::new();
    s.input.horizon.publication_date = d("2026-12-09");
    s
}

#[test]
fn meeting_five_working_days_after_publication_gives_notice() {
    let report = published_on_wednesday_9th().check(&roster(vec![
        at("C-1", "M-CAM", WED, "AM", "V-CAM"),
        at("C-2", "M-ISL", WED, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn meeting_four_working_days_after_publication_breaks_notice() {
    let report = published_on_wednesday_9th().check(&roster(vec![
        at("C-1", "M-CAM", TUE, "AM", "V-CAM"),
        at("C-2", "M-ISL", WED, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "notice");
}

#[test]
fn short_notice_accepted_allows_a_meeting_the_next_working_day() {
    let mut s = Scenario::new();
    s.input.horizon.publication_date = d("2026-12-11");
    s.only_cases(&["C-1"]);
    s.case("C-1").short_notice_ok = true;
    let report = s.check(&roster(vec![at("C-1", "M-CAM", MON, "AM", "V-CAM")]));
    assert_valid(&report);
}

// ---------------------------------------------------------------------------------------
// Session length
// ---------------------------------------------------------------------------------------

#[test]
fn full_day_case_in_the_full_day_session_keeps_session_length() {
    let mut s = Scenario::new();
    s.case("C-1").duration = Duration::FullDay;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "FULL", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn full_day_case_in_a_morning_session_breaks_session_length() {
    let mut s = Scenario::new();
    s.case("C-1").duration = Duration::FullDay;
    assert_breaks(&s.check(&valid_roster()), "session_length");
}

#[test]
fn half_day_case_in_the_full_day_session_breaks_session_length() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-CAM", MON, "FULL", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "session_length");
}

// ---------------------------------------------------------------------------------------
// Accreditation
// ---------------------------------------------------------------------------------------

#[test]
fn accreditation_expiring_on_the_meeting_day_is_still_valid() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").accreditation_expires = d(MON);
    assert_valid(&s.check(&valid_roster()));
}

#[test]
fn accreditation_expiring_the_day_before_the_meeting_breaks_accreditation() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").accreditation_expires = d("2026-12-13");
    assert_breaks(&s.check(&valid_roster()), "accreditation");
}

#[test]
fn dbs_check_lapsing_before_the_meeting_breaks_accreditation() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").dbs_expires = d(MON);
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", TUE, "AM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "accreditation");
}

// ---------------------------------------------------------------------------------------
// Mediator available
// ---------------------------------------------------------------------------------------

#[test]
fn afternoon_meeting_when_only_the_morning_is_blocked_keeps_mediator_available() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").availability = unavailable(&[(MON, Some("AM"))]);
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "PM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn meeting_in_a_session_the_mediator_is_unavailable_breaks_mediator_available() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").availability = unavailable(&[(MON, Some("AM"))]);
    assert_breaks(&s.check(&valid_roster()), "mediator_available");
}

#[test]
fn mediator_away_in_the_afternoon_cannot_hold_a_full_day() {
    let mut s = Scenario::new();
    s.case("C-1").duration = Duration::FullDay;
    s.mediator("M-CAM").availability = unavailable(&[(MON, Some("PM"))]);
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "FULL", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "mediator_available");
}

// ---------------------------------------------------------------------------------------
// Parties available
// ---------------------------------------------------------------------------------------

#[test]
fn an_optional_party_being_away_does_not_stop_the_meeting() {
    let mut s = Scenario::new();
    let mut school = party(PartyRole::School);
    school.required = false;
    school.availability = unavailable(&[(MON, None)]);
    s.case("C-1").parties.push(school);
    assert_valid(&s.check(&valid_roster()));
}

#[test]
fn meeting_when_the_la_representative_is_away_breaks_parties_available() {
    let mut s = Scenario::new();
    let la = s
        .case("C-1")
        .parties
        .iter_mut()
        .find(|p| p.role == PartyRole::La);
    la.expect("the LA is a party").availability = unavailable(&[(MON, None)]);
    assert_breaks(&s.check(&valid_roster()), "parties_available");
}

// ---------------------------------------------------------------------------------------
// Mode accepted and venue matches mode
// ---------------------------------------------------------------------------------------

#[test]
fn video_meeting_for_a_family_accepting_video_keeps_mode_accepted() {
    let report = Scenario::new().check(&roster(vec![
        by_video("C-1", "M-CAM", MON, "AM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn video_meeting_for_a_family_accepting_only_in_person_breaks_mode_accepted() {
    let mut s = Scenario::new();
    s.case("C-1").accepted_modes = vec![];
    let report = s.check(&roster(vec![
        by_video("C-1", "M-CAM", MON, "AM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "mode_accepted");
}

#[test]
fn in_person_meeting_without_a_venue_breaks_venue_matches_mode() {
    let mut meeting = at("C-1", "M-CAM", MON, "AM", "V-CAM");
    meeting.venue = None;
    let report = Scenario::new().check(&roster(vec![
        meeting,
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "venue_matches_mode");
}

#[test]
fn video_meeting_naming_a_venue_breaks_venue_matches_mode() {
    let mut meeting = by_video("C-1", "M-CAM", MON, "AM");
    meeting.venue = Some("V-CAM".into());
    let report = Scenario::new().check(&roster(vec![
        meeting,
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "venue_matches_mode");
}

#[test]
fn phone_meeting_without_a_venue_keeps_venue_matches_mode() {
    let mut s = Scenario::new();
    s.case("C-1").accepted_modes = vec![Mode::Phone];
    let mut meeting = by_video("C-1", "M-CAM", MON, "AM");
    meeting.mode = Mode::Phone;
    let report = s.check(&roster(vec![
        meeting,
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

// ---------------------------------------------------------------------------------------
// Venue needs, venue available, family travel
// ---------------------------------------------------------------------------------------

#[test]
fn step_free_venue_meets_a_wheelchair_users_needs() {
    let mut s = Scenario::new();
    s.case("C-1").needs.step_free = true;
    assert_valid(&s.check(&valid_roster()));
}

#[test]
fn venue_without_step_free_access_breaks_venue_needs_for_a_wheelchair_user() {
    let mut s = Scenario::new();
    s.case("C-1").needs.step_free = true;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CRO"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "venue_needs");
}

#[test]
fn case_needing_three_rooms_breaks_venue_needs_at_a_two_room_venue() {
    let mut s = Scenario::new();
    s.case("C-1").needs.rooms = 3;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CRO"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "venue_needs");
}

#[test]
fn venue_closed_on_another_day_keeps_venue_available() {
    let mut s = Scenario::new();
    s.venue("V-CAM").availability = unavailable(&[(TUE, None)]);
    assert_valid(&s.check(&valid_roster()));
}

#[test]
fn meeting_at_a_venue_closed_that_day_breaks_venue_available() {
    let mut s = Scenario::new();
    s.venue("V-CAM").availability = unavailable(&[(MON, None)]);
    assert_breaks(&s.check(&valid_roster()), "venue_available");
}

#[test]
fn camden_family_at_a_croydon_venue_is_within_the_travel_limit() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CRO"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn camden_family_sent_to_bedford_breaks_family_travel() {
    let mut s = Scenario::new();
    s.add_venue("V-BED", BEDFORD, 2);
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-BED"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "family_travel");
}

#[test]
fn camden_family_sent_past_its_nearest_venues_breaks_family_travel() {
    let mut s = Scenario::new();
    // With a shortlist of one, only the Camden venue is offered to the Camden family.
    s.input.travel.venue_shortlist = 1;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CRO"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "family_travel");
}

#[test]
fn a_preferred_venue_is_offered_even_beyond_the_shortlist() {
    let mut s = Scenario::new();
    s.input.travel.venue_shortlist = 1;
    s.case("C-1").preferred_venues = vec!["V-CRO".into()];
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CRO"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

// ---------------------------------------------------------------------------------------
// Language
// ---------------------------------------------------------------------------------------

#[test]
fn bsl_case_with_a_signing_mediator_keeps_language() {
    let mut s = Scenario::new();
    s.case("C-1").needs.language = Some("BSL".into());
    s.mediator("M-CAM").languages = vec!["bsl".into()];
    assert_valid(&s.check(&valid_roster()));
}

#[test]
fn bsl_case_with_a_booked_bsl_interpreter_keeps_language() {
    let mut s = Scenario::new();
    s.case("C-1").needs.language = Some("BSL".into());
    s.add_interpreter("I-BSL", &["BSL"]);
    let report = s.check(&roster(vec![
        with_interpreter(at("C-1", "M-CAM", MON, "AM", "V-CAM"), "I-BSL"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn bsl_case_with_a_mediator_who_does_not_sign_and_no_interpreter_breaks_language() {
    let mut s = Scenario::new();
    s.case("C-1").needs.language = Some("BSL".into());
    s.add_interpreter("I-BSL", &["BSL"]);
    assert_breaks(&s.check(&valid_roster()), "language");
}

#[test]
fn interpreter_who_does_not_speak_the_language_breaks_language() {
    let mut s = Scenario::new();
    s.case("C-1").needs.language = Some("BSL".into());
    s.add_interpreter("I-POL", &["Polish"]);
    let report = s.check(&roster(vec![
        with_interpreter(at("C-1", "M-CAM", MON, "AM", "V-CAM"), "I-POL"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "language");
}

#[test]
fn interpreter_booked_for_an_english_meeting_breaks_language() {
    let mut s = Scenario::new();
    s.add_interpreter("I-BSL", &["BSL"]);
    let report = s.check(&roster(vec![
        with_interpreter(at("C-1", "M-CAM", MON, "AM", "V-CAM"), "I-BSL"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "language");
}

// ---------------------------------------------------------------------------------------
// Mediator overlap and travel
// ---------------------------------------------------------------------------------------

#[test]
fn one_mediator_morning_and_afternoon_at_the_same_venue_has_no_overlap() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        at("C-2", "M-CAM", MON, "PM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn one_mediator_at_two_meetings_in_the_same_session_breaks_mediator_overlap() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        by_video("C-2", "M-CAM", MON, "AM"),
    ]));
    assert_breaks(&report, "mediator_overlap");
    let overlap = report
        .violations
        .iter()
        .find(|v| v.code == "mediator_overlap")
        .expect("an overlap");
    assert_eq!(overlap.meeting, Some(1), "reported on the later meeting");
}

#[test]
fn full_day_meeting_overlaps_a_morning_meeting_of_the_same_mediator() {
    let mut s = Scenario::new();
    s.case("C-1").duration = Duration::FullDay;
    s.mediator("M-CAM").max_sessions_per_day = 3;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "FULL", "V-CAM"),
        at("C-2", "M-CAM", MON, "PM", "V-CAM"),
    ]));
    assert_breaks(&report, "mediator_overlap");
}

/// Adds a Bedford venue, a Bedford case and a Croydon case; keeps only those two.
fn bedford_and_croydon() -> Scenario {
    let mut s = Scenario::new();
    s.add_venue("V-BED", BEDFORD, 2);
    s.add_case("C-BED", BEDFORD, BEDFORD);
    s.add_case("C-CRO", CROYDON, CROYDON);
    s.only_cases(&["C-BED", "C-CRO"]);
    s
}

#[test]
fn camden_morning_then_islington_afternoon_leaves_time_to_travel() {
    let mut s = Scenario::new();
    s.add_venue("V-ISL", ISLINGTON, 2);
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        at("C-2", "M-CAM", MON, "PM", "V-ISL"),
    ]));
    assert_valid(&report);
}

#[test]
fn bedford_morning_then_croydon_afternoon_breaks_mediator_travel() {
    let report = bedford_and_croydon().check(&roster(vec![
        at("C-BED", "M-CAM", MON, "AM", "V-BED"),
        at("C-CRO", "M-CAM", MON, "PM", "V-CRO"),
    ]));
    assert_breaks(&report, "mediator_travel");
}

#[test]
fn bedford_morning_then_croydon_afternoon_by_video_needs_no_travel() {
    let report = bedford_and_croydon().check(&roster(vec![
        at("C-BED", "M-CAM", MON, "AM", "V-BED"),
        by_video("C-CRO", "M-CAM", MON, "PM"),
    ]));
    assert_valid(&report);
}

#[test]
fn bedford_and_croydon_on_different_days_need_no_travel() {
    let report = bedford_and_croydon().check(&roster(vec![
        at("C-BED", "M-CAM", MON, "AM", "V-BED"),
        at("C-CRO", "M-CAM", TUE, "PM", "V-CRO"),
    ]));
    assert_valid(&report);
}

// ---------------------------------------------------------------------------------------
// Caps
// ---------------------------------------------------------------------------------------

#[test]
fn two_sessions_in_a_day_within_a_cap_of_two_keep_the_day_cap() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").max_sessions_per_day = 2;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        by_video("C-2", "M-CAM", MON, "PM"),
    ]));
    assert_valid(&report);
}

#[test]
fn two_sessions_in_a_day_for_a_one_session_mediator_breaks_the_day_cap() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").max_sessions_per_day = 1;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        by_video("C-2", "M-CAM", MON, "PM"),
    ]));
    assert_breaks(&report, "mediator_day_cap");
}

#[test]
fn full_day_counts_as_two_sessions_against_the_day_cap() {
    let mut s = Scenario::new();
    s.case("C-1").duration = Duration::FullDay;
    s.mediator("M-CAM").max_sessions_per_day = 1;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "FULL", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "mediator_day_cap");
}

fn three_camden_cases() -> Scenario {
    let mut s = Scenario::new();
    s.add_case("C-3", CAMDEN, CAMDEN);
    s
}

fn three_days_for_m_cam() -> Roster {
    roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        at("C-2", "M-CAM", TUE, "AM", "V-CAM"),
        at("C-3", "M-CAM", WED, "AM", "V-CAM"),
    ])
}

#[test]
fn three_sessions_in_a_week_within_a_cap_of_three_keep_the_week_cap() {
    let mut s = three_camden_cases();
    s.mediator("M-CAM").max_sessions_per_week = 3;
    assert_valid(&s.check(&three_days_for_m_cam()));
}

#[test]
fn three_sessions_in_a_week_for_a_two_session_mediator_breaks_the_week_cap() {
    let mut s = three_camden_cases();
    s.mediator("M-CAM").max_sessions_per_week = 2;
    let report = s.check(&three_days_for_m_cam());
    assert_breaks(&report, "mediator_week_cap");
    assert_holds(&report, "mediator_day_cap");
}

#[test]
fn full_day_counts_as_two_sessions_against_the_week_cap() {
    let mut s = three_camden_cases();
    s.case("C-1").duration = Duration::FullDay;
    s.mediator("M-CAM").max_sessions_per_week = 3;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "FULL", "V-CAM"),
        at("C-2", "M-CAM", TUE, "AM", "V-CAM"),
        at("C-3", "M-CAM", WED, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "mediator_week_cap");
}

// ---------------------------------------------------------------------------------------
// Venue rooms
// ---------------------------------------------------------------------------------------

#[test]
fn two_meetings_at_the_same_venue_same_session_fit_when_rooms_suffice() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CRO"),
        at("C-2", "M-ISL", MON, "AM", "V-CRO"),
    ]));
    assert_valid(&report);
}

#[test]
fn two_meetings_needing_more_rooms_than_the_venue_has_break_venue_rooms() {
    let mut s = Scenario::new();
    s.case("C-1").needs.rooms = 2;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CRO"),
        at("C-2", "M-ISL", MON, "AM", "V-CRO"),
    ]));
    assert_breaks(&report, "venue_rooms");
}

fn one_room_venue_in_camden() -> Scenario {
    let mut s = Scenario::new();
    s.add_venue("V-ONE", CAMDEN, 1);
    s
}

#[test]
fn morning_and_afternoon_meetings_share_a_one_room_venue() {
    let report = one_room_venue_in_camden().check(&roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-ONE"),
        at("C-2", "M-ISL", MON, "PM", "V-ONE"),
    ]));
    assert_valid(&report);
}

#[test]
fn full_day_and_afternoon_meetings_overbook_a_one_room_venue_at_half_past_one() {
    let mut s = one_room_venue_in_camden();
    s.case("C-1").duration = Duration::FullDay;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", MON, "FULL", "V-ONE"),
        at("C-2", "M-ISL", MON, "PM", "V-ONE"),
    ]));
    assert_breaks(&report, "venue_rooms");
}

// ---------------------------------------------------------------------------------------
// Interpreter overlap
// ---------------------------------------------------------------------------------------

fn two_polish_cases() -> Scenario {
    let mut s = Scenario::new();
    s.case("C-1").needs.language = Some("Polish".into());
    s.case("C-2").needs.language = Some("Polish".into());
    s.add_interpreter("I-POL", &["Polish"]);
    s
}

#[test]
fn one_interpreter_morning_and_afternoon_has_no_overlap() {
    let report = two_polish_cases().check(&roster(vec![
        with_interpreter(at("C-1", "M-CAM", MON, "AM", "V-CAM"), "I-POL"),
        with_interpreter(at("C-2", "M-ISL", MON, "PM", "V-CAM"), "I-POL"),
    ]));
    assert_valid(&report);
}

#[test]
fn one_interpreter_at_two_meetings_in_the_same_session_breaks_interpreter_overlap() {
    let report = two_polish_cases().check(&roster(vec![
        with_interpreter(at("C-1", "M-CAM", MON, "AM", "V-CAM"), "I-POL"),
        with_interpreter(at("C-2", "M-ISL", MON, "AM", "V-CAM"), "I-POL"),
    ]));
    assert_breaks(&report, "interpreter_overlap");
}

// ---------------------------------------------------------------------------------------
// Case once, unknown references, completeness
// ---------------------------------------------------------------------------------------

#[test]
fn each_case_held_once_keeps_case_once() {
    assert_holds(&Scenario::new().check(&valid_roster()), "case_once");
}

#[test]
fn case_held_twice_breaks_case_once() {
    let mut r = valid_roster();
    r.meetings.push(at("C-1", "M-CAM", TUE, "AM", "V-CAM"));
    assert_breaks(&Scenario::new().check(&r), "case_once");
}

#[test]
fn case_held_and_also_reported_unscheduled_breaks_case_once() {
    let mut r = valid_roster();
    r.unscheduled.push(unscheduled("C-1", "coverage"));
    assert_breaks(&Scenario::new().check(&r), "case_once");
}

#[test]
fn case_neither_held_nor_reported_is_missing() {
    let report = Scenario::new().check(&roster(vec![at("C-1", "M-CAM", MON, "AM", "V-CAM")]));
    assert_eq!(report.codes(), vec![CASE_MISSING]);
    assert_eq!(report.violations[0].case.as_deref(), Some("C-2"));
}

#[test]
fn meeting_with_an_unknown_mediator_breaks_unknown_reference() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-NOBODY", MON, "AM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_eq!(report.codes(), vec!["unknown_reference"]);
}

#[test]
fn meeting_in_an_unknown_session_breaks_unknown_reference() {
    let report = Scenario::new().check(&roster(vec![
        at("C-1", "M-CAM", MON, "EVENING", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_breaks(&report, "unknown_reference");
}

#[test]
fn meeting_for_a_case_not_in_the_problem_breaks_unknown_reference() {
    let mut r = valid_roster();
    r.meetings.push(at("C-99", "M-CAM", TUE, "AM", "V-CAM"));
    assert_breaks(&Scenario::new().check(&r), "unknown_reference");
}

#[test]
fn unscheduled_case_not_in_the_problem_breaks_unknown_reference() {
    let mut r = valid_roster();
    r.unscheduled.push(unscheduled("C-99", "coverage"));
    assert_breaks(&Scenario::new().check(&r), "unknown_reference");
}

// ---------------------------------------------------------------------------------------
// Reasons for cases left out
// ---------------------------------------------------------------------------------------

fn unscheduled(case: &str, primary_reason: &str) -> UnscheduledCase {
    UnscheduledCase {
        case: case.into(),
        deadline: d("2026-12-31"),
        primary_reason: primary_reason.into(),
        reasons: vec![],
    }
}

fn carried_over(case: &str) -> CarriedOverCase {
    CarriedOverCase {
        case: case.into(),
        deadline: d("2026-12-31"),
        primary_reason: CAPACITY_TAKEN.into(),
        reasons: vec![],
    }
}

/// `C-1` held by `M-ISL` on Monday morning, `C-2` left out with `reason`.
fn c2_left_out(reason: &str) -> Roster {
    Roster {
        meetings: vec![at("C-1", "M-ISL", MON, "AM", "V-CAM")],
        unscheduled: vec![unscheduled("C-2", reason)],
        carried_over: vec![],
    }
}

/// Only `M-ISL` covers Islington, and it is free on Monday morning only.
fn only_m_isl_on_monday_morning() -> Scenario {
    let mut s = Scenario::new();
    s.mediator("M-CAM").covers = vec![CAMDEN.into(), CROYDON.into(), BEDFORD.into()];
    s.mediator("M-ISL").availability = only_available(&[(MON, Some("AM"))]);
    s
}

#[test]
fn placeable_case_left_out_with_a_catch_all_reason_is_flagged() {
    let report = Scenario::new().check(&c2_left_out("coverage"));
    assert_breaks(&report, PLACEABLE_CASE_LEFT_OUT);
    assert_breaks(&report, REASON_NOT_CONFIRMED);
}

#[test]
fn case_with_no_covering_mediator_reported_as_coverage_passes() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").covers = vec![CAMDEN.into()];
    s.mediator("M-ISL").covers = vec![CAMDEN.into()];
    assert_valid(&s.check(&c2_left_out("coverage")));
}

#[test]
fn reason_that_names_no_rule_is_not_confirmed() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").covers = vec![CAMDEN.into()];
    s.mediator("M-ISL").covers = vec![CAMDEN.into()];
    let report = s.check(&c2_left_out("too_busy"));
    assert_eq!(report.codes(), vec![REASON_NOT_CONFIRMED]);
}

#[test]
fn capacity_taken_is_confirmed_when_every_option_is_occupied() {
    let s = only_m_isl_on_monday_morning();
    assert_valid(&s.check(&c2_left_out(CAPACITY_TAKEN)));
}

#[test]
fn capacity_taken_is_not_confirmed_when_an_option_is_free() {
    let mut s = only_m_isl_on_monday_morning();
    s.mediator("M-ISL").availability = only_available(&[(MON, Some("AM")), (MON, Some("PM"))]);
    let report = s.check(&c2_left_out(CAPACITY_TAKEN));
    assert_breaks(&report, REASON_NOT_CONFIRMED);
    assert_breaks(&report, PLACEABLE_CASE_LEFT_OUT);
    let left_out = report
        .violations
        .iter()
        .find(|v| v.code == PLACEABLE_CASE_LEFT_OUT)
        .expect("flagged");
    assert!(left_out.message.contains("M-ISL"), "{}", left_out.message);
    assert!(left_out.message.contains("PM"), "{}", left_out.message);
}

#[test]
fn capacity_taken_is_not_confirmed_when_no_option_satisfies_the_rules() {
    let mut s = Scenario::new();
    s.mediator("M-CAM").covers = vec![CAMDEN.into()];
    s.mediator("M-ISL").covers = vec![CAMDEN.into()];
    let report = s.check(&c2_left_out(CAPACITY_TAKEN));
    assert_eq!(report.codes(), vec![REASON_NOT_CONFIRMED]);
}

#[test]
fn rule_reason_is_not_confirmed_when_options_exist_but_are_occupied() {
    let report = only_m_isl_on_monday_morning().check(&c2_left_out("coverage"));
    assert_eq!(report.codes(), vec![REASON_NOT_CONFIRMED]);
}

#[test]
fn carried_over_case_due_after_the_horizon_with_every_option_occupied_passes() {
    let mut r = c2_left_out(CAPACITY_TAKEN);
    r.unscheduled.clear();
    r.carried_over.push(carried_over("C-2"));
    assert_valid(&only_m_isl_on_monday_morning().check(&r));
}

#[test]
fn carried_over_case_that_could_be_held_is_flagged() {
    let mut r = c2_left_out(CAPACITY_TAKEN);
    r.unscheduled.clear();
    r.carried_over.push(carried_over("C-2"));
    // Its `capacity_taken` is not borne out either: a free option is not taken.
    assert_eq!(
        Scenario::new().check(&r).codes(),
        vec![REASON_NOT_CONFIRMED, PLACEABLE_CASE_LEFT_OUT]
    );
}

#[test]
fn carrying_over_a_case_due_within_the_horizon_is_not_allowed() {
    let mut s = only_m_isl_on_monday_morning();
    // Day 30 is Thu 17 Dec, inside the horizon.
    s.case("C-2").clock_start = d("2026-11-17");
    let mut r = c2_left_out(CAPACITY_TAKEN);
    r.unscheduled.clear();
    r.carried_over.push(CarriedOverCase {
        deadline: d("2026-12-17"),
        ..carried_over("C-2")
    });
    assert_eq!(s.check(&r).codes(), vec![CARRY_OVER_NOT_ALLOWED]);
}

// ---------------------------------------------------------------------------------------
// Late meetings
// ---------------------------------------------------------------------------------------

/// `C-1`'s day 30 is Wed 16 Dec.
fn c1_due_wednesday() -> Scenario {
    let mut s = Scenario::new();
    s.case("C-1").clock_start = d("2026-11-16");
    s
}

#[test]
fn late_meeting_that_could_be_held_by_the_deadline_is_flagged() {
    let report = c1_due_wednesday().check(&roster(vec![
        at("C-1", "M-CAM", THU, "AM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]));
    assert_eq!(report.codes(), vec![LATE_CASE_COULD_BE_EARLIER]);
    assert_eq!(report.violations[0].meeting, Some(0));
}

#[test]
fn late_meeting_is_accepted_when_no_mediator_is_free_by_the_deadline() {
    let mut s = c1_due_wednesday();
    let thursday_on = only_available(&[(THU, None), (FRI, None)]);
    s.mediator("M-CAM").availability = thursday_on.clone();
    s.mediator("M-ISL").availability = thursday_on;
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", THU, "AM", "V-CAM"),
        at("C-2", "M-ISL", THU, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}

#[test]
fn late_meeting_is_accepted_when_its_earlier_options_are_occupied() {
    let mut s = c1_due_wednesday();
    // C-1 is Camden's; only M-CAM covers Camden, and on Monday only, where C-2 takes it.
    s.mediator("M-ISL").covers = vec![ISLINGTON.into()];
    s.mediator("M-CAM").availability = only_available(&[(MON, Some("AM")), (THU, None)]);
    let report = s.check(&roster(vec![
        at("C-1", "M-CAM", THU, "AM", "V-CAM"),
        at("C-2", "M-CAM", MON, "AM", "V-CAM"),
    ]));
    assert_valid(&report);
}
