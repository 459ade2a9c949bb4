//! The console (docs/console.md): a web interface to the admin API at `/console/`, for
//! people running the gateway. Static HTML, CSS and vanilla JavaScript embedded in the
//! binary (no build step), Chart.js vendored beside them (assets/vendor/, its licence
//! included); every page's data comes from the admin API, reached through
//! `/console/api/…` with the session.
//!
//! Gates, in order: loopback peers only (as the admin API, [`crate::admin`]); then a
//! session — made by a login with the admin token ([`session`]), carried by a cookie
//! `HttpOnly; SameSite=Strict; Path=/console` — for everything but the login page and its
//! stylesheet; then, for every state-changing request, the session's CSRF token in
//! `X-CSRF-Token`. SameSite=Strict keeps the cookie off cross-site requests; the CSRF token
//! covers what SameSite does not (a sibling site on another port of 127.0.0.1 is
//! "same-site"). Pages are served with a strict Content-Security-Policy (scripts and styles
//! from the console only, no inline script), so a value that reached a page unescaped
//! could still not run; the script writes every value with `textContent`, never as HTML.

mod session;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Extension, Path, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use tower::ServiceExt;

use crate::admin;
use crate::admin::reply::error_response;
use crate::error::{ApiError, Code};
use crate::request_body;
use crate::state::AppState;
use session::{SESSION_LIFETIME, Session, Sessions};

/// The session cookie's name.
const COOKIE: &str = "paysign_console";
/// The header that carries the CSRF token.
const CSRF_HEADER: &str = "x-csrf-token";
/// Largest login form (the token is at most 256 characters).
const MAX_LOGIN_BYTES: usize = 4096;

const LOGIN_HTML: &str = include_str!("assets/login.html");
const CONSOLE_HTML: &str = include_str!("assets/console.html");
const CONSOLE_JS: &str = include_str!("assets/console.js");
const CONSOLE_CSS: &str = include_str!("assets/console.css");
/// Chart.js 4.6.1, `dist/chart.umd.min.js` of the npm package, unchanged (a Node test
/// compares it with node_modules/chart.js); MIT licence in assets/vendor/chart.js.LICENSE.
const CHART_JS: &str = include_str!("assets/vendor/chart.umd.min.js");

/// What the console's handlers share.
struct Console {
    sessions: Sessions,
    /// The admin routes, without the token gate: the console's own gates stand in for it.
    admin: Router,
}

/// `/console`, `/console/`, `/console/login`, `/console/logout`, `/console/assets/{name}`,
/// `/console/api/{*path}`.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let console = Arc::new(Console {
        sessions: Sessions::default(),
        admin: admin::for_console(state),
    });
    Router::new()
        .route("/console", get(to_console))
        .route("/console/", get(page))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/console/assets/{name}", get(asset))
        .route("/console/api/{*path}", any(api))
        .layer(Extension(console))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(admin::loopback_only))
}

/// Headers on every console answer: no caching of admin data, no framing, no sniffing, no
/// referrer, and scripts, styles and connections from the console only.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn redirect(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

async fn to_console() -> Response {
    redirect("/console/")
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The login page, with a message when a login was refused.
fn login_html(status: StatusCode, message: &str) -> Response {
    html(
        status,
        LOGIN_HTML.replace("{{message}}", &escape_html(message)),
    )
}

async fn login_page() -> Response {
    login_html(StatusCode::OK, "")
}

/// `POST /console/login` with the form field `token`: the admin token, compared in constant
/// time. Right: a new session, its cookie, and on to the dashboard. Wrong or missing:
/// `401` and the login page again, saying so (never echoing what was sent).
async fn login(
    Extension(console): Extension<Arc<Console>>,
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
) -> Response {
    let refused = || {
        login_html(
            StatusCode::UNAUTHORIZED,
            "ADMIN_TOKEN_INVALID: that is not the gateway's admin token.",
        )
    };
    let body = match request_body::read(request.into_body(), MAX_LOGIN_BYTES, state.body_timeout())
        .await
    {
        Ok(body) => zeroize::Zeroizing::new(body.to_vec()),
        Err(_) => return refused(),
    };
    let token = form_field(&body, "token");
    if !token.is_some_and(|t| state.admin_token().matches(t.as_bytes())) {
        return refused();
    }
    match console.sessions.create() {
        Ok((id, _)) => {
            let cookie = format!(
                "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/console; Max-Age={}",
                id.as_str(),
                SESSION_LIFETIME.as_secs()
            );
            let mut response = redirect("/console/");
            match HeaderValue::from_str(&cookie) {
                Ok(value) => {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                    response
                }
                Err(e) => error_response(ApiError::internal(e)),
            }
        }
        Err(e) => error_response(e),
    }
}

/// The value of `name` in an `application/x-www-form-urlencoded` body, decoded.
fn form_field(body: &[u8], name: &str) -> Option<zeroize::Zeroizing<String>> {
    let params = paysign_core::message::parse_request(
        body,
        Some("application/x-www-form-urlencoded"),
        MAX_LOGIN_BYTES,
    )
    .ok()?;
    params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| zeroize::Zeroizing::new(v.to_owned()))
}

