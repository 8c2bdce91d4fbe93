//! Recommendations for one case beside a roster: every option is one the checker accepts,
//! the ranking is by the cost the option adds to the roster, the best one is the cheapest
//! free option found by brute force, and the errors say what is wrong.

mod common;

use std::collections::BTreeSet;

use common::{at, by_video, d, only_available, party, roster, Scenario, ISLINGTON, MON};
use mediation_solver::calendar::iso_week;
use mediation_solver::candidates::{not_held_cost, roster_cost, Weights};
use mediation_solver::checker::check;
use mediation_solver::generate::{generate, GenerateParams};
use mediation_solver::input::{PartyInput, PartyRole};
use mediation_solver::milp::SolveOptions;
use mediation_solver::model::{Mode, Problem};
use mediation_solver::recommend::{
    recommend, RecommendError, Recommendation, Recommendations, MAX_OPTIONS,
};
use mediation_solver::roster::Roster;
use mediation_solver::rules::{conflicts_between, placement_violations, Placement, Site};
use mediation_solver::schedule::{build_roster, placements_of, schedule};
use mediation_solver::validate::{parse_problem, validate};

// ---------------------------------------------------------------------------------------
// Instances
// ---------------------------------------------------------------------------------------

fn solved(problem: Problem) -> (Problem, Roster) {
    let outcome = schedule(&problem, &SolveOptions::default()).expect("solves");
    (problem, outcome.roster)
}

fn week() -> (Problem, Roster) {
    let json = include_str!("../../fixtures/week-2026-12-07.json");
    solved(parse_problem(json).expect("fixture is valid").problem)
}

fn generated(seed: u64) -> (Problem, Roster) {
    let input = generate(&GenerateParams::week(14, 9, 10, seed));
    solved(validate(&input).expect("generated input is valid").problem)
}

/// The shipped week and a few generated weeks, each solved.
fn instances() -> Vec<(String, Problem, Roster)> {
    let (p, r) = week();
    let mut all = vec![("shipped week".to_string(), p, r)];
    for seed in [3, 11, 29] {
        let (p, r) = generated(seed);
        all.push((format!("generated seed {seed}"), p, r));
    }
    all
}

/// The roster without `case`'s meeting (its lists of cases not held left as they were).
fn without(roster: &Roster, case: &str) -> Roster {
    Roster {
        meetings: roster
            .meetings
            .iter()
            .filter(|m| m.case != case)
            .cloned()
            .collect(),
        ..roster.clone()
    }
}

/// Every third held case of a roster, to keep the suite quick.
fn some_held_cases(roster: &Roster) -> Vec<String> {
    roster
        .meetings
        .iter()
        .step_by(3)
        .map(|m| m.case.clone())
        .collect()
}

fn placement(problem: &Problem, case: &str, r: &Recommendation) -> Placement {
    let site = match &r.venue {
        Some(v) => Site::Venue(problem.index.venue[v]),
        None => Site::Remote(r.mode),
    };
    Placement {
        case: problem.index.case[case],
        mediator: problem.index.mediator[&r.mediator],
        day: problem.horizon.day_index(r.date).expect("date in horizon"),
        template: problem.index.template[&r.session],
        site,
        interpreter: r.interpreter.as_ref().map(|i| problem.index.interpreter[i]),
    }
}

fn recommend_ok(problem: &Problem, roster: &Roster, case: &str, n: usize) -> Recommendations {
    recommend(problem, roster, case, n, &Weights::default())
        .unwrap_or_else(|e| panic!("{case}: {e}"))
}

// ---------------------------------------------------------------------------------------
// An oracle for "fits beside the roster", written from the domain rules and not from
// `Occupancy`
// ---------------------------------------------------------------------------------------

