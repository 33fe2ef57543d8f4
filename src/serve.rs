//! `livret serve`: builds, serves the output folder on 127.0.0.1, watches `livret.toml`,
//! `fiches/` and `themes/`, rebuilds on change (debounced; incrementally, see `incremental`) and
//! live-reloads open pages through Server-Sent Events. Owns the small HTTP/1.1 server (GET and HEAD of static files, path
//! traversal refused), the watcher, and the reload script, which is injected into HTML responses
//! only: files in `out/` are never changed by serving. A broken edit prints its diagnostics and
//! shows them over the page, while the last good build stays served (a failed build writes
//! nothing).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::build::BuildOptions;
use crate::check::tidy;
use crate::error::{Error, Result};
use crate::incremental::Session;

/// What `livret serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    /// Port on 127.0.0.1; 0 picks a free one. A taken port falls back to a free one.
    pub port: u16,
}

/// Quiet time after the last change before rebuilding: an editor's save is a burst of a few
/// milliseconds. Short, since an incremental rebuild is cheap: one that starts in the middle of a
/// longer burst (a `git checkout`) is followed by another one.
const DEBOUNCE: Duration = Duration::from_millis(30);
/// A burst of changes never delays a rebuild longer than this.
const MAX_DELAY: Duration = Duration::from_millis(600);
/// An idle event stream sends a comment this often, to notice closed pages.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// Connections served at once; more are refused (a page and its assets need a handful).
const MAX_CONNECTIONS: usize = 64;
const MAX_HEAD_BYTES: usize = 16 * 1024;

pub const EVENTS_PATH: &str = "/__livret/events";
pub const SCRIPT_PATH: &str = "/__livret/live.js";
/// `{"generation": N, "pages": open pages, "problems": bool}`, for tools and tests.
pub const STATUS_PATH: &str = "/__livret/status";

/// The reload client: listens to the event stream, reloads on a new build, shows problems.
const LIVE_JS: &str = include_str!("live.js");

/// Served for a missing page when there is no 404.html (the first build failed).
const NOTHING_YET: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
                           <title>livret</title></head><body><p>Not found (nothing built yet?)\
                           </p></body></html>\n";
/// What open pages need to know: the current good build, and the problems of the last edit.
struct State {
    generation: u64,
    problems: Option<String>,
}

struct Shared {
    /// The served folder, canonical.
    out: PathBuf,
    state: Mutex<State>,
    clients: Mutex<Vec<Sender<String>>>,
    connections: AtomicUsize,
    /// Open event streams (pages listening for reloads).
    pages: AtomicUsize,
}

impl Shared {
    fn broadcast(&self, message: String) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain(|c| c.send(message.clone()).is_ok());
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs the server until the process is stopped.
pub fn serve(options: &ServeOptions) -> Result<()> {
    let root = &options.build.root;
    // Rebuilds re-parse only the changed files and re-render only what depends on them.
    let mut session = Session::new(options.build.clone());
    let first = session.rebuild();
    let problems = match first {
        Ok(report) => {
            println!(
                "livret: built {} pages in {} ms",
                report.pages, report.millis
            );
            None
        }
        Err(Error::Content(diagnostics)) => Some(print_problems(&diagnostics)),
        Err(other) => return Err(other),
    };
    std::fs::create_dir_all(&options.build.out).map_err(|e| Error::io(&options.build.out, e))?;
    let out = options
        .build
        .out
        .canonicalize()
        .map_err(|e| Error::io(&options.build.out, e))?;

    let listener = bind(options.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Other(e.to_string()))?;
    let shared = Arc::new(Shared {
        out,
        state: Mutex::new(State {
            generation: 1,
            problems,
        }),
        clients: Mutex::new(Vec::new()),
        connections: AtomicUsize::new(0),
        pages: AtomicUsize::new(0),
    });

    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)
        .map_err(|e| Error::Other(format!("cannot watch the project for changes: {e}")))?;
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let mut watched = Watched::default();
    watched.refresh(&mut watcher, &root);
    {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            watch_loop(
                &rx,
                &mut watcher,
                &mut watched,
                &root,
                &mut session,
                &shared,
            )
        });
    }

    println!("livret: serving http://{addr}/ — edit and save, open pages reload (Ctrl-C to stop)");
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            let mut stream = stream;
            let _ = respond_text(&mut stream, 503, b"busy\n", false);
            continue;
        }
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let _ = handle(stream, &shared);
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