/// The session id in the request's cookies, if any.
fn session_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

fn session_of(console: &Console, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = session_id(headers)?;
    console.sessions.get(id).map(|s| (id.to_owned(), s))
}

fn session_refused() -> Response {
    error_response(ApiError::new(
        Code::ConsoleSessionInvalid,
        "log in to the console first (POST /console/login with the admin token)",
    ))
}

/// Whether a state-changing request carries its session's CSRF token.
fn csrf_ok(session: &Session, headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(CSRF_HEADER).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => session.csrf_matches(value.as_bytes()),
        _ => false,
    }
}

/// `GET /console/`: the console's page, with the session's CSRF token for its script;
/// without a session, the login page.
async fn page(Extension(console): Extension<Arc<Console>>, headers: HeaderMap) -> Response {
    match session_of(&console, &headers) {
        Some((_, session)) => html(
            StatusCode::OK,
            CONSOLE_HTML.replace("{{csrf_token}}", &escape_html(&session.csrf_token)),
        ),
        None => redirect("/console/login"),
    }
}

/// `POST /console/logout` (with the CSRF token): ends the session and clears its cookie.
async fn logout(Extension(console): Extension<Arc<Console>>, headers: HeaderMap) -> Response {
    let Some((id, session)) = session_of(&console, &headers) else {
        return session_refused();
    };
    if !csrf_ok(&session, &headers) {
        return csrf_refused();
    }
    console.sessions.remove(&id);
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "paysign_console=; HttpOnly; SameSite=Strict; Path=/console; Max-Age=0",
        ),
    );
    response
}

fn csrf_refused() -> Response {
    error_response(ApiError::new(
        Code::ConsoleCsrfInvalid,
        "a state-changing console request needs its session's X-CSRF-Token",
    ))
}

/// `GET /console/assets/{name}`: the stylesheet for anyone (the login page uses it), the
/// scripts for a session only.
async fn asset(
    Extension(console): Extension<Arc<Console>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (body, content_type) = match name.as_str() {
        "console.css" => (CONSOLE_CSS, "text/css; charset=utf-8"),
        "console.js" => (CONSOLE_JS, "text/javascript; charset=utf-8"),
        "chart.umd.min.js" => (CHART_JS, "text/javascript; charset=utf-8"),
        _ => return ApiError::new(Code::PathUnknown, "no such path").plain_response(),
    };
    if content_type.starts_with("text/javascript") && session_of(&console, &headers).is_none() {
        return session_refused();
    }
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// `/console/api/{path}`: the admin API's `/admin/{path}` (query string kept) for a
/// session; a method other than `GET`/`HEAD` also needs the CSRF token.
async fn api(
    Extension(console): Extension<Arc<Console>>,
    Path(path): Path<String>,
    request: Request,
) -> Response {
    let Some((_, session)) = session_of(&console, request.headers()) else {
        return session_refused();
    };
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    if !reads && !csrf_ok(&session, request.headers()) {
        return csrf_refused();
    }
    let (parts, body) = request.into_parts();
    let target = match parts.uri.query() {
        Some(query) => format!("/admin/{path}?{query}"),
        None => format!("/admin/{path}"),
    };
    let Ok(uri) = target.parse::<axum::http::Uri>() else {
        return ApiError::new(Code::PathUnknown, "no such path").plain_response();
    };
    let mut forwarded = Request::new(body);
    *forwarded.method_mut() = parts.method;
    *forwarded.uri_mut() = uri;
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) {
        forwarded
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    match console.admin.clone().oneshot(forwarded).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// `&`, `<`, `>`, `"` and `'` as character references: a value placed in HTML text or a
/// quoted attribute stays text.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_leaves_no_markup() {
        assert_eq!(
            escape_html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; paysign_console=abc; b=2"),
        );
        assert_eq!(session_id(&headers), Some("abc"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("paysign_consolex=abc"),
        );
        assert_eq!(session_id(&headers), None);
    }

    #[test]
    fn login_forms_are_read_by_field() {
        let token = form_field(b"token=abc%2Bdef&x=1", "token");
        assert_eq!(token.as_deref().map(String::as_str), Some("abc+def"));
        assert!(form_field(b"other=1", "token").is_none());
    }
}
