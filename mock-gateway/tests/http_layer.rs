//! The HTTP layer's own rejections, over raw TCP (docs/security.md, "The HTTP layer"):
//! bodies too large by declaration or by count, broken chunked framing, slow heads and
//! bodies, too many connections, connection age; then the rejections of routing, query
//! strings, path parameters and admin JSON. Each test starts its own gateway on
//! 127.0.0.1:0 and stops it.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{Gateway, verify_signature_only};
use paysign_core::PublicKey;
use paysign_gateway::{GatewayConfig, HttpLimits};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const GATEWAY_PATH: &str = "/gateway/v1/bill.items.list";
const ADMIN_PATH: &str = "/admin/merchants";

async fn start(limits: HttpLimits) -> Gateway {
    Gateway::start_with(GatewayConfig {
        limits,
        ..common::config()
    })
    .await
}

/// Limits with a generous clock: a test that expects an answer at once proves it did
/// not wait for a timeout.
fn patient() -> HttpLimits {
    HttpLimits {
        header_timeout: Duration::from_secs(30),
        body_timeout: Duration::from_secs(30),
        ..HttpLimits::default()
    }
}

async fn gateway_key(gw: &Gateway) -> PublicKey {
    let v = gw.get("/admin/gateway-key").await;
    PublicKey::parse(v["public_key"].as_str().unwrap().as_bytes()).unwrap()
}

/// A response read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The unsigned `{"code","message"}` shape; returns the code.
    fn plain_code(&self) -> String {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        let v: Value = serde_json::from_str(&self.body).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["code", "message"], "{self:?}");
        v["code"].as_str().unwrap().to_owned()
    }

    /// The signed envelope (§5), its signature checked; returns the code.
    fn signed_code(&self, key: &PublicKey) -> String {
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=utf-8"),
            "{self:?}"
        );
        let v = verify_signature_only(key, &self.body);
        v["code"].as_str().unwrap().to_owned()
    }

    /// The code in whichever shape the path answers with.
    fn code(&self, path: &str, key: &PublicKey) -> String {
        if path.starts_with("/gateway/") {
            self.signed_code(key)
        } else {
            self.plain_code()
        }
    }
}

impl Answer {
    /// A whole response: `None` until its head and `Content-Length` bytes of body are in.
    fn parse(bytes: &[u8]) -> Option<Answer> {
        let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let head = std::str::from_utf8(&bytes[..head_end]).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap();
                (n.trim().to_owned(), v.trim().to_owned())
            })
            .collect();
        let mut answer = Answer {
            status,
            headers,
            body: String::new(),
        };
        let length: usize = answer.header("content-length")?.parse().unwrap();
        let body = bytes.get(head_end..head_end + length)?;
        answer.body = String::from_utf8(body.to_vec()).unwrap();
        Some(answer)
    }

    /// Asserts the status and the code (in the shape `path` answers with).
    fn expect(&self, path: &str, key: &PublicKey, status: u16, code: &str, case: &str) {
        assert_eq!(
            (self.status, self.code(path, key).as_str()),
            (status, code),
            "{path}, {case}: {self:?}"
        );
    }
}