/// Binds 127.0.0.1:`port`, or a free port when that one is taken.
fn bind(port: u16) -> Result<TcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match TcpListener::bind(addr) {
        Ok(l) => Ok(l),
        Err(e) if port != 0 && e.kind() == std::io::ErrorKind::AddrInUse => {
            let l = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .map_err(|e| Error::Other(format!("cannot open a port on 127.0.0.1: {e}")))?;
            let free = l.local_addr().map(|a| a.port()).unwrap_or(0);
            println!("livret: port {port} is taken, using port {free} instead");
            Ok(l)
        }
        Err(e) => Err(Error::Usage(format!("cannot listen on {addr}: {e}"))),
    }
}

/// Prints diagnostics to the terminal; returns the same text for the page overlay.
fn print_problems(diagnostics: &[crate::error::Diagnostic]) -> String {
    let mut text = String::new();
    for d in diagnostics {
        text.push_str(&tidy(d).to_string());
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "livret: {} error{} — the last good build is still served",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    ));
    eprintln!("{text}");
    text
}

/// Which project folders the watcher holds, so that a folder created later is watched too.
#[derive(Default)]
struct Watched {
    root: bool,
    fiches: bool,
    themes: bool,
}

impl Watched {
    fn refresh(&mut self, watcher: &mut impl Watcher, root: &Path) {
        if !self.root {
            self.root = watcher.watch(root, RecursiveMode::NonRecursive).is_ok();
        }
        let fiches = root.join(crate::load::FICHES_DIR);
        if !self.fiches && fiches.is_dir() {
            self.fiches = watcher.watch(&fiches, RecursiveMode::Recursive).is_ok();
        }
        let themes = root.join(crate::render::theme::THEMES_DIR);
        if !self.themes && themes.is_dir() {
            self.themes = watcher.watch(&themes, RecursiveMode::Recursive).is_ok();
        }
    }
}

/// Whether a changed path is part of the project's input.
fn is_input(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components();
    match parts.next() {
        Some(Component::Normal(first)) => {
            first == crate::config::FILE_NAME
                || first == crate::load::FICHES_DIR
                || first == crate::render::theme::THEMES_DIR
        }
        _ => false,
    }
}

