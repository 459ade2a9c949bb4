//! `/v3/…`: WeChat Pay's API v3 as its SDKs call it. Every request carries the merchant's
//! `Authorization` (`WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",
//! serial_no="…",signature="…"`), a signature over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\n
//! BODY\n` with the merchant's API key; a request it does not verify is `401 SIGN_ERROR`.
//! Every answer, errors included, is signed with the platform key in the
//! `Wechatpay-Timestamp`, `-Nonce`, `-Signature` and `-Serial` headers over
//! `TIMESTAMP\nNONCE\nBODY\n`.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use paysign_core::platform::wechat_v3::{
    self, Authorization, HttpRequest, NONCE_HEADER, SERIAL_HEADER, SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
};
use paysign_core::{Profile, PublicKey, SignType, VerificationCredential, Verifier};
use serde_json::Value;

use super::{Answer, Body as JsonBody, Call, PREPAY_KINDS, TransactionRef, WechatError};
use crate::api::envelope::MAX_BODY_BYTES;
use crate::merchants::store as merchant_q;
use crate::request_body;
use crate::state::AppState;

/// How far a request's `timestamp` may be from the real time, as WeChat Pay allows.
const CLOCK_SKEW_SECS: u64 = 300;

/// Every `/v3/` path: one handler authenticates, then dispatches on method and path.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/v3/{*path}", any(v3))
}

async fn v3(State(state): State<AppState>, request: Request<Body>) -> Response {
    // The gateway's clock dates the business (orders, payments, bills); the HTTP exchange is
    // signed in real time, as WeChat Pay's servers sign it, because the merchant's SDK
    // checks both signatures against its own clock, which a moved sandbox clock would
    // leave behind.
    let now = state.now();
    let wall = crate::sandbox::wall_clock();
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let headers = request.headers().clone();
    let origin = format!(
        "http://{}",
        headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("127.0.0.1")
    );
    let body = request_body::read(request.into_body(), MAX_BODY_BYTES, state.body_timeout()).await;
    let mut mchid = None;
    let answer = match body {
        Err(e) => Err(WechatError::from(e)),
        Ok(body) => match authenticate(&state, &method, &target, &headers, &body, wall) {
            Err(e) => Err(e),
            Ok(who) => {
                mchid = Some(who.clone());
                let call = Call {
                    mchid: &who,
                    now,
                    origin: &origin,
                };
                // A bill download is the one answer WeChat Pay does not sign.
                if let Some(query) = download_query(&method, &target) {
                    match super::download(&state, &call, query) {
                        Ok(file) => return file_response(file),
                        Err(e) => Err(e),
                    }
                } else {
                    dispatch(&state, &call, &method, &target, &body)
                }
            }
        },
    };
    respond(&state, mchid.as_deref(), answer, now, wall)
}

/// The query string of `GET /v3/billdownload/file`, if that is the call.
fn download_query<'t>(method: &Method, target: &'t str) -> Option<&'t str> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    (method == Method::GET && path == "/v3/billdownload/file").then_some(query)
}

/// A downloaded bill: its bytes, unsigned, as WeChat Pay sends them.
fn file_response(file: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, file).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    response
}

/// The merchant a request's `Authorization` names, once its signature verifies with the
/// public key the merchant registered under the serial derived from it.
fn authenticate(
    state: &AppState,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<String, WechatError> {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| WechatError::sign("缺少 Authorization 请求头"))?;
    let auth = Authorization::parse(header)
        .map_err(|e| WechatError::sign(format!("Authorization 格式错误: {e}")))?;
    if auth.sign_type != SignType::Rsa2 {
        return Err(WechatError::sign(
            "沙箱只接受 WECHATPAY2-SHA256-RSA2048 签名 (国密商户尚未支持)",
        ));
    }
    let unknown = || WechatError::sign(format!("商户号 {} 不存在或未开通", auth.mchid));
    let merchant = state
        .store()
        .read(|c| Ok(merchant_q::get(c, &auth.mchid)?))?
        .filter(|m| m.status == "APPROVED")
        .ok_or_else(unknown)?;
    let pem = merchant.public_key.ok_or_else(unknown)?;
    let key = PublicKey::parse(pem.as_bytes())?;
    if auth.serial_no != super::platform::merchant_serial(&key) {
        return Err(WechatError::sign(format!(
            "商户证书序列号 {} 有误 (GET /admin/wechatpay/merchants/{} 给出 merchant_serial_no)",
            auth.serial_no, auth.mchid
        )));
    }
    let timestamp = wechat_v3::check_timestamp(&auth.timestamp, now, CLOCK_SKEW_SECS)
        .map_err(|_| WechatError::sign("请求时间戳与当前时间相差超过 5 分钟"))?;
    let body = std::str::from_utf8(body).map_err(|_| WechatError::param("请求体不是 UTF-8"))?;
    let message = wechat_v3::request_message(&HttpRequest {
        method: method.as_str(),
        url: target,
        timestamp,
        nonce: &auth.nonce_str,
        body,
    })
    .map_err(|e| WechatError::sign(format!("无法构造签名串: {e}")))?;
    let verifier = Verifier::new(
        Profile::WechatV3,
        VerificationCredential::Key(key),
        &[SignType::Rsa2],
    )?;
    verifier
        .verify_canonical(&message, SignType::Rsa2, &auth.signature)
        .map_err(|_| WechatError::sign("错误的签名，验签失败"))?;
    Ok(auth.mchid)
}

