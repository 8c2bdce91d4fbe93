//! `changes.html`: who to call after a re-plan, one row per case whose meeting moved, was
//! dropped or was added: the old and new slot, the mediators and venues affected, and the
//! parties to contact by role (never by name).

use maud::{html, Markup};
use mediation_solver::kpi;
use mediation_solver::model::{Mode, PartyRole, Problem};
use mediation_solver::replan::{ChangeKind, MeetingChange};
use mediation_solver::roster::Meeting;

use super::{day, late_words, mediator, place, session};
use crate::report::Facts;

/// `changes.html`: who to call, change by change.
pub fn changes_page(problem: &Problem, kept: usize, changes: &[MeetingChange]) -> String {
    let h = &problem.horizon;
    let title = format!(
        "Who to call: re-planned roster {} to {}",
        day(h.start),
        day(h.end)
    );
    let count = |kind: ChangeKind| changes.iter().filter(|c| c.kind == kind).count();
    let forced = changes.iter().filter(|c| c.forced).count();
    let body = html! {
        a.skip href="#main" { "Skip to the changes" }
        header.page {
            h1 { (title) }
            p {
                (kept) " published meeting(s) kept exactly as published. "
                (changes.len()) " change(s): "
                (count(ChangeKind::Moved)) " moved, "
                (count(ChangeKind::Dropped)) " dropped, "
                (count(ChangeKind::Added)) " added; "
                (forced) " forced, " (changes.len() - forced) " voluntary."
            }
        }
        main id="main" {
            h2 { "Changes, case by case" }
            @if changes.is_empty() {
                p { "Nothing changed: every published meeting is kept. Nobody needs a call." }
            } @else {
                table.changes {
                    caption { "Who to call: each change with the old and new meeting" }
                    thead {
                        tr {
                            th scope="col" { "Case" }
                            th scope="col" { "Change" }
                            th.slot-col scope="col" { "Was" }
                            th.slot-col scope="col" { "Now" }
                            th scope="col" { "Mediators to call" }
                            th scope="col" { "Venues and interpreters to call" }
                            th scope="col" { "Parties to call" }
                            th scope="col" { "Why" }
                        }
                    }
                    tbody {
                        @for change in changes {
                            (row(problem, change))
                        }
                    }
                }
            }
        }
    };
    super::page(&title, body)
}

fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Moved => "moved",
        ChangeKind::Dropped => "dropped",
        ChangeKind::Added => "added",
    }
}

fn role_name(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Parent => "parent(s)",
        PartyRole::YoungPerson => "young person",
        PartyRole::Supporter => "supporter",
        PartyRole::La => "local authority",
        PartyRole::School => "school",
        PartyRole::Icb => "integrated care board",
    }
}

/// The parties of the case by role, each role once, in the case's order.
fn roles(problem: &Problem, case: &str) -> Option<String> {
    let &c = problem.index.case.get(case)?;
    let mut names: Vec<&str> = Vec::new();
    for party in &problem.cases[c].parties {
        let name = role_name(party.role);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Some(names.join(", "))
}

/// Date, session, mediator and place of one meeting.
fn slot(problem: &Problem, meeting: Option<&Meeting>) -> Markup {
    let Some(m) = meeting else {
        return html! { "–" };
    };
    let f = Facts::of(problem, m);
    html! {
        span { (day(m.date)) }
        span { (session(m, &f)) }
        span { (mediator(m, &f)) }
        span {
            (place(m, &f))
            @if let Some(i) = &m.interpreter { ", interpreter " (i) }
        }
        @if let Some(words) = late_words(&f) {
            strong.late-flag { (words) }
        }
    }
}

fn row(problem: &Problem, change: &MeetingChange) -> Markup {
    let meetings: Vec<&Meeting> = change.from.iter().chain(change.to.iter()).collect();
    let mut mediators: Vec<String> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for m in &meetings {
        let f = Facts::of(problem, m);
        let name = mediator(m, &f);
        if !mediators.contains(&name) {
            mediators.push(name);
        }
        if m.mode == Mode::InPerson {
            let venue = match f.venue {
                Some(v) => format!("{} ({})", v.name, v.id),
                None => place(m, &f),
            };
            if !others.contains(&venue) {
                others.push(venue);
            }
        }
        if let Some(i) = &m.interpreter {
            let interpreter = format!("interpreter {i}");
            if !others.contains(&interpreter) {
                others.push(interpreter);
            }
        }
    }
    let la = problem
        .index
        .case
        .get(&change.case)
        .map(|&c| kpi::la_name(problem, &problem.cases[c].la));
    let parties = roles(problem, &change.case);
    html! {
        tr.change data-case=(change.case) data-kind=(kind_name(change.kind)) {
            th scope="row" {
                (change.case)
                @if let Some(la) = la { span.sub { (la) } }
            }
            td {
                span.kind { (kind_name(change.kind)) }
                br;
                @if change.forced { "forced" } @else { "voluntary" }
            }
            td.slot { (slot(problem, change.from.as_ref())) }
            td.slot { (slot(problem, change.to.as_ref())) }
            td {
                @for (k, name) in mediators.iter().enumerate() {
                    @if k > 0 { br; }
                    (name)
                }
            }
            td {
                @if others.is_empty() { "none (video or phone)" }
                @for (k, name) in others.iter().enumerate() {
                    @if k > 0 { br; }
                    (name)
                }
            }
            td {
                @match parties {
                    Some(p) => { (p) },
                    None => { "the case's parties (the case is no longer in the problem)" },
                }
            }
            td {
                (change.why)
                @if let Some(rule) = &change.rule {
                    " " span.muted { "(rule " code { (rule) } ")" }
                }
            }
        }
    }
}
