//! The service's pages in a real browser (headless Chromium): a roster page opened through
//! a shared link, and the interactive API reference. Skipped without Chromium unless
//! `CI=true`.

use reqwest::Method;
use serde_json::Value;

use crate::chromium::{self, host_of};
use crate::helpers::*;

async fn visit(url: String, virtual_ms: Option<u32>) -> chromium::Visit {
    let browser = chromium::chromium().expect("checked by the caller");
    tokio::task::spawn_blocking(move || chromium::visit(&browser, &url, virtual_ms))
        .await
        .unwrap()
}

/// Asserts that the page asked nothing of any host but the test server.
fn only_the_server(visit: &chromium::Visit, url: &str, server: &str) {
    let origin = format!("http://{server}");
    let requests = visit.page_requests(url, &origin);
    assert!(
        !requests.is_empty(),
        "the net log shows the page's requests"
    );
    for r in requests {
        assert_eq!(host_of(&r.url), Some(server), "the page fetched {}", r.url);
    }
}

#[tokio::test]
async fn a_shared_link_opens_the_roster_page_in_a_browser_with_every_meeting() {
    if chromium::chromium().is_none() {
        return;
    }
    let app = spawn_app().await;
    let (id, roster) = done_week(&app).await;
    let link = new_link(&app, &id).await;
    let url = app.url(link["page"].as_str().unwrap());
    let seen = visit(url.clone(), None).await;
    let cells = seen.dom.matches("class=\"meeting").count();
    let meetings = roster["meetings"].as_array().unwrap();
    assert_eq!(cells, meetings.len(), "one cell per meeting");
    for m in meetings {
        let case = m["case"].as_str().unwrap();
        assert!(
            seen.dom.contains(&format!("data-case=\"{case}\"")),
            "{case}"
        );
    }
    for u in roster["unscheduled"].as_array().unwrap() {
        let reason = u["primary_reason"].as_str().unwrap();
        assert!(
            seen.dom
                .contains(&format!("data-primary-reason=\"{reason}\"")),
            "{} {reason}",
            u["case"]
        );
    }
    only_the_server(&seen, &url, &app.addr.to_string());
}

#[tokio::test]
async fn the_api_reference_renders_every_operation_from_the_binary() {
    if chromium::chromium().is_none() {
        return;
    }
    let app = spawn_app().await;
    let doc: Value = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .json()
        .await
        .unwrap();
    let operations: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            ["get", "post", "put", "patch", "delete"]
                .iter()
                .filter(|m| item.get(**m).is_some())
                .count()
        })
        .sum();
    let url = app.url("/docs/");
    // Swagger UI renders with script: give it virtual time to fetch and draw the document.
    let seen = visit(url.clone(), Some(15_000)).await;
    let rendered = seen.dom.matches("class=\"opblock opblock-").count();
    assert_eq!(rendered, operations, "every operation is drawn");
    for path in ["/v1/rosters/{id}/roster.html", "/v1/rosters/{id}/links"] {
        assert!(seen.dom.contains(path), "{path}");
    }
    only_the_server(&seen, &url, &app.addr.to_string());
}