/// Reads one response; `Err` if the connection closed (or `within` passed) first.
async fn read_answer(stream: &mut TcpStream, within: Duration) -> Result<Answer, String> {
    tokio::time::timeout(within, async {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(answer) = Answer::parse(&buf) {
                return Ok(answer);
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => {
                    return Err(format!(
                        "closed without an answer ({:?})",
                        String::from_utf8_lossy(&buf)
                    ));
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await
    .unwrap_or_else(|_| Err(format!("no answer within {within:?}")))
}

/// Sends `request` on a new connection and reads the answer.
async fn exchange(addr: SocketAddr, request: &[u8], within: Duration) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_answer(&mut stream, within).await.unwrap()
}

/// Whether the server closes `stream` within `within` (reads and discards until then).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut sink = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// A request head; admin paths carry the admin token, so that the body rules are what
/// answers.
fn head(method: &str, path: &str, extra: &str) -> String {
    let (content_type, authorization) = if path.starts_with("/gateway/") {
        ("application/x-www-form-urlencoded", String::new())
    } else {
        (
            "application/json",
            format!("authorization: Bearer {}\r\n", common::ADMIN_TOKEN),
        )
    };
    format!(
        "{method} {path} HTTP/1.1\r\nhost: gw\r\ncontent-type: {content_type}\r\n{authorization}{extra}\r\n"
    )
}

// ---------- body size ----------

#[tokio::test]
async fn a_declared_content_length_over_the_limit_is_refused_before_any_body_byte() {
    let gw = start(patient()).await;
    let key = gateway_key(&gw).await;
    for length in [
        "65537",
        "1000000",
        "1000000000000",
        "18446744073709551613", // the largest length hyper frames (u64::MAX - 2)
    ] {
        for path in [GATEWAY_PATH, ADMIN_PATH] {
            let started = Instant::now();
            let request = head("POST", path, &format!("content-length: {length}\r\n"));
            let a = exchange(
                gw.handle.local_addr(),
                request.as_bytes(),
                Duration::from_secs(5),
            )
            .await;
            a.expect(path, &key, 400, "BODY_TOO_LARGE", length);
            assert_eq!(a.header("connection"), Some("close"), "{a:?}");
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "answered at once"
            );
        }
    }
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_body_over_the_limit_is_too_large_with_a_length_or_in_chunks_and_the_limit_itself_is_not()
{
    let gw = start(patient()).await;
    let key = gateway_key(&gw).await;
    let addr = gw.handle.local_addr();
    for path in [GATEWAY_PATH, ADMIN_PATH] {
        // 65,537 bytes with a Content-Length.
        let body = "a".repeat(65_537);
        let request = head("POST", path, "content-length: 65537\r\n") + &body;
        let a = exchange(addr, request.as_bytes(), Duration::from_secs(5)).await;
        a.expect(
            path,
            &key,
            400,
            "BODY_TOO_LARGE",
            "65,537 bytes with a length",
        );
        // The same in chunks of 20,000 (no length to refuse up front).
        let mut chunked = head("POST", path, "transfer-encoding: chunked\r\n");
        for part in [20_000, 20_000, 20_000, 5_537] {
            chunked += &format!("{part:x}\r\n{}\r\n", "a".repeat(part));
        }
        chunked += "0\r\n\r\n";
        let a = exchange(addr, chunked.as_bytes(), Duration::from_secs(5)).await;
        a.expect(path, &key, 400, "BODY_TOO_LARGE", "65,537 bytes in chunks");
        // Exactly the limit is read and parsed: refused for what it says, not its size.
        let body = "a".repeat(65_536);
        let request = head("POST", path, "content-length: 65536\r\n") + &body;
        let a = exchange(addr, request.as_bytes(), Duration::from_secs(5)).await;
        a.expect(path, &key, 400, "BODY_MALFORMED", "exactly 65,536 bytes");
    }
    gw.handle.shutdown().await.unwrap();
}

// ---------- chunked framing ----------

#[tokio::test]
async fn broken_chunked_framing_is_body_framing_invalid_never_body_too_large() {
    let gw = start(patient()).await;
    let key = gateway_key(&gw).await;
    let addr = gw.handle.local_addr();
    let cases: [(&str, &str); 8] = [
        (
            "a chunk size that is not hexadecimal",
            "zz\r\nhello\r\n0\r\n\r\n",
        ),
        ("a negative chunk size", "-5\r\nhello\r\n0\r\n\r\n"),
        ("a chunk size with a 0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
        (
            "a chunk size that overflows 64 bits",
            "fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        ),
        ("an empty chunk-size line", "\r\nhello\r\n0\r\n\r\n"),
        (
            "chunk data longer than its size",
            "5\r\nhelloXY\r\n0\r\n\r\n",
        ),
        (
            "a chunk size with spaces inside",
            "5 5\r\nhello\r\n0\r\n\r\n",
        ),
        ("a bare LF after the chunk size", "5\nhello\r\n0\r\n\r\n"),
    ];
    for path in [GATEWAY_PATH, ADMIN_PATH] {
        for (what, body) in cases {
            let request = head("POST", path, "transfer-encoding: chunked\r\n") + body;
            let a = exchange(addr, request.as_bytes(), Duration::from_secs(5)).await;
            a.expect(path, &key, 400, "BODY_FRAMING_INVALID", what);
            assert_eq!(a.header("connection"), Some("close"), "{what}");
        }
        // A body cut short: the client stops sending (half-close) before its length.
        for (what, framing, body) in [
            ("a length not reached", "content-length: 100\r\n", "{\"a\":"),
            (
                "a chunk not finished",
                "transfer-encoding: chunked\r\n",
                "10\r\nabc",
            ),
        ] {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let request = head("POST", path, framing) + body;
            stream.write_all(request.as_bytes()).await.unwrap();
            stream.shutdown().await.unwrap();
            let a = read_answer(&mut stream, Duration::from_secs(5))
                .await
                .unwrap();
            a.expect(path, &key, 400, "BODY_FRAMING_INVALID", what);
        }
    }
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_head_hyper_cannot_frame_is_refused_with_a_bare_status_and_closed_at_once() {
    // The documented exception: no route has seen these requests, so there is no
    // protocol answer; hyper answers the status and closes (never waits, never 200).
    let gw = start(patient()).await;
    let addr = gw.handle.local_addr();
    let cases: [(&str, &str, u16); 7] = [
        (
            "a Content-Length of 2^64",
            "content-length: 18446744073709551616\r\n",
            400,
        ),
        // hyper keeps the two top values of u64 for itself and calls them too large.
        (
            "a Content-Length of u64::MAX",
            "content-length: 18446744073709551615\r\n",
            431,
        ),
        (
            "a Content-Length of 30 digits",
            "content-length: 999999999999999999999999999999\r\n",
            400,
        ),
        ("a negative Content-Length", "content-length: -1\r\n", 400),
        ("a Content-Length in hex", "content-length: 0x10\r\n", 400),
        (
            "two different Content-Lengths",
            "content-length: 5\r\ncontent-length: 6\r\n",
            400,
        ),
        (
            "a transfer coding other than chunked",
            "transfer-encoding: gzip\r\n",
            400,
        ),
    ];
    for path in [GATEWAY_PATH, ADMIN_PATH] {
        for (what, headers, status) in cases {
            let started = Instant::now();
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream
                .write_all(head("POST", path, headers).as_bytes())
                .await
                .unwrap();
            let a = read_answer(&mut stream, Duration::from_secs(5))
                .await
                .unwrap();
            assert_eq!(a.status, status, "{path}, {what}: {a:?}");
            assert!(a.body.is_empty(), "{what}: {a:?}");
            assert!(
                closed_within(&mut stream, Duration::from_secs(2)).await,
                "{what}"
            );
            assert!(started.elapsed() < Duration::from_secs(2), "{what}");
        }
    }
    gw.handle.shutdown().await.unwrap();
}

// ---------- slow clients ----------

fn quick() -> HttpLimits {
    HttpLimits {
        header_timeout: Duration::from_millis(600),
        body_timeout: Duration::from_millis(600),
        ..HttpLimits::default()
    }
}

#[tokio::test]
async fn a_head_that_has_not_arrived_within_the_header_timeout_closes_the_connection() {
    let gw = start(quick()).await;
    let addr = gw.handle.local_addr();
    // Slowloris: a byte of the head every 100 ms keeps the connection busy forever
    // unless the whole head has a deadline.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let trickle = async {
        for byte in b"POST /gateway/v1/bill.query HTTP/1.1\r\nhost: gw\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    // The head is 8 s of bytes; a server without a head deadline lets all 6 s pass.
    tokio::time::timeout(Duration::from_secs(6), trickle)
        .await
        .ok();
    let elapsed = started.elapsed();
    assert!(
        closed_within(&mut stream, Duration::from_millis(500)).await,
        "closed after {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");

    // A connection that sends nothing, one that sends half a request line, and one
    // idle after a first answer (keep-alive) are closed too.
    for opening in [&b""[..], b"GET /heal"] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(opening).await.unwrap();
        let started = Instant::now();
        assert!(closed_within(&mut stream, Duration::from_secs(2)).await);
        assert!(
            started.elapsed() >= Duration::from_millis(400),
            "not before the timeout"
        );
    }
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n")
        .await
        .unwrap();
    let a = read_answer(&mut stream, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    assert!(closed_within(&mut stream, Duration::from_secs(2)).await);
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_body_that_has_not_arrived_within_the_body_timeout_is_request_timeout() {
    let gw = start(quick()).await;
    let key = gateway_key(&gw).await;
    let addr = gw.handle.local_addr();
    for path in [GATEWAY_PATH, ADMIN_PATH] {
        for (what, framing, first, drip) in [
            ("a body never sent", "content-length: 10\r\n", "", &b""[..]),
            (
                "a body sent a byte at a time",
                "content-length: 64\r\n",
                "{",
                b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            ),
            (
                "chunks sent a byte at a time",
                "transfer-encoding: chunked\r\n",
                "40\r\n",
                b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            ),
        ] {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let started = Instant::now();
            stream
                .write_all((head("POST", path, framing) + first).as_bytes())
                .await
                .unwrap();
            let (mut reader, mut writer) = stream.split();
            let drip = async {
                for byte in drip {
                    if writer.write_all(&[*byte]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                std::future::pending::<()>().await;
            };
            let answer = async {
                let mut whole = Vec::new();
                let _ =
                    tokio::time::timeout(Duration::from_secs(6), reader.read_to_end(&mut whole))
                        .await;
                whole
            };
            let whole = tokio::select! {
                whole = answer => whole,
                () = drip => unreachable!(),
            };
            let elapsed = started.elapsed();
            let a = Answer::parse(&whole).unwrap_or_else(|| {
                panic!("{what}: no answer: {:?}", String::from_utf8_lossy(&whole))
            });
            a.expect(path, &key, 408, "REQUEST_TIMEOUT", what);
            assert_eq!(a.header("connection"), Some("close"), "{what}");
            assert!(elapsed < Duration::from_secs(3), "{what}: {elapsed:?}");
        }
    }
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_connection_over_the_limit_is_answered_server_busy_and_a_freed_slot_serves_again() {
    let gw = start(HttpLimits {
        max_connections: 3,
        ..patient()
    })
    .await;
    let addr = gw.handle.local_addr();
    // Three idle connections (slowloris without a byte) take every slot.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    for request in [
        &b"GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n"[..],
        b"POST /gateway/v1/bill.query HTTP/1.1\r\nhost: gw\r\ncontent-length: 0\r\n\r\n",
        b"",
    ] {
        let started = Instant::now();
        let a = exchange(addr, request, Duration::from_secs(3)).await;
        assert_eq!(
            (a.status, a.plain_code().as_str()),
            (503, "SERVER_BUSY"),
            "{a:?}"
        );
        assert_eq!(a.header("retry-after"), Some("1"));
        assert_eq!(a.header("connection"), Some("close"));
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    // Freeing one slot lets the next client in.
    drop(held.pop());
    let mut served = None;
    for _ in 0..50 {
        let a = exchange(
            addr,
            b"GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n",
            Duration::from_secs(3),
        )
        .await;
        if a.status == 200 {
            served = Some(a);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served.is_some(), "a freed slot serves again");
    drop(held);
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_connection_older_than_its_maximum_age_is_closed_after_its_answer() {
    let gw = start(HttpLimits {
        max_connection_age: Duration::from_millis(800),
        ..patient()
    })
    .await;
    let mut stream = TcpStream::connect(gw.handle.local_addr()).await.unwrap();
    let started = Instant::now();
    // A busy keep-alive client: a request every 100 ms keeps it from ever being idle.
    let mut answered = 0;
    loop {
        let sent = stream
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n")
            .await;
        match (sent, read_answer(&mut stream, Duration::from_secs(2)).await) {
            (Ok(()), Ok(a)) => {
                assert_eq!(a.status, 200);
                answered += 1;
            }
            _ => break,
        }
        assert!(started.elapsed() < Duration::from_secs(5), "still open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered >= 3, "served until its age: {answered}");
    assert!(started.elapsed() >= Duration::from_millis(700));
    gw.handle.shutdown().await.unwrap();
}

// ---------- routing, query strings, path parameters, admin JSON ----------

async fn call(gw: &Gateway, method: &str, path: &str, body: Option<&str>) -> (u16, String, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = gw
        .http
        .request(method, gw.url(path))
        .bearer_auth(common::ADMIN_TOKEN);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_owned());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let allow = resp
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let content_type = resp.headers().get("content-type").cloned();
    let text = resp.text().await.unwrap();
    assert_eq!(
        content_type.as_ref().map(|v| v.to_str().unwrap()),
        Some("application/json"),
        "{path}: {status} {text}"
    );
    (status, allow, serde_json::from_str(&text).unwrap())
}

#[tokio::test]
async fn unknown_paths_and_methods_are_json_errors_with_allow() {
    let gw = start(patient()).await;
    for path in [
        "/",
        "/nowhere",
        "/admin",
        "/admin/",
        "/gateway/v1",
        "/healthz/x",
        "/admin/merchants/1/2/3",
    ] {
        let (status, _, v) = call(&gw, "GET", path, None).await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (404, "PATH_UNKNOWN"),
            "{path}"
        );
    }
    for (method, path, allow) in [
        ("DELETE", "/admin/clock", "GET,HEAD,POST"),
        ("PATCH", "/admin/config", "GET,HEAD,PUT"),
        ("DELETE", "/admin/merchants", "GET,HEAD,POST"),
        ("PUT", "/healthz", "GET,HEAD"),
        ("POST", "/admin/statements/discrepancies/1", "DELETE"),
        ("TRACE", "/admin/notifications", "GET,HEAD"),
    ] {
        let (status, allowed, v) = call(&gw, method, path, None).await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (405, "HTTP_METHOD_NOT_ALLOWED"),
            "{method} {path}"
        );
        let mut got: Vec<_> = allowed.split(',').map(str::trim).collect();
        got.sort_unstable();
        assert_eq!(got.join(","), allow, "{method} {path}");
    }
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn notification_filters_are_each_given_once_and_well_formed() {
    let gw = start(patient()).await;
    let list = "/admin/notifications";
    for query in [
        "",
        "?state=PENDING",
        "?app_id=2026000000000001&trade_no=T1&notify_id=T1_1",
    ] {
        let (status, _, v) = call(&gw, "GET", &format!("{list}{query}"), None).await;
        assert_eq!(status, 200, "{query}: {v}");
    }
    for query in [
        "?state=PENDING&state=DELIVERED",
        "?state=PENDING&state=PENDING",
        "?app_id=2026000000000001&app_id=2026000000000002",
        "?trade_no=T1&notify_id=T1_1&trade_no=T1",
    ] {
        let (status, _, v) = call(&gw, "GET", &format!("{list}{query}"), None).await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (400, "PARAM_DUPLICATE"),
            "{query}"
        );
    }
    for query in [
        "?state=AAA",
        "?state=pending",
        "?state=",
        "?app_id=123",
        "?app_id=20260000000000011",
        "?trade_no=T%201",
        &format!("?notify_id={}", "N".repeat(65)),
        "?other=1",
        "?state",
        "?state=%ZZ",
        "?state=%FF",
    ] {
        let (status, _, v) = call(&gw, "GET", &format!("{list}{query}"), None).await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (400, "FIELD_INVALID"),
            "{query}: {v}"
        );
    }
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn path_parameters_that_are_not_utf8_are_field_invalid_and_unknown_ids_not_found() {
    let gw = start(patient()).await;
    for path in [
        "/admin/merchants/%FF",
        "/admin/orders/%C3%28",
        "/admin/bills/SH-WATER-01/%FE",
    ] {
        let method = if path.starts_with("/admin/bills") {
            "PUT"
        } else {
            "GET"
        };
        let (status, _, v) = call(&gw, method, path, None).await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (400, "FIELD_INVALID"),
            "{path}"
        );
    }
    for id in [
        "1",
        "999999",
        "abc",
        "01",
        "-1",
        "+1",
        "99999999999999999999",
    ] {
        let (status, _, v) = call(
            &gw,
            "DELETE",
            &format!("/admin/statements/discrepancies/{id}"),
            None,
        )
        .await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (404, "DISCREPANCY_NOT_FOUND"),
            "{id}"
        );
    }
    // The signed API names an undecodable method as unknown, signed.
    let key = gateway_key(&gw).await;
    let a = exchange(
        gw.handle.local_addr(),
        head("POST", "/gateway/v1/%FF", "content-length: 0\r\n").as_bytes(),
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(
        (a.status, a.signed_code(&key).as_str()),
        (404, "METHOD_UNKNOWN")
    );
    gw.handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn admin_json_bodies_are_one_object_without_duplicates_or_nulls() {
    let gw = start(patient()).await;
    let endpoints = [
        ("POST", "/admin/merchants"),
        ("POST", "/admin/clock"),
        ("PUT", "/admin/config"),
        ("POST", "/admin/gateway-key/rotate"),
        ("POST", "/admin/statements/discrepancies"),
        ("PUT", "/admin/bills/SH-WATER-01/B1"),
    ];
    let cases: [(&str, &str); 17] = [
        ("{", "BODY_MALFORMED"),
        ("{\"set\":", "BODY_MALFORMED"),
        ("{} {}", "BODY_MALFORMED"),
        ("{\"a\":1}x", "BODY_MALFORMED"),
        ("[]", "BODY_MALFORMED"),
        ("[{}]", "BODY_MALFORMED"),
        ("1", "BODY_MALFORMED"),
        ("\"{}\"", "BODY_MALFORMED"),
        ("null", "BODY_MALFORMED"),
        ("{'a':1}", "BODY_MALFORMED"),
        ("{\"a\":1,\"a\":1}", "PARAM_DUPLICATE"),
        ("{\"a\":1,\"b\":2,\"a\":3}", "PARAM_DUPLICATE"),
        ("{\"a\":null}", "FIELD_INVALID"),
        ("{\"unknown_key\":1}", "FIELD_INVALID"),
        ("{\"a\":[null]}", "FIELD_INVALID"),
        ("{\"a\":{\"b\":null}}", "FIELD_INVALID"),
        ("{\"a\":{\"b\":1,\"b\":1}}", "PARAM_DUPLICATE"),
    ];
    for (method, path) in endpoints {
        for (body, expected) in cases {
            let (status, _, v) = call(&gw, method, path, Some(body)).await;
            assert_eq!(
                (status, v["code"].as_str().unwrap()),
                (400, expected),
                "{method} {path} {body}: {v}"
            );
        }
    }
    // Nulls and wrong types of the documented keys, which used to pass as "absent".
    for (method, path, body) in [
        (
            "POST",
            "/admin/gateway-key/rotate",
            json!({"overlap_secs": null}),
        ),
        (
            "POST",
            "/admin/clock",
            json!({"advance_secs": null, "set": 1_900_000_000}),
        ),
        ("PUT", "/admin/config", json!({"max_polls": null})),
        ("PUT", "/admin/config", json!({"max_polls": "5"})),
        (
            "PUT",
            "/admin/config",
            json!({"notify_retry_schedule": [15, null]}),
        ),
        (
            "POST",
            "/admin/merchants",
            json!({"name": "n", "notify_url": "http://127.0.0.1/", "sign_types": null}),
        ),
        (
            "POST",
            "/admin/merchants",
            json!({"name": "n", "notify_url": "http://127.0.0.1/", "fee_rate_bps": 1.5}),
        ),
    ] {
        let (status, _, v) = call(&gw, method, path, Some(&body.to_string())).await;
        assert_eq!(
            (status, v["code"].as_str().unwrap()),
            (400, "FIELD_INVALID"),
            "{method} {path} {body}: {v}"
        );
    }
    // Refused requests changed nothing.
    assert_eq!(
        gw.get("/admin/gateway-key").await.get("next_public_key"),
        None
    );
    assert_eq!(gw.get("/admin/config").await["max_polls"], 30);
    gw.handle.shutdown().await.unwrap();
}
