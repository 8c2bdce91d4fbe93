//! The coordinator's text report: meetings by day and session, the cases not held (or held
//! late) with their reasons, key figures, and how the solve went.

use std::fmt::Write as _;

use chrono::NaiveDate;
use mediation_solver::kpi::{self, CaseKpis};
use mediation_solver::milp::{SolveStatus, SolverSummary};
use mediation_solver::model::{Mode, Problem};
use mediation_solver::roster::Reason;

use super::layout::{Align, Table};
use super::{Facts, RosterReport};

/// The whole report.
pub fn text(report: &RosterReport) -> String {
    let mut out = String::new();
    heading(&mut out, report);
    meetings(&mut out, report);
    not_held(&mut out, report);
    late(&mut out, report);
    figures(&mut out, report);
    mediators(&mut out, report);
    solver(&mut out, &report.outcome.solver, report.outcome.repaired);
    if !report.warnings.is_empty() {
        section(&mut out, &format!("Warnings ({})", report.warnings.len()));
        for issue in report.warnings {
            let _ = writeln!(out, "  {}", super::issue_line(issue));
        }
    }
    out
}

fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}\n{}", "=".repeat(title.chars().count()));
}

fn heading(out: &mut String, report: &RosterReport) {
    let h = &report.problem.horizon;
    let roster = &report.outcome.roster;
    let late = report.kpis.overall.late;
    let _ = writeln!(
        out,
        "Mediation roster {} to {} (published {})",
        day(h.start),
        day(h.end),
        day(h.publication_date)
    );
    let _ = writeln!(
        out,
        "{} meeting(s), {} late; {} unscheduled; {} carried over",
        roster.meetings.len(),
        late,
        roster.unscheduled.len(),
        roster.carried_over.len()
    );
}

fn meetings(out: &mut String, report: &RosterReport) {
    let problem = report.problem;
    section(out, "Meetings");
    let mut table = Table::new(&[
        ("Date", Align::Left),
        ("Session", Align::Left),
        ("Case", Align::Left),
        ("LA", Align::Left),
        ("Mediator", Align::Left),
        ("Where", Align::Left),
        ("Deadline", Align::Left),
        ("Margin", Align::Right),
        ("Certificate due", Align::Left),
        ("", Align::Left),
    ]);
    let mut previous: Option<NaiveDate> = None;
    for meeting in &report.outcome.roster.meetings {
        let f = Facts::of(problem, meeting);
        let date = if previous == Some(meeting.date) {
            String::new()
        } else {
            day(meeting.date)
        };
        previous = Some(meeting.date);
        let session = match f.template {
            Some(t) => format!(
                "{} {}–{}",
                t.id,
                t.start.format("%H:%M"),
                t.end.format("%H:%M")
            ),
            None => meeting.session.clone(),
        };
        let mediator = match f.mediator {
            Some(m) => format!("{} ({})", m.name, m.id),
            None => meeting.mediator.clone(),
        };
        let mut place = match (meeting.mode, f.venue) {
            (Mode::InPerson, Some(v)) => v.name.clone(),
            (Mode::InPerson, None) => meeting.venue.clone().unwrap_or_else(|| "in person".into()),
            (Mode::Video, _) => "video".into(),
            (Mode::Phone, _) => "phone".into(),
        };
        if let Some(i) = &meeting.interpreter {
            let _ = write!(place, " + interpreter {i}");
        }
        table.row(vec![
            date,
            session,
            meeting.case.clone(),
            f.case
                .map(|c| kpi::la_name(problem, &c.la))
                .unwrap_or_default(),
            mediator,
            place,
            f.deadline.map(day).unwrap_or_default(),
            f.margin.map(|m| format!("{m:+} d")).unwrap_or_default(),
            day(f.certificate_due),
            if f.late == Some(true) {
                "LATE".into()
            } else {
                String::new()
            },
        ]);
    }
    if table.is_empty() {
        out.push_str("  none\n");
    } else {
        out.push_str(&table.render());
    }
}

fn reasons(out: &mut String, reasons: &[Reason]) {
    for r in reasons {
        let _ = writeln!(out, "    - {} ×{}: {}", r.code, r.count, r.message);
    }
}

fn la_of(problem: &Problem, reference: &str) -> String {
    problem
        .index
        .case
        .get(reference)
        .map(|&c| kpi::la_name(problem, &problem.cases[c].la))
        .unwrap_or_default()
}

fn not_held(out: &mut String, report: &RosterReport) {
    let problem = report.problem;
    let roster = &report.outcome.roster;
    section(out, &format!("Unscheduled ({})", roster.unscheduled.len()));
    if roster.unscheduled.is_empty() {
        out.push_str("  none\n");
    }
    for u in &roster.unscheduled {
        let _ = writeln!(
            out,
            "  {}  {}  deadline {}  primary reason: {}",
            u.case,
            la_of(problem, &u.case),
            day(u.deadline),
            u.primary_reason
        );
        reasons(out, &u.reasons);
    }
    section(
        out,
        &format!("Carried over ({})", roster.carried_over.len()),
    );
    if roster.carried_over.is_empty() {
        out.push_str("  none\n");
    }
    for c in &roster.carried_over {
        let primary = if c.primary_reason.is_empty() {
            "-"
        } else {
            c.primary_reason.as_str()
        };
        let _ = writeln!(
            out,
            "  {}  {}  deadline {} (after this roster)  primary reason: {}",
            c.case,
            la_of(problem, &c.case),
            day(c.deadline),
            primary
        );
        reasons(out, &c.reasons);
    }
}

