//! Gateway faults (issue 9): the real `paysign gateway` killed with SIGKILL while a
//! notification is in flight, or right after the payment that wrote it, then restarted on
//! the same `--db`; and a merchant endpoint that refuses connections before it comes up.
//! Each test counts what a merchant endpoint on 127.0.0.1 received and booked against the
//! admin delivery log (docs/protocol.md §9, §12.7–12.8): nothing lost, nothing doubled.
//! And a collection run (issue 19, docs/collection.md): copies of one deduction sent
//! concurrently while the gateway is killed, then again after the restart: one deduction,
//! one charge. Every child process is killed when its guard drops, even on a failed
//! assertion.
#![cfg(unix)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Gateway, Run, key, run};

/// The mock gateway's clock in these tests: 2026-11-20T10:00:00+08:00.
const T0: i64 = 1_795_140_000;
/// The seed bill every order pays (bill numbers ending 00-79 succeed) and its amount due.
const BILL_NO: &str = "SHW2026110042";
const AMOUNT_FEN: &str = "6754";
/// The longest any single wait in these tests may take.
const WAIT: Duration = Duration::from_secs(10);

/// Starts `paysign gateway --port 0 args...` (the tests pass `--clock manual`) and waits
/// up to [`WAIT`] for its start-up line, which must name a loopback URL.
fn start(dir: &Path, args: &[&str]) -> Gateway {
    let gateway = Gateway::start_within(dir, args, WAIT);
    assert!(
        gateway.url.starts_with("http://127.0.0.1:"),
        "{}",
        gateway.line
    );
    gateway
}

/// What these tests add to the shared [`Gateway`]: a bounded admin client and the
/// merchant, order and notification steps.
impl Gateway {
    /// `paysign gateway admin --url URL --timeout 10 args...` (with its token file, as
    /// [`Gateway::admin`]).
    fn admin_timed(&self, args: &[&str]) -> Run {
        let timeout = WAIT.as_secs().to_string();
        let mut all = vec!["--timeout", &timeout];
        all.extend_from_slice(args);
        self.admin(&all)
    }

    /// `paysign --json gateway admin args...`, which must succeed.
    fn admin_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let answer = self.admin_timed(&all);
        assert_eq!(
            answer.code,
            0,
            "admin {args:?}\nstdout: {}\nstderr: {}\n{}",
            answer.stdout,
            answer.stderr,
            self.stderr()
        );
        answer.json()
    }

    /// Moves the manual clock; the answer comes once every job that became due has run
    /// (the background scheduler's pass included: only one runs at a time).
    fn advance(&self, by: &str) -> Value {
        self.admin_json(&["clock", "--advance", by])
    }

    /// Registers and approves a merchant with the test RSA key.
    fn merchant(&self, dir: &Path) -> Merchant {
        let app_id = self
            .admin(&[
                "register",
                "--name",
                "Faulty merchant",
                "--notify-url",
                "http://127.0.0.1:9/notify",
                "--public-key",
                &key("merchant_public_spki.pem"),
            ])
            .expect(0)
            .stdout
            .trim()
            .to_owned();
        let gateway_key = dir.join(format!("gateway_public_{app_id}.pem"));
        self.admin_timed(&["approve", &app_id, "--out", gateway_key.to_str().unwrap()])
            .expect(0);
        Merchant {
            app_id,
            gateway_key,
        }
    }

    /// Creates the order `out_trade_no` for the seed bill, notified at `notify_url`, and
    /// pays it; returns the gateway's trade_no.
    fn paid_order(&self, m: &Merchant, out_trade_no: &str, notify_url: &str, now: i64) -> String {
        let created = self.signed("order", m, out_trade_no, notify_url, now);
        assert_eq!(created["code"], "SUCCESS", "{created}");
        let paid = self.signed("payment", m, out_trade_no, notify_url, now);
        assert_eq!(paid["code"], "SUCCESS", "{paid}");
        assert_eq!(paid["status"], "SUCCESS", "{paid}");
        assert_eq!(paid["trade_no"], created["trade_no"]);
        created["trade_no"].as_str().unwrap().to_owned()
    }

    /// Builds `paysign payload KIND` signed with the merchant key at `now` and POSTs it;
    /// returns the gateway's JSON answer (HTTP 200 required).
    fn signed(
        &self,
        kind: &str,
        m: &Merchant,
        out_trade_no: &str,
        notify_url: &str,
        now: i64,
    ) -> Value {
        let mut args = vec!["--out-trade-no", out_trade_no, "--bill-no", BILL_NO];
        if kind == "order" {
            args.extend(["--notify-url", notify_url]);
        }
        let payload = signed_payload(kind, m, now, &args);
        let (status, answer) =
            post_payload(&self.url, &payload).unwrap_or_else(|e| panic!("{e}\n{}", self.stderr()));
        assert_eq!(status, 200, "{answer}\n{}", self.stderr());
        answer
    }

    /// The notification events of one order (admin API, §12.7).
    fn notifications(&self, filter: &str, value: &str) -> Vec<Value> {
        let listed = self.admin_json(&["notifications", filter, value]);
        listed["notifications"].as_array().unwrap().clone()
    }
}