fn fits(problem: &Problem, booked: &[Placement], p: &Placement) -> bool {
    let units = |q: &Placement| problem.templates[q.template].session_units();
    let mediator = &problem.mediators[p.mediator];
    let theirs: Vec<&Placement> = booked.iter().filter(|q| q.mediator == p.mediator).collect();
    if theirs
        .iter()
        .any(|q| conflicts_between(problem, q, p).is_some())
    {
        return false;
    }
    let day_units: u32 = theirs
        .iter()
        .filter(|q| q.day == p.day)
        .map(|q| units(q))
        .sum();
    if day_units + units(p) > mediator.max_sessions_per_day {
        return false;
    }
    let week = iso_week(problem.horizon.days[p.day]);
    let week_units: u32 = theirs
        .iter()
        .filter(|q| iso_week(problem.horizon.days[q.day]) == week)
        .map(|q| units(q))
        .sum();
    if week_units + units(p) > mediator.max_sessions_per_week {
        return false;
    }
    let t = &problem.templates[p.template];
    if let Site::Venue(v) = p.site {
        let here: Vec<&Placement> = booked
            .iter()
            .filter(|q| q.site == p.site && q.day == p.day)
            .collect();
        let mut instants: Vec<_> = here
            .iter()
            .map(|q| problem.templates[q.template].start)
            .filter(|s| t.start <= *s && *s < t.end)
            .collect();
        instants.push(t.start);
        for at in instants {
            let used: u32 = here
                .iter()
                .filter(|q| {
                    let s = &problem.templates[q.template];
                    s.start <= at && at < s.end
                })
                .map(|q| problem.cases[q.case].needs.rooms)
                .sum();
            if used + problem.cases[p.case].needs.rooms > problem.venues[v].rooms {
                return false;
            }
        }
    }
    if let Some(i) = p.interpreter {
        if booked.iter().any(|q| {
            q.interpreter == Some(i) && q.day == p.day && problem.templates[q.template].overlaps(t)
        }) {
            return false;
        }
    }
    true
}

/// The cheapest cost of holding `case` beside `roster`, by enumerating every mediator, day,
/// session, place and interpreter: what holding it adds to the roster's objective.
fn brute_force_best(problem: &Problem, roster: &Roster, case: &str) -> Option<i64> {
    let w = Weights::default();
    let c = problem.index.case[case];
    let booked = placements_of(problem, roster);
    let before = roster_cost(problem, &booked, &w);
    let sites: Vec<Site> = (0..problem.venues.len())
        .map(Site::Venue)
        .chain([Site::Remote(Mode::Video), Site::Remote(Mode::Phone)])
        .collect();
    let interpreters: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..problem.interpreters.len()).map(Some))
        .collect();
    let mut best: Option<i64> = None;
    for mediator in 0..problem.mediators.len() {
        for day in 0..problem.horizon.days.len() {
            for template in 0..problem.templates.len() {
                for &site in &sites {
                    for &interpreter in &interpreters {
                        let p = Placement {
                            case: c,
                            mediator,
                            day,
                            template,
                            site,
                            interpreter,
                        };
                        if !placement_violations(problem, &p).is_empty()
                            || !fits(problem, &booked, &p)
                        {
                            continue;
                        }
                        let mut with = booked.clone();
                        with.push(p);
                        let added = roster_cost(problem, &with, &w) - before
                            + not_held_cost(problem, &problem.cases[c], &w);
                        best = Some(best.map_or(added, |b: i64| b.min(added)));
                    }
                }
            }
        }
    }
    best
}

// ---------------------------------------------------------------------------------------
// Every option is valid
// ---------------------------------------------------------------------------------------

#[test]
fn every_recommended_option_added_to_the_roster_passes_the_checker() {
    for (name, problem, full) in instances() {
        let mut checked = 0;
        for case in some_held_cases(&full) {
            let roster = without(&full, &case);
            let found = recommend_ok(&problem, &roster, &case, 8);
            assert!(
                !found.options.is_empty(),
                "{name} {case}: its own slot is free"
            );
            for option in &found.options {
                let mut placements = placements_of(&problem, &roster);
                placements.push(placement(&problem, &case, option));
                let report = check(&problem, &build_roster(&problem, &placements));
                assert!(
                    report.is_valid(),
                    "{name} {case} option {}: {:?}",
                    option.rank,
                    report.violations
                );
                checked += 1;
            }
        }
        assert!(checked > 0, "{name}: no option checked");
    }
}

#[test]
fn a_mediator_busy_in_the_roster_is_never_recommended_for_an_overlapping_session() {
    for (name, problem, full) in instances() {
        for case in some_held_cases(&full) {
            let roster = without(&full, &case);
            for option in recommend_ok(&problem, &roster, &case, MAX_OPTIONS).options {
                let t = &problem.templates[problem.index.template[&option.session]];
                let clash = roster.meetings.iter().find(|m| {
                    m.mediator == option.mediator
                        && m.date == option.date
                        && problem.templates[problem.index.template[&m.session]].overlaps(t)
                });
                assert!(clash.is_none(), "{name} {case}: {option:?} vs {clash:?}");
            }
        }
    }
}