/// Late meetings, each with why it could not be held by its deadline.
fn late(out: &mut String, report: &RosterReport) {
    let problem = report.problem;
    let late: Vec<_> = report
        .outcome
        .roster
        .meetings
        .iter()
        .filter_map(|m| {
            let f = Facts::of(problem, m);
            (f.late == Some(true)).then_some((m, f))
        })
        .collect();
    section(out, &format!("Late ({})", late.len()));
    if late.is_empty() {
        out.push_str("  none\n");
    }
    for (meeting, f) in late {
        let deadline = f.deadline.map(day).unwrap_or_default();
        let days_late = -f.margin.unwrap_or(0);
        let why = meeting.details.as_ref();
        let _ = writeln!(
            out,
            "  {}  {}  meets {}, {days_late} day(s) after its deadline {deadline}  primary reason: {}",
            meeting.case,
            la_of(problem, &meeting.case),
            day(meeting.date),
            why.and_then(|w| w.late_primary_reason.as_deref())
                .unwrap_or("-"),
        );
        if let Some(why) = why {
            reasons(out, &why.late_reasons);
        }
    }
}

fn opt(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.1}"))
}

fn figures(out: &mut String, report: &RosterReport) {
    section(out, "Key figures");
    let mut table = Table::new(&[
        ("LA", Align::Left),
        ("Code", Align::Left),
        ("Cases", Align::Right),
        ("Held", Align::Right),
        ("By day 30", Align::Right),
        ("Late", Align::Right),
        ("Unscheduled", Align::Right),
        ("Carried over", Align::Right),
        ("Mean days", Align::Right),
        ("Family km", Align::Right),
        ("Mean family km", Align::Right),
        ("Mediator km", Align::Right),
        ("In person", Align::Right),
        ("Video", Align::Right),
        ("Phone", Align::Right),
    ]);
    let row = |name: &str, code: &str, k: &CaseKpis| {
        vec![
            name.to_string(),
            code.to_string(),
            k.cases.to_string(),
            k.held.to_string(),
            k.held_by_day_30.to_string(),
            k.late.to_string(),
            k.unscheduled.to_string(),
            k.carried_over.to_string(),
            opt(k.mean_days_to_meeting),
            format!("{:.1}", k.family_travel_km_total),
            opt(k.family_travel_km_mean),
            format!("{:.1}", k.mediator_travel_km_total),
            k.meetings_by_mode.in_person.to_string(),
            k.meetings_by_mode.video.to_string(),
            k.meetings_by_mode.phone.to_string(),
        ]
    };
    table.row(row("All", "", &report.kpis.overall));
    for la in &report.kpis.by_la {
        table.row(row(&la.la_name, &la.la_code, &la.kpis));
    }
    out.push_str(&table.render());
}

fn mediators(out: &mut String, report: &RosterReport) {
    section(out, "Sessions per mediator");
    let mut table = Table::new(&[
        ("Mediator", Align::Left),
        ("Meetings", Align::Right),
        ("Sessions", Align::Right),
        ("Capacity", Align::Right),
        ("Utilisation", Align::Right),
    ]);
    for m in &report.kpis.mediators {
        let name = report.problem.index.mediator.get(&m.mediator).map_or_else(
            || m.mediator.clone(),
            |&i| format!("{} ({})", report.problem.mediators[i].name, m.mediator),
        );
        table.row(vec![
            name,
            m.meetings.to_string(),
            m.sessions.to_string(),
            m.capacity.to_string(),
            m.utilisation
                .map_or_else(|| "–".to_string(), |u| format!("{:.0}%", u * 100.0)),
        ]);
    }
    if table.is_empty() {
        out.push_str("  none\n");
    } else {
        out.push_str(&table.render());
    }
}

pub(crate) fn status_name(status: SolveStatus) -> &'static str {
    match status {
        SolveStatus::Optimal => "optimal",
        SolveStatus::GapLimit => "stopped at the gap limit",
        SolveStatus::TimeLimit => "stopped at the time limit",
        SolveStatus::SizeLimit => "stopped at the model size limit",
        SolveStatus::BackendFailed => "backend failed: greedy roster",
    }
}

fn solver(out: &mut String, s: &SolverSummary, repaired: usize) {
    section(out, "Solver");
    let gap = match (s.absolute_gap, s.relative_gap) {
        (Some(a), Some(r)) => format!("{a:.0} ({:.2}%)", r * 100.0),
        (Some(a), None) => format!("{a:.0}"),
        _ => "–".into(),
    };
    let lines = [
        ("backend", s.backend.as_str().to_string()),
        ("status", status_name(s.status).to_string()),
        ("objective", format!("{:.0}", s.objective)),
        (
            "best bound",
            s.best_bound
                .map_or_else(|| "–".into(), |b| format!("{b:.0}")),
        ),
        ("gap", gap),
        ("build time", format!("{:.2} s", s.build_seconds)),
        ("solve time", format!("{:.2} s", s.solve_seconds)),
        ("candidates", s.candidates.to_string()),
        ("variables", s.variables.to_string()),
        ("constraints", s.constraints.to_string()),
        ("repaired", repaired.to_string()),
    ];
    for (key, value) in lines {
        let _ = writeln!(out, "  {key:<12} {value}");
    }
}
