//! A job's roster page, calendars and invitations over the API, by key and through
//! read-only links.

use std::sync::Arc;

use chrono::{Duration, Utc};
use mediation_scheduler::api::store::LinkRecord;
use mediation_scheduler::api::{JobStore, SqliteStore};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::*;

fn meetings_of<'a>(roster: &'a Value, field: &str, id: &str) -> Vec<&'a Value> {
    roster["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m[field] == id)
        .collect()
}

fn content_type(r: &reqwest::Response) -> String {
    r.headers()["content-type"].to_str().unwrap().to_string()
}

async fn events(r: reqwest::Response) -> (String, usize) {
    assert_eq!(r.status(), 200);
    assert!(
        content_type(&r).starts_with("text/calendar"),
        "{}",
        content_type(&r)
    );
    let text = r.text().await.unwrap();
    let n = text.matches("BEGIN:VEVENT").count();
    (text, n)
}

#[tokio::test]
async fn the_page_and_every_calendar_of_a_job_are_served_with_their_content_types() {
    let app = spawn_app().await;
    let (id, roster) = done_week(&app).await;

    let r = app.get(&format!("/v1/rosters/{id}/roster.html"), CMS).await;
    assert_eq!(r.status(), 200);
    assert!(content_type(&r).starts_with("text/html"));
    let page = r.text().await.unwrap();
    for m in roster["meetings"].as_array().unwrap() {
        let case = m["case"].as_str().unwrap();
        assert!(page.contains(&format!("data-case=\"{case}\"")), "{case}");
    }

    let first = &roster["meetings"][0];
    let mediator = first["mediator"].as_str().unwrap();
    let (text, n) = events(
        app.get(
            &format!("/v1/rosters/{id}/calendars/mediators/{mediator}.ics"),
            CMS,
        )
        .await,
    )
    .await;
    assert_eq!(
        n,
        meetings_of(&roster, "mediator", mediator).len(),
        "{text}"
    );
    assert!(text.contains("TZID=Europe/London"));

    let in_person = roster["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["venue"].is_string())
        .expect("an in-person meeting");
    let venue = in_person["venue"].as_str().unwrap();
    let (_, n) = events(
        app.get(
            &format!("/v1/rosters/{id}/calendars/venues/{venue}.ics"),
            CMS,
        )
        .await,
    )
    .await;
    assert_eq!(n, meetings_of(&roster, "venue", venue).len());

    let case = first["case"].as_str().unwrap();
    let (text, n) = events(
        app.get(&format!("/v1/rosters/{id}/invitations/{case}.ics"), CMS)
            .await,
    )
    .await;
    assert_eq!(n, 1);
    assert!(text.contains("METHOD:REQUEST"));
    assert!(text.contains(&format!("UID:{case}@")));
}

#[tokio::test]
async fn unknown_ids_are_404_problems_and_other_keys_see_nothing() {
    let app = spawn_app().await;
    let (id, _) = done_week(&app).await;
    for (path, code) in [
        ("calendars/mediators/NOBODY.ics", "calendar_not_found"),
        ("calendars/mediators/M001", "calendar_not_found"),
        ("calendars/venues/NOWHERE.ics", "calendar_not_found"),
        ("invitations/SEN-0000-0000.ics", "invitation_not_found"),
        ("changes.html", "changes_not_found"),
    ] {
        let r = app.get(&format!("/v1/rosters/{id}/{path}"), CMS).await;
        let (status, body) = problem_code(r).await;
        assert_eq!(
            (status, body["code"].as_str().unwrap()),
            (404, code),
            "{path}"
        );
    }
    // Another key's job does not exist for this key, page or calendar alike.
    for path in ["roster.html", "calendars/mediators/M001.ics", "links"] {
        let method = if path == "links" {
            Method::POST
        } else {
            Method::GET
        };
        let r = app
            .call(
                method,
                &format!("/v1/rosters/{id}/{path}"),
                Some(OTHER),
                None,
            )
            .await;
        let (status, body) = problem_code(r).await;
        assert_eq!(
            (status, body["code"].as_str().unwrap()),
            (404, "job_not_found")
        );
    }
    let r = app
        .call(
            Method::GET,
            &format!("/v1/rosters/{id}/roster.html"),
            None,
            None,
        )
        .await;
    assert_eq!(problem_code(r).await.0, 401);
    let r = app
        .get(&format!("/v1/rosters/{}/roster.html", Uuid::new_v4()), CMS)
        .await;
    assert_eq!(problem_code(r).await.1["code"], "job_not_found");
}

#[tokio::test]
async fn a_job_without_a_roster_is_409_until_it_has_one() {
    let gate = Arc::new(GatedSolver::default());
    let app = spawn_with(
        config(),
        Arc::new(SqliteStore::in_memory().unwrap()),
        Some(gate.clone() as Arc<dyn mediation_scheduler::api::RosterSolver>),
    )
    .await;
    let id = app.submit(CMS, &submission(week())).await;
    let r = app.get(&format!("/v1/rosters/{id}/roster.html"), CMS).await;
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (409, "roster_not_ready")
    );
    gate.open();
    app.wait_finished(&id, CMS).await;
    let r = app.get(&format!("/v1/rosters/{id}/roster.html"), CMS).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_link_opens_one_job_without_a_key_until_revoked() {
    let app = spawn_app().await;
    let (id, roster) = done_week(&app).await;
    let (other_id, _) = done_week(&app).await;

    // A read scope is enough to make a link.
    let link = new_link(&app, &id).await;
    let token = link["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(link["job"], id.as_str());
    let expires = chrono::DateTime::parse_from_rfc3339(link["expires_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let days = (expires - Utc::now()).num_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&days), "{days} h");

    let page = link["page"].as_str().unwrap();
    let r = app.call(Method::GET, page, None, None).await;
    assert_eq!(r.status(), 200);
    assert!(content_type(&r).starts_with("text/html"));
    let mediator = roster["meetings"][0]["mediator"].as_str().unwrap();
    let calendars = link["calendars"].as_str().unwrap();
    let r = app
        .call(
            Method::GET,
            &format!("{calendars}mediators/{mediator}.ics"),
            None,
            None,
        )
        .await;
    let (_, n) = events(r).await;
    assert_eq!(n, meetings_of(&roster, "mediator", mediator).len());
    let case = roster["meetings"][0]["case"].as_str().unwrap();
    let invitations = link["invitations"].as_str().unwrap();
    let r = app
        .call(Method::GET, &format!("{invitations}{case}.ics"), None, None)
        .await;
    assert_eq!(events(r).await.1, 1);

    // The token is no key: it opens no /v1 route, not even its own job's.
    for path in [
        format!("/v1/rosters/{id}"),
        format!("/v1/rosters/{other_id}"),
    ] {
        let r = app.call(Method::GET, &path, Some(token), None).await;
        assert_eq!(problem_code(r).await.0, 401);
    }

    // Revoked: the same 404 as a token that never existed.
    let unknown = app
        .call(
            Method::GET,
            &format!("/shared/{}/roster.html", "0".repeat(64)),
            None,
            None,
        )
        .await;
    let (status, unknown) = problem_code(unknown).await;
    assert_eq!(
        (status, unknown["code"].as_str().unwrap()),
        (404, "link_not_found")
    );
    let link_id = link["id"].as_str().unwrap();
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{id}/links/{link_id}"),
            Some(OTHER),
            None,
        )
        .await;
    assert_eq!(problem_code(r).await.1["code"], "job_not_found");
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{other_id}/links/{link_id}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(problem_code(r).await.1["code"], "link_not_found");
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/rosters/{id}/links/{link_id}"),
            Some(CMS),
            None,
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = app.call(Method::GET, page, None, None).await;
    let (status, revoked) = problem_code(r).await;
    assert_eq!(status, 404);
    assert_eq!(revoked, unknown);
    let r = app
        .call(
            Method::GET,
            &format!("{calendars}mediators/{mediator}.ics"),
            None,
            None,
        )
        .await;
    assert_eq!(problem_code(r).await.1, unknown);
}

#[tokio::test]
async fn link_expiry_is_one_to_thirty_days_and_an_expired_link_is_unknown() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let app = spawn_with(config(), store.clone(), None).await;
    let (id, _) = done_week(&app).await;
    for days in [0, 31, -1] {
        let r = app
            .post(
                &format!("/v1/rosters/{id}/links"),
                CMS,
                &json!({ "expires_in_days": days }),
            )
            .await;
        let (status, body) = problem_code(r).await;
        assert_eq!(status, 422, "{days}");
        assert_eq!(body["errors"][0]["pointer"], "/expires_in_days");
    }
    let r = app
        .post(
            &format!("/v1/rosters/{id}/links"),
            CMS,
            &json!({ "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .post(
            &format!("/v1/rosters/{id}/links"),
            CMS,
            &json!({ "ttl": 3 }),
        )
        .await;
    assert_eq!(problem_code(r).await.0, 422);

    // A link past its expiry answers as an unknown one.
    let token = "ab".repeat(32);
    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    store
        .insert_link(&LinkRecord {
            id: Uuid::new_v4(),
            job: Uuid::parse_str(&id).unwrap(),
            token_hash: hash,
            created_at: Utc::now() - Duration::days(8),
            expires_at: Utc::now() - Duration::seconds(1),
            revoked_at: None,
        })
        .unwrap();
    let r = app
        .call(
            Method::GET,
            &format!("/shared/{token}/roster.html"),
            None,
            None,
        )
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (404, "link_not_found")
    );
}