#[test]
fn a_mediator_holding_monday_morning_is_offered_only_other_sessions() {
    let mut scenario = Scenario::new();
    scenario.add_mediator("M-3", ISLINGTON, &[ISLINGTON]);
    let problem = scenario.problem();
    let busy = roster(vec![at("C-1", "M-CAM", MON, "AM", "V-CAM")]);
    let found = recommend_ok(&problem, &busy, "C-2", MAX_OPTIONS);
    let monday = d(MON);
    let is = |r: &Recommendation, mediator: &str, session: &str| {
        r.mediator == mediator && r.date == monday && r.session == session
    };
    assert!(!found.options.iter().any(|r| is(r, "M-CAM", "AM")));
    assert!(found.options.iter().any(|r| is(r, "M-CAM", "PM")));
    assert!(found.options.iter().any(|r| is(r, "M-ISL", "AM")));
    assert!(found.options.iter().any(|r| is(r, "M-3", "AM")));
}

// ---------------------------------------------------------------------------------------
// Ranking and costs
// ---------------------------------------------------------------------------------------

#[test]
fn options_are_ranked_by_cost_with_breakdowns_summing_to_it() {
    for (name, problem, full) in instances() {
        for case in some_held_cases(&full) {
            let roster = without(&full, &case);
            for n in [1, 5, MAX_OPTIONS] {
                let found = recommend_ok(&problem, &roster, &case, n);
                let options = &found.options;
                assert!(options.len() <= n, "{name} {case}: more than {n}");
                assert!(found.free <= found.considered);
                assert!(options.len() <= found.free);
                let ranks: Vec<usize> = options.iter().map(|r| r.rank).collect();
                assert_eq!(ranks, (1..=options.len()).collect::<Vec<_>>());
                assert!(
                    options.windows(2).all(|w| w[0].cost <= w[1].cost),
                    "{name} {case}: not sorted by cost"
                );
                for r in options {
                    let sum: i64 = r.breakdown.iter().map(|t| t.units).sum();
                    assert_eq!(sum, r.cost, "{name} {case}: {r:?}");
                    assert!(r.breakdown.iter().all(|t| t.units != 0));
                }
            }
        }
    }
}

#[test]
fn the_best_option_costs_the_minimum_over_every_free_placement_found_by_brute_force() {
    for (name, problem, full) in instances() {
        for case in some_held_cases(&full) {
            let roster = without(&full, &case);
            let found = recommend_ok(&problem, &roster, &case, 3);
            let best = found.options.first().map(|r| r.cost);
            assert_eq!(
                best,
                brute_force_best(&problem, &roster, &case),
                "{name} {case}"
            );
        }
    }
}

#[test]
fn each_option_costs_exactly_what_it_adds_to_the_roster_objective() {
    let w = Weights::default();
    for (name, problem, full) in instances() {
        for case in some_held_cases(&full) {
            let roster = without(&full, &case);
            let booked = placements_of(&problem, &roster);
            let before = roster_cost(&problem, &booked, &w);
            let held_now = not_held_cost(&problem, &problem.cases[problem.index.case[&case]], &w);
            for option in recommend_ok(&problem, &roster, &case, 10).options {
                let mut with = booked.clone();
                with.push(placement(&problem, &case, &option));
                let added = roster_cost(&problem, &with, &w) - before + held_now;
                assert_eq!(option.cost, added, "{name} {case}: {option:?}");
            }
        }
    }
}

#[test]
fn a_busier_mediator_pays_a_higher_fairness_step() {
    let mut scenario = Scenario::new();
    scenario.add_case("C-3", ISLINGTON, ISLINGTON);
    let problem = scenario.problem();
    let one_meeting = roster(vec![at("C-1", "M-CAM", MON, "AM", "V-CAM")]);
    let found = recommend_ok(&problem, &one_meeting, "C-3", MAX_OPTIONS);
    let fairness = |mediator: &str| {
        let option = found
            .options
            .iter()
            .find(|r| r.mediator == mediator)
            .unwrap_or_else(|| panic!("an option with {mediator}"));
        option
            .breakdown
            .iter()
            .find(|t| t.term == "fairness")
            .map_or(0, |t| t.units)
    };
    // Both mediators have the same capacity; M-CAM already holds one session.
    assert!(fairness("M-CAM") > fairness("M-ISL"));
    assert!(fairness("M-ISL") > 0);
}

