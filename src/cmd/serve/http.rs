//! The small HTTP/1.1 layer of `livret serve`: reading a request head within its deadline,
//! the rules a request must meet (GET or HEAD, a loopback `Host` or absolute-form authority,
//! a clean path), the responses, and where a path lives in the served folder. Hand-written on
//! purpose: one response per connection, GET and HEAD only, with whole-head deadlines and
//! separate limits that the candidate crates do not offer (see the module doc of `serve`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{MAX_HEAD_BYTES, RESPONSE_DEADLINE};

/// The methods this server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    /// The head of the answer only.
    Head,
}

/// A request this server answers: GET or HEAD of a path.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The path of the target (origin form, also taken from an absolute-form target), without
    /// its query.
    pub path: String,
}

/// A request refused before routing: its status, and a line saying why.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: &'static str,
}

pub(super) fn refuse<T>(status: u16, message: &'static str) -> std::result::Result<T, Refusal> {
    Err(Refusal { status, message })
}

/// Why a request head could not be read.
pub(super) enum HeadError {
    /// Closed, failed or too slow: the connection is dropped without an answer.
    Gone,
    TooLarge,
}

/// Reads the request head (up to its blank line) within `deadline`, in total: each read waits
/// only for what is left of it.
pub(super) fn read_head(
    stream: &mut TcpStream,
    deadline: Instant,
) -> std::result::Result<Vec<u8>, HeadError> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::Gone);
        }
        stream
            .set_read_timeout(Some(left))
            .map_err(|_| HeadError::Gone)?;
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return Err(HeadError::Gone),
            Ok(n) => n,
        };
        let searched_from = head.len().saturating_sub(3);
        head.extend_from_slice(&buf[..n]);
        // Empty lines before the request line are ignored (RFC 9112, 2.2).
        let blank = head
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        head.drain(..blank);
        let from = searched_from.saturating_sub(blank);
        if let Some(end) = head_end(&head, from) {
            head.truncate(end);
            return Ok(head);
        }
        if head.len() > MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
    }
}

/// Where the head ends (after its blank line), searching from `from`.
pub(super) fn head_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(at) = memchr::memchr(b'\n', bytes.get(i..)?) {
        let nl = i + at;
        let rest = &bytes[nl + 1..];
        if rest.starts_with(b"\n") {
            return Some(nl + 2);
        }
        if rest.starts_with(b"\r\n") {
            return Some(nl + 3);
        }
        i = nl + 1;
    }
    None
}

/// Parses a request head and applies the rules that come before routing, in this order:
/// a well-formed head (400; 505 for a version other than HTTP/1.0 or 1.1); one `Host` header
/// in HTTP/1.1 (400); a loopback authority, taken from an absolute-form target or else from
/// `Host` (403: through DNS rebinding, a web page could otherwise read this server under
/// its own name); GET or HEAD (405, with `Allow`).
pub fn parse_request(head: &[u8]) -> std::result::Result<Request, Refusal> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let line = lines.next().unwrap_or_default();
    let mut words = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return refuse(400, "malformed request line");
    };
    if method.is_empty() || target.is_empty() {
        return refuse(400, "malformed request line");
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        v if v.starts_with("HTTP/") => return refuse(505, "only HTTP/1.1 and HTTP/1.0"),
        _ => return refuse(400, "malformed request line"),
    };
    let mut hosts = Vec::new();
    for header in lines.take_while(|l| !l.is_empty()) {
        if header.starts_with([' ', '\t']) {
            return refuse(400, "folded header lines are not accepted");
        }
        let Some((name, value)) = header.split_once(':') else {
            return refuse(400, "malformed header line");
        };
        if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace()) {
            return refuse(400, "malformed header name");
        }
        if name.eq_ignore_ascii_case("host") {
            hosts.push(value.trim_matches([' ', '\t']));
        }
    }
    if hosts.len() > 1 || (hosts.is_empty() && !http10) {
        return refuse(400, "an HTTP/1.1 request needs exactly one Host header");
    }
    // The absolute form (`GET http://127.0.0.1:8000/x`) names its authority itself, and the
    // Host header is then ignored (RFC 9112, 3.2.2).
    let (path, authority) = match split_absolute(target) {
        Some((authority, path)) => (path, Some(authority)),
        None => (target.to_string(), hosts.first().copied()),
    };
    if let Some(authority) = authority
        && !is_loopback(authority)
    {
        return refuse(
            403,
            "this server answers only requests for localhost, 127.0.0.1 or [::1]",
        );
    }
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        _ => return refuse(405, "only GET and HEAD"),
    };
    if !path.starts_with('/') {
        return refuse(400, "malformed request target");
    }
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(Request { method, path })
}

/// An absolute-form `http://` target as its authority and its path (`/` when empty, query
/// kept).
pub(super) fn split_absolute(target: &str) -> Option<(&str, String)> {
    let scheme = target.get(..7)?;
    if !scheme.eq_ignore_ascii_case("http://") {
        return None;
    }
    let rest = &target[7..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Some((authority, path))
}

/// Whether a `Host` value or target authority names this machine's loopback: `localhost`,
/// `127.0.0.1` or `[::1]`, with or without a port. No user information, nothing else.
pub fn is_loopback(authority: &str) -> bool {
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((inner, port)) => (&authority[..inner.len() + 2], port),
            None => return false,
        },
        None => match authority.find(':') {
            Some(at) => authority.split_at(at),
            None => (authority, ""),
        },
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok
        && (host.eq_ignore_ascii_case("localhost")
            || host == "127.0.0.1"
            || host.eq_ignore_ascii_case("[::1]"))
}

