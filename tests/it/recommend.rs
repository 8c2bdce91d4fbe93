//! `/v1/recommendations`: ranked options for one case beside a fixed roster.

use serde_json::{json, Value};

use crate::helpers::*;

/// The shipped week's roster from the synchronous solve, with `case`'s meeting taken out.
async fn roster_without(app: &TestApp, case: &str) -> Value {
    let result: Value = app
        .post("/v1/rosters/solve", CMS, &json!({ "problem": week() }))
        .await
        .json()
        .await
        .unwrap();
    let mut roster = result["roster"].clone();
    let meetings = roster["meetings"].as_array_mut().unwrap();
    let before = meetings.len();
    meetings.retain(|m| m["case"] != case);
    assert_eq!(meetings.len(), before - 1, "{case} was held");
    roster
}

#[tokio::test]
async fn recommendations_are_ranked_and_the_best_one_fits_the_roster() {
    let app = spawn_app().await;
    let case = "SEN-2026-0395";
    let roster = roster_without(&app, case).await;
    let r = app
        .post(
            "/v1/recommendations",
            CMS,
            &json!({ "problem": week(), "roster": roster, "case": case, "n": 3 }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let found: Value = r.json().await.unwrap();
    let options = found["options"].as_array().unwrap();
    assert!(!options.is_empty() && options.len() <= 3, "{found}");
    let costs: Vec<i64> = options
        .iter()
        .map(|o| o["cost"].as_i64().unwrap())
        .collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]), "{costs:?}");
    for (i, o) in options.iter().enumerate() {
        assert_eq!(o["rank"], i + 1);
        assert!(!o["why"].as_str().unwrap().is_empty());
    }
    // Holding the case at option 1 leaves a roster the checker accepts.
    let best = &options[0];
    let mut with_best = roster.clone();
    with_best["meetings"].as_array_mut().unwrap().push(json!({
        "case": case,
        "mediator": best["mediator"],
        "date": best["date"],
        "session": best["session"],
        "mode": best["mode"],
        "venue": best.get("venue"),
        "interpreter": best.get("interpreter"),
    }));
    let report: Value = app
        .post(
            "/v1/check",
            READER,
            &json!({ "problem": week(), "roster": with_best }),
        )
        .await
        .json()
        .await
        .unwrap();
    let hard: Vec<&Value> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["case"] == case)
        .collect();
    assert!(hard.is_empty(), "{hard:?}");
}

#[tokio::test]
async fn an_unknown_case_is_422_unknown_case() {
    let app = spawn_app().await;
    let roster = roster_without(&app, "SEN-2026-0395").await;
    let r = app
        .post(
            "/v1/recommendations",
            CMS,
            &json!({ "problem": week(), "roster": roster, "case": "SEN-1999-0001" }),
        )
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("unknown_case")));
    assert_eq!(body["errors"][0]["pointer"], "/case");
}

#[tokio::test]
async fn a_case_already_in_the_roster_is_422_case_already_scheduled() {
    let app = spawn_app().await;
    let roster = roster_without(&app, "SEN-2026-0395").await;
    let held = roster["meetings"][0]["case"].clone();
    let r = app
        .post(
            "/v1/recommendations",
            CMS,
            &json!({ "problem": week(), "roster": roster, "case": held }),
        )
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("case_already_scheduled"))
    );
}

#[tokio::test]
async fn zero_options_is_422_invalid_n() {
    let app = spawn_app().await;
    let roster = roster_without(&app, "SEN-2026-0395").await;
    let r = app
        .post(
            "/v1/recommendations",
            CMS,
            &json!({ "problem": week(), "roster": roster, "case": "SEN-2026-0395", "n": 0 }),
        )
        .await;
    let (status, body) = problem_code(r).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_n")));
}

/// A weight too large to price a placement (it overflowed the cost before the limit) is
/// refused by name, as a negative one is.
#[tokio::test]
async fn a_weight_out_of_range_is_422_invalid_weight_at_its_field() {
    let app = spawn_app().await;
    let roster = roster_without(&app, "SEN-2026-0395").await;
    for (weights, pointer) in [
        (json!({ "family_km": i64::MAX }), "/weights/family_km"),
        (json!({ "interpreter": -1 }), "/weights/interpreter"),
    ] {
        let r = app
            .post(
                "/v1/recommendations",
                CMS,
                &json!({ "problem": week(), "roster": roster, "case": "SEN-2026-0395", "weights": weights }),
            )
            .await;
        let (status, body) = problem_code(r).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("invalid_weight")),
            "{body}"
        );
        assert!(body.to_string().contains(pointer), "{body}");
    }
}

#[tokio::test]
async fn a_read_only_key_cannot_ask_for_recommendations() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/v1/recommendations",
            READER,
            &json!({ "problem": week(), "roster": {"meetings": []}, "case": "SEN-2026-0395" }),
        )
        .await;
    assert_eq!(r.status(), 403);
}