/// An approved merchant: what its notify endpoint checks notifications against.
#[derive(Debug, Clone)]
struct Merchant {
    app_id: String,
    /// The gateway public key `approve --out` wrote.
    gateway_key: PathBuf,
}

impl Merchant {
    /// The merchant's checks (§9) with `paysign verify`: signature with the gateway key,
    /// app_id, notify_time against the gateway clock, the order amount.
    fn verifies(&self, content_type: &str, body: &str) -> bool {
        let header = format!("Content-Type: {content_type}");
        let checked = run(
            &[
                "verify",
                "--sign-type",
                "RSA2",
                "--key",
                self.gateway_key.to_str().unwrap(),
                "--app-id",
                &self.app_id,
                "--now",
                &T0.to_string(),
                "--expect-amount",
                AMOUNT_FEN,
                "--header",
                &header,
                "-",
            ],
            body.as_bytes(),
        );
        checked.code == 0
    }
}

/// What the merchant endpoint does with a request once it has read and booked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    /// Never answers: the connection stays open until the endpoint stops, as if the
    /// merchant stalled after booking. The gateway sees no acknowledgement.
    Hang,
    /// Answers HTTP 200 `success` (duplicates included), or HTTP 400 `fail` when the
    /// notification does not verify.
    Ack,
}

/// One request the endpoint received.
#[derive(Debug, Clone)]
struct Received {
    /// The raw form body.
    body: String,
    notify_id: String,
    /// Whether it passed the merchant's checks.
    verified: bool,
    /// Whether this copy was booked: verified and its notify_id not seen before.
    booked: bool,
}

/// State shared by the test and the endpoint thread.
struct Shared {
    behaviour: Mutex<Behaviour>,
    received: Mutex<Vec<Received>>,
    stop: AtomicBool,
}

/// A merchant notify endpoint: one thread on a loopback listener, answering requests in
/// turn per a behaviour the test switches, recording every body and booking each
/// notify_id once (its ledger).
struct Endpoint {
    url: String,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Endpoint {
    /// Serves on `listener` (already bound on 127.0.0.1) for `merchant`.
    fn start(listener: TcpListener, merchant: Merchant, behaviour: Behaviour) -> Endpoint {
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(behaviour),
            received: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || serve(&listener, &merchant, &shared))
        };
        Endpoint {
            url,
            shared,
            thread: Some(thread),
        }
    }

    fn set(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }

    fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until `n` requests have been received.
    fn wait_for(&self, n: usize) -> Vec<Received> {
        wait_until(&format!("{n} request(s) at the endpoint"), || {
            self.received().len() >= n
        });
        self.received()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The endpoint's accept loop: polls a non-blocking listener so that it can stop.
fn serve(listener: &TcpListener, merchant: &Merchant, shared: &Shared) {
    listener.set_nonblocking(true).unwrap();
    // Connections left unanswered (Behaviour::Hang), closed when the endpoint stops.
    let mut held: Vec<TcpStream> = Vec::new();
    let mut ledger: HashSet<String> = HashSet::new();
    while !shared.stop.load(Ordering::Relaxed) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(e) => panic!("endpoint accept: {e}"),
        };
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(WAIT));
        let Some((content_type, body)) = read_request(&stream) else {
            continue;
        };
        let notify_id = form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "notify_id")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let verified = merchant.verifies(&content_type, &body);
        let booked = verified && ledger.insert(notify_id.clone());
        let behaviour = *shared.behaviour.lock().unwrap();
        shared.received.lock().unwrap().push(Received {
            body,
            notify_id,
            verified,
            booked,
        });
        match behaviour {
            Behaviour::Hang => held.push(stream),
            Behaviour::Ack if verified => answer(stream, 200, "success"),
            Behaviour::Ack => answer(stream, 400, "fail"),
        }
    }
}