/// A short plain-text answer (errors, refusals).
pub(super) fn respond_text(
    stream: &mut TcpStream,
    status: u16,
    body: &[u8],
    method: Method,
) -> std::io::Result<()> {
    respond(stream, status, "text/plain; charset=utf-8", body, method)
}

pub(super) fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    method: Method,
) -> std::io::Result<()> {
    respond_with(stream, status, content_type, "", body, method)
}

/// A whole response, `extra` holding any more header lines (each ending in CRLF), sent within
/// `RESPONSE_DEADLINE`.
pub(super) fn respond_with(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    extra: &str,
    body: &[u8],
    method: Method,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "Service Unavailable",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         {extra}Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let deadline = Instant::now() + RESPONSE_DEADLINE;
    send(stream, head.as_bytes(), deadline)?;
    if method == Method::Get {
        send(stream, body, deadline)?;
    }
    stream.flush()
}

/// Writes `bytes` before `deadline`: each write waits only for what is left of it, so a client
/// that reads slowly holds its slot for a bounded time.
pub(super) fn send(
    stream: &mut TcpStream,
    mut bytes: &[u8],
    deadline: Instant,
) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(bytes) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The request path as safe relative segments, or `None` when it tries to leave the folder
/// (`..`, encoded or not), or holds a backslash, a NUL or a drive letter.
pub fn safe_path(path: &str) -> Option<Vec<String>> {
    let decoded = percent_decode(path.strip_prefix('/')?)?;
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        if segment.is_empty() || segment == "." {
            continue;
        }
        if segment == ".." || segment.contains(['\\', '\0', ':']) {
            return None;
        }
        segments.push(segment.to_string());
    }
    Some(segments)
}

pub(super) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file to send for `segments`: a file, a folder's `index.html`, or `name.html` for `name`.
/// Symbolic links that lead out of the served folder are refused.
pub(super) fn resolve(out: &Path, segments: &[String]) -> Option<PathBuf> {
    let mut path = out.to_path_buf();
    path.extend(segments);
    let candidates = [
        path.clone(),
        path.join("index.html"),
        path.with_extension("html"),
    ];
    let file = candidates.into_iter().find(|p| p.is_file())?;
    let real = file.canonicalize().ok()?;
    real.starts_with(out).then_some(real)
}

pub(super) fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        assert_eq!(
            safe_path("/a/b.html"),
            Some(vec!["a".to_string(), "b.html".to_string()])
        );
        assert_eq!(safe_path("/"), Some(vec![]));
        assert_eq!(
            safe_path("/caf%C3%A9.html"),
            Some(vec!["café.html".to_string()])
        );
        for bad in [
            "/../livret.toml",
            "/a/../../x",
            "/%2e%2e/livret.toml",
            "/%2E%2E%2Flivret.toml",
            "/a%5c..%5cb",
            "/x%00",
            "/c:/windows",
            "relative",
            "/%zz",
            "/%ff",
        ] {
            assert_eq!(safe_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_loopback_authorities_are_answered() {
        for good in [
            "localhost",
            "LOCALHOST:8000",
            "localhost:",
            "127.0.0.1",
            "127.0.0.1:65535",
            "[::1]",
            "[::1]:8000",
        ] {
            assert!(is_loopback(good), "{good}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:8000",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "127.0.0.1:80x",
            "127.0.0.1:123456",
            "user@127.0.0.1",
            "127.0.0.1:8000@evil.example",
            "[::1].evil.example",
            "[::1",
            "[::2]:8000",
            "127.0.0.2",
            "0.0.0.0",
        ] {
            assert!(!is_loopback(bad), "{bad}");
        }
    }

    fn status_of(head: &str) -> u16 {
        match parse_request(head.as_bytes()) {
            Ok(_) => 200,
            Err(refusal) => refusal.status,
        }
    }

    #[test]
    fn request_heads_are_checked_before_routing() {
        let ok = |head: &str, path: &str, method: Method| {
            assert_eq!(
                parse_request(head.as_bytes()),
                Ok(Request {
                    method,
                    path: path.to_string()
                }),
                "{head}"
            );
        };
        ok(
            "GET /a.html?x=1 HTTP/1.1\r\nHost: localhost:8000\r\n\r\n",
            "/a.html",
            Method::Get,
        );
        ok("HEAD / HTTP/1.1\nhost:127.0.0.1\n\n", "/", Method::Head);
        ok("GET /a HTTP/1.0\r\n\r\n", "/a", Method::Get);
        ok(
            "GET http://127.0.0.1:8000/a HTTP/1.1\r\nHost: x\r\n\r\n",
            "/a",
            Method::Get,
        );
        ok(
            "GET http://localhost HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "/",
            Method::Get,
        );
        ok(
            "GET http://localhost?q HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "/",
            Method::Get,
        );
        for (head, status) in [
            ("GET / HTTP/1.1\r\n\r\n", 400),
            (
                "GET / HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n",
                400,
            ),
            ("GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 403),
            (
                "GET http://evil.example/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
                403,
            ),
            ("POST / HTTP/1.1\r\nHost: localhost\r\n\r\n", 405),
            ("POST / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 403),
            ("GET / HTTP/2.0\r\nHost: localhost\r\n\r\n", 505),
            ("GET / FTP/1.0\r\nHost: localhost\r\n\r\n", 400),
            ("GET  / HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            ("GET / HTTP/1.1 x\r\nHost: localhost\r\n\r\n", 400),
            ("GET a.html HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            (
                "GET https://localhost/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
                400,
            ),
            ("GET / HTTP/1.1\r\nHost : localhost\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: localhost\r\n folded\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nno colon\r\n\r\n", 400),
        ] {
            assert_eq!(status_of(head), status, "{head}");
        }
    }

    #[test]
    fn the_head_ends_at_its_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n\r\nbody", 0), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\nA: b\n\n", 0), Some(21));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n", 0), None);
    }
}
