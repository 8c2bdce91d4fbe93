//! Limits below the handlers: a header too large for hyper (431) and the request id a
//! client may choose (1–128 visible ASCII characters, otherwise a fresh UUID).

use reqwest::header::HeaderValue;

use crate::helpers::*;

#[tokio::test]
async fn a_huge_header_is_431() {
    let app = spawn_app().await;
    let addr = app.addr;
    // Plain blocking sockets on their own threads: the server answers before reading the
    // whole request, so the writer runs apart from the reader.
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut write = stream.try_clone().unwrap();
        let huge = "a".repeat(1024 * 1024);
        let request = format!("GET /healthz HTTP/1.1\r\nhost: {addr}\r\nx-filler: {huge}\r\n\r\n");
        std::thread::spawn(move || {
            let _ = write.write_all(request.as_bytes());
        });
        let mut answer = Vec::new();
        let mut read = stream;
        let _ = read.read_to_end(&mut answer);
        answer
    })
    .await
    .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    // The service is still up.
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// The `x-request-id` the service answers to a request carrying `sent`.
async fn echoed(app: &TestApp, sent: HeaderValue) -> String {
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", sent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.headers()["x-request-id"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_fit_request_id_is_echoed() {
    let app = spawn_app().await;
    for id in ["abc-123_XYZ.9", "1", &"x".repeat(128), "~!#$%&'*+^`|"] {
        assert_eq!(echoed(&app, HeaderValue::from_str(id).unwrap()).await, id);
    }
}

#[tokio::test]
async fn an_unfit_request_id_is_replaced_by_a_fresh_uuid() {
    let app = spawn_app().await;
    let long = "a".repeat(8000);
    let just_over = "b".repeat(129);
    let unfit = [
        HeaderValue::from_str(&long).unwrap(),
        HeaderValue::from_str(&just_over).unwrap(),
        HeaderValue::from_static("has a space"),
        HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap(),
        HeaderValue::from_static(""),
    ];
    let mut seen = Vec::new();
    for sent in unfit {
        let got = echoed(&app, sent.clone()).await;
        assert_ne!(got.as_bytes(), sent.as_bytes());
        assert!(uuid::Uuid::parse_str(&got).is_ok(), "not a UUID: {got}");
        seen.push(got);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "each replacement is fresh");
    // Without one, the service makes one up too.
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(uuid::Uuid::parse_str(r.headers()["x-request-id"].to_str().unwrap()).is_ok());
}