/// Reads one HTTP/1.1 request: its Content-Type and its body (by Content-Length).
fn read_request(stream: &TcpStream) -> Option<(String, String)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    if !line.starts_with("POST ") {
        return None;
    }
    let mut content_length = 0;
    let mut content_type = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().ok()?;
            } else if name.eq_ignore_ascii_case("content-type") {
                value.trim().clone_into(&mut content_type);
            }
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body).ok()?;
    Some((content_type, String::from_utf8(body).ok()?))
}

fn answer(mut stream: TcpStream, status: u16, body: &str) {
    // The gateway may be gone already: a failed write is its problem, not the test's.
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// Polls `done` every 20 ms for at most 10 s.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `(attempt, due_at, result)` of each logged attempt of an event.
fn attempts(event: &Value) -> Vec<(i64, i64, String)> {
    event["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["attempt"].as_i64().unwrap(),
                a["due_at"].as_i64().unwrap(),
                a["result"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn ack(attempt: i64, due_at: i64) -> (i64, i64, String) {
    (attempt, due_at, "ACK".to_owned())
}

fn refused(attempt: i64, due_at: i64) -> (i64, i64, String) {
    (attempt, due_at, "CONNECT_ERROR".to_owned())
}

/// Every copy the endpoint received is the one event's stored body, verified, and the
/// ledger booked exactly one of them.
fn assert_one_event_booked_once(got: &[Received], event: &Value) {
    let notify_id = event["notify_id"].as_str().unwrap();
    let stored = event["body"].as_str().expect("the signed body is stored");
    for (i, r) in got.iter().enumerate() {
        assert_eq!(r.notify_id, notify_id, "request {i}");
        assert_eq!(
            r.body, stored,
            "request {i}: not the stored body byte for byte"
        );
        assert!(r.verified, "request {i} failed the merchant's checks");
    }
    assert_eq!(
        got.iter().filter(|r| r.booked).count(),
        1,
        "booked exactly once: {got:?}"
    );
}

fn loopback_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").unwrap()
}

#[test]
fn sigkill_during_a_delivery_then_restart_delivers_once_with_the_same_body() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.sqlite");
    let db = db.to_str().unwrap();
    let gateway_key = key("gateway_private_pkcs8.pem");
    // A 30 s notify timeout: the hanging attempt is still in flight when the kill comes.
    let mut first = start(
        dir.path(),
        &[
            "--clock",
            "manual",
            "--db",
            db,
            "--clock-start",
            &T0.to_string(),
            "--gateway-key",
            &gateway_key,
            "--notify-timeout",
            "30",
        ],
    );
    let merchant = first.merchant(dir.path());
    let endpoint = Endpoint::start(loopback_listener(), merchant.clone(), Behaviour::Hang);
    let trade_no = first.paid_order(&merchant, "MKILL0000000001", &endpoint.url, T0);

    // Attempt 1 is due at T0: the background scheduler sends it without a clock move.
    // The endpoint books it and never answers; the gateway dies waiting for the answer.
    let before = endpoint.wait_for(1);
    first.kill9();
    assert_eq!(before.len(), 1, "{before:?}");

    // Same file, endpoint now acknowledging: the cut-short attempt was never logged, so
    // the event is still due and the new process's scheduler sends it by itself.
    endpoint.set(Behaviour::Ack);
    let second = start(dir.path(), &["--clock", "manual", "--db", db]);
    assert_eq!(second.admin_json(&["clock"])["now"], T0, "clock persisted");
    endpoint.wait_for(2);
    // Then through the whole retry schedule (86,640 s) and beyond: nothing more is sent.
    second.advance("0");
    let clock = second.advance("2d");
    assert_eq!(clock["now"], T0 + 2 * 86_400);

    let events = second.notifications("--trade-no", &trade_no);
    assert_eq!(events.len(), 1, "one event for the order: {events:?}");
    let event = &events[0];
    assert_eq!(event["notify_id"], format!("{trade_no}_1"));
    assert_eq!(event["state"], "DELIVERED", "{event}");
    assert_eq!(event["next_attempt_at"], Value::Null);
    assert_eq!(attempts(event), [ack(1, T0)], "{event}");
    let got = endpoint.received();
    assert_eq!(
        got.len(),
        attempts(event).len() + 1,
        "the endpoint saw every logged attempt plus the one cut short by SIGKILL: {got:?}"
    );
    assert_one_event_booked_once(&got, event);
    assert!(
        got[0].booked && !got[1].booked,
        "the stalled copy was booked, the resent one is a duplicate: {got:?}"
    );

    // The order exists once: create and pay are idempotent, and no second event appears.
    let order = second.admin_json(&["order", &trade_no]);
    assert_eq!(order["status"], "SUCCESS", "{order}");
    let now = T0 + 2 * 86_400;
    let again = second.paid_order(&merchant, "MKILL0000000001", &endpoint.url, now);
    assert_eq!(again, trade_no);
    second.advance("1d");
    let all = second.notifications("--app-id", &merchant.app_id);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(attempts(&all[0]), [ack(1, T0)]);
    assert_eq!(endpoint.received().len(), 2);
}

#[test]
fn sigkill_between_pay_and_the_first_attempt_loses_no_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.sqlite");
    let db = db.to_str().unwrap();
    let mut first = start(
        dir.path(),
        &[
            "--clock",
            "manual",
            "--db",
            db,
            "--clock-start",
            &T0.to_string(),
            "--gateway-key",
            &key("gateway_private_pkcs8.pem"),
        ],
    );
    let merchant = first.merchant(dir.path());
    let endpoint = Endpoint::start(loopback_listener(), merchant.clone(), Behaviour::Ack);
    let trade_no = first.paid_order(&merchant, "MKILL0000000002", &endpoint.url, T0);
    // At once: the scheduler's next pass is up to 200 ms away, so the event is almost
    // always still unsent. If that pass wins the race, the counts below hold all the same.
    first.kill9();
    let sent_before_kill = endpoint.received().len();

    let second = start(dir.path(), &["--clock", "manual", "--db", db]);
    second.advance("0");
    let events = second.notifications("--app-id", &merchant.app_id);
    assert_eq!(events.len(), 1, "exactly one event: {events:?}");
    let event = &events[0];
    assert_eq!(event["trade_no"], trade_no.as_str());
    assert_eq!(event["trade_status"], "SUCCESS");
    assert_eq!(event["state"], "DELIVERED", "{event}");
    assert_eq!(attempts(event), [ack(1, T0)], "{event}");
    second.advance("2d");
    let got = endpoint.received();
    // The logged attempt reached the endpoint, plus at most one copy the first process
    // sent but died before logging (only if its scheduler pass beat the kill; a copy
    // still in the endpoint's backlog at the kill is counted later, hence no exact split).
    assert!(
        got.len() == 1 || got.len() == 2,
        "{sent_before_kill} received at the kill, {} in all: {got:?}",
        got.len()
    );
    assert_one_event_booked_once(&got, event);
    let again = second.notifications("--app-id", &merchant.app_id);
    assert_eq!(attempts(&again[0]), [ack(1, T0)]);
}

#[test]
fn a_merchant_refusing_connections_gets_the_event_once_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start(
        dir.path(),
        &[
            "--clock",
            "manual",
            "--clock-start",
            &T0.to_string(),
            "--gateway-key",
            &key("gateway_private_pkcs8.pem"),
        ],
    );
    let merchant = gateway.merchant(dir.path());
    // A port bound once and released: connections to it are refused until we bind it
    // again below (another process taking it in between is possible, and unlikely).
    let port = loopback_listener().local_addr().unwrap().port();
    let notify_url = format!("http://127.0.0.1:{port}/notify");
    let trade_no = gateway.paid_order(&merchant, "MKILL0000000003", &notify_url, T0);
    let log = || attempts(&gateway.notifications("--trade-no", &trade_no)[0]);

    gateway.advance("0");
    assert_eq!(log(), [refused(1, T0)]);
    gateway.advance("15s");
    assert_eq!(log(), [refused(1, T0), refused(2, T0 + 15)]);

    // The merchant comes up between attempts 2 and 3 (due at T0 + 30).
    let listener = TcpListener::bind(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("rebinding 127.0.0.1:{port}: {e}"));
    let endpoint = Endpoint::start(listener, merchant.clone(), Behaviour::Ack);
    assert_eq!(endpoint.url, notify_url);
    gateway.advance("14s");
    assert_eq!(log().len(), 2, "attempt 3 is not due before T0 + 30");
    assert_eq!(endpoint.received().len(), 0);
    gateway.advance("1s");
    let expected = [refused(1, T0), refused(2, T0 + 15), ack(3, T0 + 30)];
    assert_eq!(log(), expected);
    gateway.advance("2d");

    let events = gateway.notifications("--app-id", &merchant.app_id);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["state"], "DELIVERED");
    assert_eq!(attempts(&events[0]), expected);
    let got = endpoint.received();
    assert_eq!(
        got.len(),
        1,
        "only the acknowledged attempt connected: {got:?}"
    );
    assert_one_event_booked_once(&got, &events[0]);
}

