//! `paysign notify` against a tiny local HTTP server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread;

use crate::common::{key, run};

/// One request the test server received: its headers (in order) and body.
pub(crate) struct Received {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Received {
    /// A header's value (names compared case-insensitively), or "".
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A one-thread HTTP/1.1 server on 127.0.0.1:0 answering `answers` in turn (then stopping);
/// returns its URL and the thread, which yields the (Content-Type, body) of each request.
fn server(
    answers: Vec<(u16, &'static str)>,
) -> (String, thread::JoinHandle<Vec<(String, String)>>) {
    let (url, handle) = recording_server(answers);
    let handle = thread::spawn(move || {
        handle
            .join()
            .unwrap()
            .into_iter()
            .map(|r| (r.header("content-type").to_owned(), r.body))
            .collect()
    });
    (url, handle)
}

/// As [`server`], yielding every request's headers and body.
pub(crate) fn recording_server(
    answers: Vec<(u16, &'static str)>,
) -> (String, thread::JoinHandle<Vec<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/paysign/notify", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        let mut seen = Vec::new();
        for (status, body) in answers {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_owned(), value.trim().to_owned()));
                }
            }
            let received = Received {
                headers,
                body: String::new(),
            };
            let content_length = received.header("content-length").parse().unwrap_or(0);
            let mut request = vec![0; content_length];
            reader.read_exact(&mut request).unwrap();
            seen.push(Received {
                body: String::from_utf8(request).unwrap(),
                ..received
            });
            let mut stream = reader.into_inner();
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            stream.flush().unwrap();
        }
        seen
    });
    (url, handle)
}

fn field<'a>(body: &'a str, name: &str) -> &'a str {
    body.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap()
}

#[test]
fn notify_retries_until_acknowledged_with_the_same_notify_id() {
    let (url, server) = server(vec![
        (200, "fail"),
        (500, "success"),
        (200, "  success\r\n"),
    ]);
    let result = run(
        &[
            "notify",
            "--json",
            "--url",
            &url,
            "--key",
            &key("gateway_private_pkcs8.pem"),
            "--retries",
            "3",
            "--timeout",
            "5",
            "--amount",
            "12.34",
        ],
        b"",
    )
    .expect(0);
    let bodies = server.join().unwrap();
    let report = result.json();
    assert_eq!(report["acknowledged"], true);
    let attempts = report["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "{}", result.stderr);
    assert_eq!(attempts[0]["body"], "fail");
    assert_eq!(
        attempts[1]["status"], 500,
        "a non-200 success body is not an acknowledgement"
    );
    assert_eq!(attempts[2]["acknowledged"], true);
    assert!(
        result.stderr.contains("retrying in 0.5 s"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("retrying in 1.0 s"),
        "{}",
        result.stderr
    );

    assert_eq!(bodies.len(), 3);
    let notify_id = report["notify_id"].as_str().unwrap();
    for (content_type, body) in &bodies {
        assert_eq!(
            content_type,
            "application/x-www-form-urlencoded; charset=utf-8"
        );
        assert_eq!(field(body, "notify_id"), notify_id);
        assert_eq!(field(body, "total_amount"), "1234");
        // Each delivery is a valid gateway notification.
        run(
            &[
                "verify",
                "--sign-type",
                "RSA2",
                "--key",
                &key("gateway_public_spki.pem"),
                "--app-id",
                "2026000000000001",
            ],
            body.as_bytes(),
        )
        .expect(0);
    }
    // One event, one message (docs/protocol.md §9): every retry is byte for byte the first.
    assert!(
        bodies.iter().all(|(_, body)| body == &bodies[0].1),
        "retries differ: {bodies:?}"
    );
    assert_eq!(field(&bodies[0].1, "nonce").len(), 32);
}

#[test]
fn notify_gives_up_after_the_retries_with_exit_1() {
    let (url, server) = server(vec![(200, "fail"), (200, "OK")]);
    let result = run(
        &[
            "notify",
            "--url",
            &url,
            "--secret-file",
            &key("secret.txt"),
            "--retries",
            "1",
        ],
        b"",
    )
    .expect(1);
    assert_eq!(server.join().unwrap().len(), 2);
    assert!(
        result.stderr.contains("NOT_ACKNOWLEDGED"),
        "{}",
        result.stderr
    );
    assert!(result.stderr.contains("2 attempts"), "{}", result.stderr);
}

#[test]
fn notify_reports_connection_errors_and_refuses_https() {
    // A port nobody listens on: bind, note the port, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/notify");
    let failed = run(
        &[
            "notify",
            "--json",
            "--url",
            &url,
            "--key",
            &key("gateway_private_pkcs8.pem"),
            "--retries",
            "0",
        ],
        b"",
    )
    .expect(1)
    .json();
    assert_eq!(failed["code"], "NOT_ACKNOWLEDGED");
    assert!(failed["attempts"][0]["error"].is_string());

    let https = run(
        &[
            "notify",
            "--json",
            "--url",
            "https://merchant.example/notify",
            "--key",
            &key("gateway_private_pkcs8.pem"),
        ],
        b"",
    )
    .expect(2)
    .json();
    assert_eq!(https["code"], "USAGE");
}