#[test]
fn the_best_option_says_why_and_a_later_copy_of_it_says_how_many_days_later() {
    let problem = Scenario::new().problem();
    let found = recommend_ok(&problem, &Roster::default(), "C-2", MAX_OPTIONS);
    let best = &found.options[0];
    assert!(
        best.why.starts_with("Cheapest option: on time"),
        "{}",
        best.why
    );
    let later = found
        .options
        .iter()
        .find(|r| {
            r.mediator == best.mediator
                && r.venue == best.venue
                && r.mode == best.mode
                && r.session == best.session
                && r.date > best.date
        })
        .expect("the same option on a later day");
    let days = (later.date - best.date).num_days();
    assert_eq!(
        later.why,
        format!(
            "Costs {} more than option 1: {days} day(s) later than option 1.",
            later.cost - best.cost
        )
    );
}

#[test]
fn n_above_the_cap_returns_at_most_fifty_options() {
    let mut scenario = Scenario::new();
    for id in ["M-3", "M-4", "M-5"] {
        scenario.add_mediator(id, ISLINGTON, &[ISLINGTON]);
    }
    let problem = scenario.problem();
    let found = recommend_ok(&problem, &Roster::default(), "C-2", 1_000);
    assert!(
        found.free > MAX_OPTIONS,
        "the scenario has {} options",
        found.free
    );
    assert_eq!(found.options.len(), MAX_OPTIONS);
}

/// C-2's day 30 is Wed 16 Dec and its parent is free only on Monday morning (on time) and
/// on Thursday and Friday (late).
fn late_scenario() -> Problem {
    let mut scenario = Scenario::new();
    scenario.add_case("C-3", ISLINGTON, ISLINGTON);
    let c2 = scenario.case("C-2");
    c2.clock_start = d("2026-11-16");
    c2.parties = vec![
        party(PartyRole::La),
        PartyInput {
            availability: only_available(&[
                (MON, Some("AM")),
                ("2026-12-17", None),
                ("2026-12-18", None),
            ]),
            ..party(PartyRole::Parent)
        },
    ];
    scenario.problem()
}

#[test]
fn late_options_are_withheld_while_an_on_time_one_fits() {
    let problem = late_scenario();
    let one_mediator_busy = roster(vec![at("C-1", "M-CAM", MON, "AM", "V-CAM")]);
    let found = recommend_ok(&problem, &one_mediator_busy, "C-2", MAX_OPTIONS);
    assert!(!found.options.is_empty());
    assert!(found
        .options
        .iter()
        .all(|r| !r.late && r.mediator == "M-ISL"));
    assert!(found.free > found.options.len(), "late options fit too");
}

#[test]
fn late_options_are_offered_when_nothing_on_time_fits_and_say_so() {
    let problem = late_scenario();
    let both_busy = roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        by_video("C-3", "M-ISL", MON, "AM"),
    ]);
    let found = recommend_ok(&problem, &both_busy, "C-2", MAX_OPTIONS);
    assert!(!found.options.is_empty());
    assert!(found.options.iter().all(|r| r.late));
    let best = &found.options[0];
    assert_eq!(best.date, d("2026-12-17"));
    assert!(best.why.contains("1 day(s) after day 30"), "{}", best.why);
    assert!(best.breakdown.iter().any(|t| t.term == "late"));
    for option in &found.options {
        let mut placements = placements_of(&problem, &both_busy);
        placements.push(placement(&problem, "C-2", option));
        let report = check(&problem, &build_roster(&problem, &placements));
        assert!(report.is_valid(), "{option:?}: {:?}", report.violations);
    }
}

// ---------------------------------------------------------------------------------------
// Nothing fits
// ---------------------------------------------------------------------------------------

#[test]
fn a_case_with_no_free_option_gets_no_options_and_the_reasons_a_roster_gives() {
    let (problem, full) = week();
    for carried in &full.carried_over {
        let found = recommend_ok(&problem, &full, &carried.case, 5);
        assert!(found.options.is_empty(), "{}", carried.case);
        assert_eq!(found.free, 0);
        assert_eq!(found.reasons, carried.reasons, "{}", carried.case);
    }
    for unscheduled in &full.unscheduled {
        let found = recommend_ok(&problem, &full, &unscheduled.case, 5);
        assert!(found.options.is_empty(), "{}", unscheduled.case);
        assert_eq!(found.reasons, unscheduled.reasons, "{}", unscheduled.case);
    }
    assert!(!full.carried_over.is_empty() || !full.unscheduled.is_empty());
}

