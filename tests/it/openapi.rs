//! The OpenAPI document is generated from the code and lists every route.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let doc: Value = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let expected = [
        ("/v1/rosters", "post"),
        ("/v1/rosters", "get"),
        ("/v1/rosters/{id}", "get"),
        ("/v1/rosters/{id}", "delete"),
        ("/v1/rosters/{id}/status", "get"),
        ("/v1/rosters/solve", "post"),
        ("/v1/validate", "post"),
        ("/v1/check", "post"),
        ("/v1/recommendations", "post"),
        ("/v1/what-if", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
        ("/v1/rosters/{id}/roster.html", "get"),
        ("/v1/rosters/{id}/changes.html", "get"),
        ("/v1/rosters/{id}/calendars/mediators/{mediator}", "get"),
        ("/v1/rosters/{id}/calendars/venues/{venue}", "get"),
        ("/v1/rosters/{id}/invitations/{case}", "get"),
        ("/v1/rosters/{id}/links", "post"),
        ("/v1/rosters/{id}/links/{link}", "delete"),
        ("/shared/{token}/roster.html", "get"),
        ("/shared/{token}/calendars/mediators/{mediator}", "get"),
        ("/shared/{token}/invitations/{case}", "get"),
    ];
    for (path, method) in expected {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["paths"]["/v1/rosters"]["post"]["security"].is_array());
}