/// The call a method and path name.
fn dispatch(
    state: &AppState,
    call: &Call<'_>,
    method: &Method,
    target: &str,
    body: &[u8],
) -> Answer {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let segments: Vec<&str> = path.trim_start_matches("/v3/").split('/').collect();
    let json = || parse_object(body);
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["pay", "transactions", kind]) => {
            let trade_type = PREPAY_KINDS
                .iter()
                .find(|(path, _)| path == kind)
                .map(|(_, trade_type)| *trade_type)
                .ok_or_else(WechatError::no_such_api)?;
            super::prepay(state, call, trade_type, &JsonBody::new(&json()?))
        }
        ("GET", ["pay", "transactions", "out-trade-no", no]) => {
            check_mchid_query(call, query)?;
            super::query(state, call, TransactionRef::OutTradeNo(no))
        }
        ("GET", ["pay", "transactions", "id", id]) => {
            check_mchid_query(call, query)?;
            super::query(state, call, TransactionRef::TransactionId(id))
        }
        ("POST", ["pay", "transactions", "out-trade-no", no, "close"]) => {
            super::close(state, call, no, &JsonBody::new(&json()?))
        }
        ("POST", ["refund", "domestic", "refunds"]) => {
            super::refund(state, call, &JsonBody::new(&json()?))
        }
        ("GET", ["refund", "domestic", "refunds", no]) => super::refund_query(state, call, no),
        ("GET", ["certificates"]) => super::certificates(state, call),
        ("GET", ["bill", "tradebill"]) => super::trade_bill(state, call, query),
        _ => Err(WechatError::no_such_api()),
    }
}

/// The query's `mchid`, which must be the caller's.
fn check_mchid_query(call: &Call<'_>, query: &str) -> Result<(), WechatError> {
    let mchid = crate::sandbox::query_param(query, "mchid")
        .ok_or_else(|| WechatError::param("mchid 为必填参数"))?;
    call.own_mchid(mchid)
}

fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, WechatError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(WechatError::param("请求体应为 JSON 对象")),
        Err(e) => Err(WechatError::param(format!("请求体不是合法的 JSON: {e}"))),
    }
}

/// The answer, signed with the platform key under the name `mchid`'s SDK knows it by (the
/// public key id when no merchant is known).
/// `now` picks the platform key (the gateway clock's), `wall` dates the signature.
fn respond(state: &AppState, mchid: Option<&str>, answer: Answer, now: i64, wall: i64) -> Response {
    let (status, body) = match answer {
        Ok(Some(value)) => (StatusCode::OK, value.to_string()),
        Ok(None) => (StatusCode::NO_CONTENT, String::new()),
        Err(e) => (
            e.status,
            serde_json::json!({ "code": e.code, "message": e.message }).to_string(),
        ),
    };
    match signed_headers(state, mchid, &body, now, wall) {
        Ok(signed) => {
            let mut response = (status, body).into_response();
            let headers = response.headers_mut();
            if status != StatusCode::NO_CONTENT {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
            }
            for (name, value) in signed {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e.message, "wechatpay sandbox: cannot sign an answer");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

fn signed_headers(
    state: &AppState,
    mchid: Option<&str>,
    body: &str,
    now: i64,
    wall: i64,
) -> Result<Vec<(&'static str, String)>, crate::error::ApiError> {
    let (signer, platform) = state.wechatpay_platform(now);
    let serial = match mchid {
        Some(mchid) => super::serial_for(state, mchid, &platform)?,
        None => super::platform::public_key_id(&platform),
    };
    let nonce = super::random_hex()?;
    let timestamp = wall.to_string();
    let signature =
        signer.sign_canonical(&wechat_v3::response_message(&timestamp, &nonce, body))?;
    Ok(vec![
        (TIMESTAMP_HEADER, timestamp),
        (NONCE_HEADER, nonce),
        (SIGNATURE_HEADER, signature),
        (SERIAL_HEADER, serial),
        ("Request-ID", super::random_hex()?),
    ])
}