fn watch_loop(
    rx: &Receiver<notify::Result<notify::Event>>,
    watcher: &mut impl Watcher,
    watched: &mut Watched,
    root: &Path,
    session: &mut Session,
    shared: &Shared,
) {
    let relevant = |event: &notify::Result<notify::Event>| match event {
        Ok(e) => {
            !matches!(e.kind, EventKind::Access(_)) && e.paths.iter().any(|p| is_input(root, p))
        }
        Err(_) => false,
    };
    while let Ok(event) = rx.recv() {
        if !relevant(&event) {
            continue;
        }
        // Debounce: wait until the burst of events (an editor's save) is over.
        let start = Instant::now();
        loop {
            let left = MAX_DELAY.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            match rx.recv_timeout(DEBOUNCE.min(left)) {
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // fiches/ or themes/ itself created or replaced (a git checkout): watch it anew.
        if let Ok(e) = &event {
            for p in &e.paths {
                if p == &root.join(crate::load::FICHES_DIR) {
                    watched.fiches = false;
                }
                if p == &root.join(crate::render::theme::THEMES_DIR) {
                    watched.themes = false;
                }
            }
        }
        watched.refresh(watcher, root);
        rebuild(session, shared);
    }
}

fn rebuild(session: &mut Session, shared: &Shared) {
    let started = Instant::now();
    match session.rebuild() {
        Ok(report) => {
            let generation = {
                let mut state = shared.state();
                state.generation += 1;
                state.problems = None;
                state.generation
            };
            shared.broadcast(format!("event: reload\ndata: {generation}\n\n"));
            let what = if report.full {
                format!("{} pages", report.pages)
            } else {
                format!("the {} changed files", report.written.len())
            };
            println!(
                "livret: rebuilt {what} in {} ms, open pages reload",
                started.elapsed().as_millis()
            );
        }
        Err(e) => {
            let text = match &e {
                Error::Content(diagnostics) => print_problems(diagnostics),
                other => {
                    let text = format!("livret: error: {other}");
                    eprintln!("{text}");
                    text
                }
            };
            shared.state().problems = Some(text.clone());
            shared.broadcast(problems_event(&text));
        }
    }
}

fn problems_event(text: &str) -> String {
    format!(
        "event: problems\ndata: {}\n\n",
        serde_json::json!({ "text": text })
    )
}

/// A parsed request line.
struct Request {
    method: String,
    target: String,
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.take(MAX_HEAD_BYTES as u64));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let method = words.next()?.to_string();
    let target = words.next()?.to_string();
    let version = words.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    // Headers are read and ignored, up to the blank line.
    loop {
        let mut header = String::new();
        let n = reader.read_line(&mut header).ok()?;
        if n == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    Some(Request { method, target })
}

fn handle(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let Some(request) = read_request(&stream) else {
        return respond_text(&mut stream, 400, b"bad request\n", false);
    };
    let head_only = request.method == "HEAD";
    if request.method != "GET" && !head_only {
        return respond_text(&mut stream, 405, b"only GET and HEAD\n", false);
    }
    let path = request
        .target
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string();
    match path.as_str() {
        EVENTS_PATH => {
            shared.pages.fetch_add(1, Ordering::SeqCst);
            let result = events(stream, shared);
            shared.pages.fetch_sub(1, Ordering::SeqCst);
            return result;
        }
        STATUS_PATH => {
            let status = {
                let state = shared.state();
                serde_json::json!({
                    "generation": state.generation,
                    "pages": shared.pages.load(Ordering::SeqCst),
                    "problems": state.problems.is_some(),
                })
            };
            return respond(
                &mut stream,
                200,
                "application/json",
                format!("{status}\n").as_bytes(),
                head_only,
            );
        }
        SCRIPT_PATH => {
            return respond(
                &mut stream,
                200,
                "text/javascript; charset=utf-8",
                LIVE_JS.as_bytes(),
                head_only,
            );
        }
        _ => {}
    }
    let Some(rel) = safe_path(&path) else {
        return respond_text(&mut stream, 403, b"forbidden\n", head_only);
    };
    match resolve(&shared.out, &rel) {
        Some(file) => {
            let bytes = std::fs::read(&file)?;
            let kind = content_type(&file);
            if kind.starts_with("text/html") {
                let html = inject(&bytes, shared.state().generation);
                respond(&mut stream, 200, kind, &html, head_only)
            } else {
                respond(&mut stream, 200, kind, &bytes, head_only)
            }
        }
        None => {
            // Nothing built yet (the first build failed): a bare page, so that the overlay can
            // still show the problems.
            let page = std::fs::read(shared.out.join("404.html"))
                .unwrap_or_else(|_| NOTHING_YET.as_bytes().to_vec());
            let html = inject(&page, shared.state().generation);
            respond(
                &mut stream,
                404,
                "text/html; charset=utf-8",
                &html,
                head_only,
            )
        }
    }
}

/// The event stream of one open page: its generation, the current problems, then every event.
fn events(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (tx, rx) = mpsc::channel::<String>();
    let hello = {
        let state = shared.state();
        let mut hello = format!("retry: 500\nevent: hello\ndata: {}\n\n", state.generation);
        if let Some(text) = &state.problems {
            hello.push_str(&problems_event(text));
        }
        // Registered under the state lock: no build can finish between hello and registration.
        shared
            .clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        hello
    };
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
          Connection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n",
    )?;
    stream.write_all(hello.as_bytes())?;
    stream.flush()?;
    loop {
        match rx.recv_timeout(HEARTBEAT) {
            Ok(message) => stream.write_all(message.as_bytes())?,
            Err(RecvTimeoutError::Timeout) => stream.write_all(b": ping\n\n")?,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        stream.flush()?;
    }
}

/// A short plain-text answer (errors, refusals).
fn respond_text(
    stream: &mut TcpStream,
    status: u16,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    respond(stream, status, "text/plain; charset=utf-8", body, head_only)
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
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

fn percent_decode(text: &str) -> Option<String> {
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
fn resolve(out: &Path, segments: &[String]) -> Option<PathBuf> {
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

fn content_type(path: &Path) -> &'static str {
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

/// The served HTML: the reload script added before `</body>` (or at the end).
pub fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-gen=\"{generation}\"></script>\n");
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
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
    fn script_goes_before_the_last_body_end() -> crate::error::TestResult {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, 7))?;
        assert_eq!(
            out,
            "<html><body><p>x</p><script src=\"/__livret/live.js\" data-gen=\"7\"></script>\n</BODY></html>"
        );
        let out = String::from_utf8(inject(b"<p>x</p>", 1))?;
        assert!(out.starts_with("<p>x</p><script"));
        Ok(())
    }

    #[test]
    fn only_project_inputs_trigger_rebuilds() {
        let root = Path::new("/p");
        assert!(is_input(root, Path::new("/p/livret.toml")));
        assert!(is_input(root, Path::new("/p/fiches/10-a/01-b.toml")));
        assert!(is_input(root, Path::new("/p/themes/x/css/style.css")));
        assert!(!is_input(root, Path::new("/p/out/index.html")));
        assert!(!is_input(root, Path::new("/p/.out.livret-tmp/index.html")));
        assert!(!is_input(root, Path::new("/elsewhere/livret.toml")));
    }
}