/// A Luhn-valid card ending 81: unknown on the call and its retries, polls 1-2 unknown, poll
/// 3 debits (docs/collection.md, "Outcome by card number"), so the deduction is still
/// PROCESSING when the gateway is killed and must be polled by the restarted one.
const CARD_UNKNOWN_THEN_SUCCESS: &str = "6222020000090081";

/// `paysign --json payload KIND --key merchant_private --app-id APP_ID --now NOW args...`:
/// the signed request's path, content type and body.
fn signed_payload(kind: &str, m: &Merchant, now: i64, args: &[&str]) -> Value {
    let merchant_key = key("merchant_private_pkcs8.pem");
    let now = now.to_string();
    let mut all = vec![
        "--json",
        "payload",
        kind,
        "--key",
        &merchant_key,
        "--app-id",
        &m.app_id,
        "--now",
        &now,
    ];
    all.extend_from_slice(args);
    run(&all, b"").expect(0).json()
}

/// A collection request (docs/collection.md) signed at T0.
fn collection_payload(kind: &str, m: &Merchant, args: &[&str]) -> Value {
    signed_payload(kind, m, T0, args)
}

/// POSTs a built payload to the gateway at `url`: the HTTP status and JSON answer, or the
/// transport error of a gateway that is gone.
fn post_payload(url: &str, payload: &Value) -> Result<(u16, Value), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(WAIT))
        .build()
        .into();
    let mut response = agent
        .post(format!("{url}{}", payload["path"].as_str().unwrap()))
        .header("Content-Type", payload["content_type"].as_str().unwrap())
        .send(payload["body"].as_str().unwrap().as_bytes())
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&body).unwrap()))
}