#[test]
fn a_case_whose_mediators_are_at_their_weekly_cap_is_explained_as_capacity_taken() {
    let mut scenario = Scenario::new();
    scenario.mediator("M-CAM").max_sessions_per_week = 1;
    scenario.mediator("M-ISL").max_sessions_per_week = 1;
    scenario.add_case("C-3", ISLINGTON, ISLINGTON);
    let problem = scenario.problem();
    let full = roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        at("C-2", "M-ISL", MON, "AM", "V-CAM"),
    ]);
    let found = recommend_ok(&problem, &full, "C-3", 5);
    assert!(found.options.is_empty());
    assert!(found.considered > 0);
    assert_eq!(found.free, 0);
    let codes: BTreeSet<&str> = found.reasons.iter().map(|r| r.code.as_str()).collect();
    assert!(codes.contains("capacity_taken"), "{:?}", found.reasons);
}

#[test]
fn a_case_no_mediator_may_hold_considers_nothing_and_says_impartiality() {
    let (problem, full) = week();
    let found = recommend_ok(&problem, &full, "SEN-2026-0499", 5);
    assert_eq!(found.considered, 0);
    assert!(found.options.is_empty());
    assert!(found.reasons.iter().any(|r| r.code == "impartiality"));
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

#[test]
fn an_unknown_case_reference_is_unknown_case() {
    let problem = Scenario::new().problem();
    let err = recommend(&problem, &Roster::default(), "C-99", 5, &Weights::default());
    assert_eq!(err, Err(RecommendError::UnknownCase("C-99".into())));
    assert_eq!(err.unwrap_err().code(), "unknown_case");
}

#[test]
fn a_case_already_in_the_roster_is_case_already_scheduled() {
    let problem = Scenario::new().problem();
    let held = roster(vec![at("C-1", "M-CAM", MON, "AM", "V-CAM")]);
    let err = recommend(&problem, &held, "C-1", 5, &Weights::default());
    assert_eq!(err, Err(RecommendError::CaseAlreadyInRoster("C-1".into())));
    assert_eq!(err.unwrap_err().code(), "case_already_scheduled");
}

#[test]
fn zero_options_asked_for_is_invalid_n() {
    let problem = Scenario::new().problem();
    let err = recommend(&problem, &Roster::default(), "C-1", 0, &Weights::default());
    assert_eq!(err, Err(RecommendError::InvalidN(0)));
    assert_eq!(err.unwrap_err().code(), "invalid_n");
}

#[test]
fn a_roster_naming_an_unknown_mediator_is_invalid_at_that_field() {
    let problem = Scenario::new().problem();
    let bad = roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        at("C-2", "M-NOPE", MON, "PM", "V-CAM"),
    ]);
    let err = recommend(&problem, &bad, "C-1", 5, &Weights::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_roster");
    let RecommendError::InvalidRoster {
        field, code, count, ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert_eq!(field, "/meetings/1/mediator");
    assert_eq!(code, "unknown_reference");
    assert_eq!(count, 1);
}

#[test]
fn a_roster_with_a_mediator_in_two_places_at_once_is_invalid() {
    let problem = Scenario::new().problem();
    let bad = roster(vec![
        at("C-1", "M-CAM", MON, "AM", "V-CAM"),
        at("C-2", "M-CAM", MON, "AM", "V-CAM"),
    ]);
    let err = recommend(&problem, &bad, "C-1", 5, &Weights::default()).unwrap_err();
    let RecommendError::InvalidRoster { field, code, .. } = err else {
        panic!("{err:?}");
    };
    assert_eq!(code, "mediator_overlap");
    assert_eq!(field, "/meetings/1");
}

#[test]
fn recommendations_serialise_with_the_roster_mode_names_and_stable_term_names() {
    let problem = Scenario::new().problem();
    let found = recommend_ok(&problem, &Roster::default(), "C-2", MAX_OPTIONS);
    let json = serde_json::to_value(&found).expect("serialises");
    let modes: BTreeSet<&str> = json["options"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|o| o["mode"].as_str())
        .collect();
    assert_eq!(modes, BTreeSet::from(["in_person", "video"]));
    let known = [
        "late",
        "mode_not_preferred",
        "urgency",
        "family_travel",
        "mediator_travel",
        "outside_preference",
        "interpreter",
        "fairness",
        "venue_cost",
    ];
    for option in &found.options {
        for term in &option.breakdown {
            assert!(known.contains(&term.term.as_str()), "{}", term.term);
        }
    }
    let back: Recommendations = serde_json::from_value(json).expect("deserialises");
    assert_eq!(back, found);
}
