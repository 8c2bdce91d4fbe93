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

async fn document() -> Value {
    let app = spawn_app().await;
    app.call(Method::GET, "/openapi.json", None, None)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn limit_and_cursor_are_optional_query_parameters_within_the_enforced_bounds() {
    let doc = document().await;
    let params = doc["paths"]["/v1/rosters"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    for name in ["limit", "cursor"] {
        assert_eq!(param(name)["in"], "query", "{name}");
        assert_eq!(param(name)["required"], false, "{name}");
    }
    assert_eq!(param("limit")["schema"]["minimum"], 1);
    assert_eq!(param("limit")["schema"]["maximum"], 100);
    assert_eq!(param("cursor")["schema"]["pattern"], "^[0-9]{1,19}$");
}

#[tokio::test]
async fn every_status_an_operation_can_answer_is_documented() {
    let doc = document().await;
    let auth = ["400", "401", "403", "408", "429"];
    let body = ["413", "415", "422"];
    let operations: &[(&str, &str, &[&str])] = &[
        ("/v1/rosters", "post", &["202", "409", "503"]),
        ("/v1/rosters", "get", &["200"]),
        ("/v1/rosters/{id}", "get", &["200", "404"]),
        ("/v1/rosters/{id}", "delete", &["200", "404"]),
        ("/v1/rosters/{id}/status", "get", &["200", "404"]),
        ("/v1/rosters/solve", "post", &["200", "500", "503"]),
        ("/v1/validate", "post", &["200"]),
        ("/v1/check", "post", &["200"]),
        ("/v1/recommendations", "post", &["200"]),
        ("/v1/what-if", "post", &["202", "409", "503"]),
        (
            "/v1/rosters/{id}/roster.html",
            "get",
            &["200", "404", "409"],
        ),
        ("/v1/rosters/{id}/links", "post", &["201", "404"]),
        ("/v1/rosters/{id}/links/{link}", "delete", &["204", "404"]),
    ];
    for (path, method, own) in operations {
        let op = &doc["paths"][path][method];
        let takes_body = op["requestBody"].is_object();
        let expected = auth
            .iter()
            .chain(if takes_body { &body[..] } else { &[] })
            .chain(own.iter());
        for status in expected {
            assert!(
                op["responses"][status].is_object(),
                "{method} {path}: {status} undocumented"
            );
        }
    }
    let retry = &doc["paths"]["/v1/validate"]["post"]["responses"]["429"]["headers"];
    assert!(retry["Retry-After"].is_object(), "{retry}");
    assert!(doc["paths"]["/shared/{token}/roster.html"]["get"]["responses"]["408"].is_object());
}

#[tokio::test]
async fn the_idempotency_key_header_has_the_enforced_length_and_charset() {
    let doc = document().await;
    for path in ["/v1/rosters", "/v1/what-if"] {
        let params = doc["paths"][path]["post"]["parameters"].as_array().unwrap();
        let key = params
            .iter()
            .find(|p| p["name"] == "Idempotency-Key")
            .unwrap();
        assert_eq!(key["in"], "header");
        assert_eq!(key["schema"]["minLength"], 1);
        assert_eq!(key["schema"]["maxLength"], 255);
        assert_eq!(key["schema"]["pattern"], "^[!-~]{1,255}$");
    }
}

#[tokio::test]
async fn the_request_documents_have_a_shape() {
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    let problem = &schemas["SubmitRequest"]["properties"]["problem"];
    assert_eq!(problem["type"], "object");
    let required: Vec<&str> = problem["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["horizon", "mediators", "venues", "cases"] {
        assert!(required.contains(&field), "{field} not required");
    }
    assert_eq!(problem["additionalProperties"], false);
    assert_eq!(
        schemas["CheckRequest"]["properties"]["roster"]["type"],
        "object"
    );
    assert_eq!(
        schemas["CheckRequest"]["properties"]["roster"]["required"][0],
        "meetings"
    );
    let what_if = &schemas["WhatIfRequest"]["properties"]["what_if"];
    assert_eq!(what_if["type"], "object");
    assert_eq!(what_if["properties"]["base"]["type"], "object");
    assert_eq!(
        schemas["ValidateRequest"]["properties"]["problem"]["type"],
        "object"
    );
}

#[tokio::test]
async fn a_submission_links_to_the_operations_on_its_job() {
    let doc = document().await;
    for path in ["/v1/rosters", "/v1/what-if"] {
        let links = &doc["paths"][path]["post"]["responses"]["202"]["links"];
        for (name, operation) in [
            ("GetJob", "get_job"),
            ("GetJobStatus", "get_status"),
            ("CancelJob", "cancel"),
        ] {
            assert_eq!(links[name]["operationId"], operation, "{path} {name}");
            assert_eq!(links[name]["parameters"]["id"], "$response.body#/id");
            assert!(links[name].get("operation_id").is_none());
        }
    }
    // The operation ids the links name exist.
    assert_eq!(
        doc["paths"]["/v1/rosters/{id}"]["get"]["operationId"],
        "get_job"
    );
    assert_eq!(
        doc["paths"]["/v1/rosters/{id}/status"]["get"]["operationId"],
        "get_status"
    );
    assert_eq!(
        doc["paths"]["/v1/rosters/{id}"]["delete"]["operationId"],
        "cancel"
    );
}