/// `n` copies of one deduction.create, each with its own nonce (as a merchant retries), built
/// by the CLI on four threads.
fn deduction_copies(m: &Merchant, n: usize) -> Vec<Value> {
    let per_thread = n.div_ceil(4);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|t| {
                scope.spawn(move || {
                    (t * per_thread..n.min((t + 1) * per_thread))
                        .map(|_| {
                            collection_payload(
                                "deduction",
                                m,
                                &[
                                    "--out-agreement-no",
                                    "AGKILL000001",
                                    "--out-deduction-no",
                                    "DDKILL000001",
                                    "--amount",
                                    "120.00",
                                ],
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

/// Sends `payloads` to `url` from eight threads; returns every answer or transport error.
/// `on_answer` is told how many have been answered so far (the test kills the gateway from
/// it).
fn send_all(
    url: &str,
    payloads: &[Value],
    on_answer: impl Fn(usize) + Sync,
) -> Vec<Result<(u16, Value), String>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let answered = std::sync::atomic::AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(payload) = payloads.get(i) else {
                        break;
                    };
                    let result = post_payload(url, payload);
                    if result.is_ok() {
                        on_answer(answered.fetch_add(1, Ordering::SeqCst) + 1);
                    }
                    results.lock().unwrap().push(result);
                }
            });
        }
    });
    results.into_inner().unwrap()
}

#[test]
fn sigkill_among_concurrent_duplicate_deductions_still_debits_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gateway.sqlite");
    let db = db.to_str().unwrap();
    let gateway_key = key("gateway_private_pkcs8.pem");
    let clock_start = T0.to_string();
    let args = [
        "--clock",
        "manual",
        "--db",
        db,
        "--clock-start",
        &clock_start,
        "--gateway-key",
        &gateway_key,
    ];
    let first = start(dir.path(), &args);
    let merchant = first.merchant(dir.path());

    // Bind the card: sign, read the texted code from the admin API, confirm.
    let signed = collection_payload(
        "agreement",
        &merchant,
        &[
            "--out-agreement-no",
            "AGKILL000001",
            "--card-no",
            CARD_UNKNOWN_THEN_SUCCESS,
            "--notify-url",
            "http://127.0.0.1:9/notify",
        ],
    );
    let (status, answer) = post_payload(&first.url, &signed).unwrap();
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("PENDING_CONFIRM")),
        "{answer}"
    );
    let agreement_no = answer["agreement_no"].as_str().unwrap().to_owned();
    let pending = first.admin_json(&["agreement", &agreement_no]);
    let code = pending["sms_code"].as_str().unwrap().to_owned();
    let confirm = collection_payload(
        "agreement-confirm",
        &merchant,
        &["--agreement-no", &agreement_no, "--sms-code", &code],
    );
    let (_, confirmed) = post_payload(&first.url, &confirm).unwrap();
    assert_eq!(confirmed["status"], "ACTIVE", "{confirmed}");

    // 400 copies from eight threads; SIGKILL once 40 have been answered.
    let copies = deduction_copies(&merchant, 400);
    let killer = Mutex::new(Some(first));
    let url = killer.lock().unwrap().as_ref().unwrap().url.clone();
    let before = send_all(&url, &copies, |n| {
        if n >= 40 {
            if let Some(mut gateway) = killer.lock().unwrap().take() {
                gateway.kill9();
            }
        }
    });
    assert!(killer.lock().unwrap().is_none(), "the gateway was killed");
    let answered: Vec<&(u16, Value)> = before.iter().filter_map(|r| r.as_ref().ok()).collect();
    let lost = before.len() - answered.len();
    assert!(
        answered.len() >= 40 && lost > 0,
        "{} answered, {lost} cut off",
        answered.len()
    );
    let mut numbers = HashSet::new();
    for (status, answer) in &answered {
        assert_eq!(*status, 200, "{answer}");
        assert_eq!(answer["status"], "PROCESSING", "{answer}");
        numbers.insert(answer["deduction_no"].as_str().unwrap().to_owned());
    }
    assert_eq!(numbers.len(), 1, "{numbers:?}");

    // Restarted on the same file: 200 fresh copies all find the one deduction; the
    // restarted scheduler polls it to SUCCESS; one charge, one notification event.
    let second = start(dir.path(), &["--clock", "manual", "--db", db]);
    let after = send_all(&second.url, &deduction_copies(&merchant, 200), |_| {});
    for result in &after {
        let (status, answer) = result.as_ref().unwrap();
        assert_eq!(*status, 200, "{answer}");
        numbers.insert(answer["deduction_no"].as_str().unwrap().to_owned());
    }
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    let deduction_no = numbers.into_iter().next().unwrap();
    second.advance("30s");
    let deduction = second.admin_json(&["deduction", &deduction_no]);
    assert_eq!(deduction["status"], "SUCCESS", "{deduction}");
    let debits = second.admin_json(&["debits", &agreement_no]);
    assert_eq!(
        (
            &debits["deductions"],
            &debits["channel_debits"],
            &debits["debited_amount"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(12_000)),
        "{debits}"
    );
    assert_eq!(second.notifications("--trade-no", &deduction_no).len(), 1);
}
