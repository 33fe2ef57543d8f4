//! `livret serve`: builds, serves the output folder on 127.0.0.1, watches `livret.toml`,
//! `fiches/` and `themes/`, rebuilds on change (debounced; incrementally, see `incremental`) and
//! live-reloads open pages through Server-Sent Events. Owns the small HTTP/1.1 server (GET and HEAD of static files, path
//! traversal refused), the watcher, and the reload script, which is injected into HTML responses
//! only: files in `out/` are never changed by serving. A broken edit prints its diagnostics and
//! shows them over the page, while the last good build stays served (a failed build writes
//! nothing).
//!
//! The HTTP layer is hand-written on purpose, and small: GET and HEAD of files, one event
//! stream, `Connection: close`. What matters here are its rules and limits, and no crate gives
//! them as such: tiny_http has no deadline for the whole request head and no bound on its
//! threads, and hyper needs an async runtime (tokio) for what is a single-user preview server,
//! with the loopback rule, the event streams and the limits still to write. So: one thread per
//! connection (a slow client only holds its own), the head read within `HEAD_DEADLINE` in total,
//! and separate limits for connections still sending their head (`MAX_HEADS`, the oldest
//! dropped for a new one), requests being answered (`MAX_REQUESTS`) and event streams
//! (`MAX_STREAMS`). No lock is held across any I/O.

use std::collections::BTreeMap;
mod http;
pub mod session;

use std::io::Write;
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::build::BuildOptions;
use crate::cmd::serve::session::Session;
use crate::error::{Error, Result};
use crate::output::names::NOT_FOUND;
use http::*;

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
/// A client sends its whole request head within this time after connecting (in total, not per
/// read), or is dropped: a client trickling a byte at a time holds nothing for longer.
const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// Connections still sending their head, at most; at the limit the oldest one is dropped to
/// make room, so that slow clients never lock out a new one (a browser sends its head at once).
const MAX_HEADS: usize = 128;
/// Page and file requests answered at once; more get 503 (a page and its assets need a handful).
const MAX_REQUESTS: usize = 64;
/// Open event streams (one per open page), at most; more get 503. Separate from the requests:
/// open tabs never take the slots that serve pages.
const MAX_STREAMS: usize = 128;
/// A whole response is sent within this time, or the connection is dropped.
const RESPONSE_DEADLINE: Duration = Duration::from_secs(20);
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Each connection has its own thread, with a small stack (files are read onto the heap).
const THREAD_STACK: usize = 256 * 1024;

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
    /// Connections still sending their request head.
    heads: Heads,
    /// Requests being answered (everything but the event streams).
    requests: AtomicUsize,
    /// Open event streams (pages listening for reloads).
    pages: AtomicUsize,
}

/// The connections still sending their request head, oldest first: a handle on each, so that
/// the oldest can be shut down when a new one needs its place.
#[derive(Default)]
struct Heads {
    open: Mutex<(u64, BTreeMap<u64, TcpStream>)>,
}

impl Heads {
    /// Registers a new connection, dropping the oldest pending one at the limit. `None` when
    /// the connection cannot be registered (no file descriptor left): it is closed.
    fn admit(&self, stream: &TcpStream) -> Option<u64> {
        let handle = stream.try_clone().ok()?;
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let (next, heads) = &mut *open;
        if heads.len() >= MAX_HEADS
            && let Some((_, oldest)) = heads.pop_first()
        {
            // Its thread's next read fails at once, and it ends.
            let _ = oldest.shutdown(Shutdown::Both);
        }
        let id = *next;
        *next += 1;
        heads.insert(id, handle);
        Some(id)
    }

    /// The connection `id` has sent its head (or failed to).
    fn done(&self, id: u64) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.1.remove(&id);
    }
}

/// One of a limited number of slots, given back when dropped.
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    fn take(counter: &'a AtomicUsize, max: usize) -> Option<Slot<'a>> {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(counter))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
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
    // The refusals of `livret build`, before anything is built, created or served: a first
    // build that fails must not let `--out /` or `--out .` be served.
    let out = crate::output::check_out_dir(root, &options.build.out, options.build.force)?;
    // Rebuilds re-parse only the changed files and re-render only what depends on them.
    let mut session = Session::new(options.build.clone());
    let first = session.rebuild();
    let problems = match first {
        Ok(report) => {
            println!(
                "livret: built {} pages in {} ms",
                report.pages, report.millis
            );
            print_warnings(&report.warnings, root);
            None
        }
        Err(Error::Content(diagnostics)) => Some(print_problems(&diagnostics, root)),
        Err(other) => return Err(other),
    };
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&options.build.out, e))?;
    let out = out
        .canonicalize()
        .map_err(|e| Error::io(&options.build.out, e))?;

    let listener = bind(options.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::other(e.to_string()))?;
    let shared = Arc::new(Shared {
        out,
        state: Mutex::new(State {
            generation: 1,
            problems,
        }),
        clients: Mutex::new(Vec::new()),
        heads: Heads::default(),
        requests: AtomicUsize::new(0),
        pages: AtomicUsize::new(0),
    });

    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)
        .map_err(|e| Error::other(format!("cannot watch the project for changes: {e}")))?;
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
    // One thread per connection: a slow client only ever holds its own thread, each stage has
    // its own limit (heads, requests, event streams), and no lock is held across any I/O.
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let accepted = Instant::now();
        let Some(ticket) = shared.heads.admit(&stream) else {
            continue;
        };
        let worker = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .stack_size(THREAD_STACK)
            .spawn(move || {
                let _ = handle(stream, ticket, accepted, &worker);
            });
        if spawned.is_err() {
            shared.heads.done(ticket);
        }
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
                .map_err(|e| Error::other(format!("cannot open a port on 127.0.0.1: {e}")))?;
            let free = l.local_addr().map(|a| a.port()).unwrap_or(0);
            println!("livret: port {port} is taken, using port {free} instead");
            Ok(l)
        }
        Err(e) => Err(Error::Usage(format!("cannot listen on {addr}: {e}"))),
    }
}

/// Prints diagnostics to the terminal; returns the same text for the page overlay.
/// The messages are in the language of the project at `root` (see `Lang::for_root`).
/// What a rebuild warned about (lints, PDFs removed because they no longer match), as
/// `livret build` says it.
fn print_warnings(warnings: &[crate::error::Diagnostic], root: &Path) {
    if !warnings.is_empty() {
        let lang = crate::source::config::lang_of(root);
        let text = crate::error::report(warnings, crate::message::Outcome::WarnedServed, lang);
        eprintln!("{text}");
    }
}

fn print_problems(diagnostics: &[crate::error::Diagnostic], root: &Path) -> String {
    let lang = crate::source::config::lang_of(root);
    let text = crate::error::report(diagnostics, crate::message::Outcome::StillServed, lang);
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
        let fiches = root.join(crate::source::walk::FICHES_DIR);
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
            first == crate::source::config::FILE_NAME
                || first == crate::source::walk::FICHES_DIR
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
                if p == &root.join(crate::source::walk::FICHES_DIR) {
                    watched.fiches = false;
                }
                if p == &root.join(crate::render::theme::THEMES_DIR) {
                    watched.themes = false;
                }
            }
        }
        watched.refresh(watcher, root);
        rebuild(session, shared, root);
    }
}

fn rebuild(session: &mut Session, shared: &Shared, root: &Path) {
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
            print_warnings(&report.warnings, root);
        }
        Err(e) => {
            let text = match &e {
                Error::Content(diagnostics) => print_problems(diagnostics, root),
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

fn handle(
    mut stream: TcpStream,
    ticket: u64,
    accepted: Instant,
    shared: &Shared,
) -> std::io::Result<()> {
    let head = read_head(&mut stream, accepted + HEAD_DEADLINE);
    shared.heads.done(ticket);
    let request = match head {
        Ok(head) => parse_request(&head),
        Err(HeadError::TooLarge) => refuse(431, "request head too large"),
        Err(HeadError::Gone) => return Ok(()),
    };
    let request = match request {
        Ok(request) => request,
        Err(refusal) => {
            let allow = if refusal.status == 405 {
                "Allow: GET, HEAD\r\n"
            } else {
                ""
            };
            let body = format!("{}\n", refusal.message);
            return respond_with(
                &mut stream,
                refusal.status,
                "text/plain; charset=utf-8",
                allow,
                body.as_bytes(),
                Method::Get,
            );
        }
    };
    let method = request.method;
    if request.path == EVENTS_PATH && method == Method::Get {
        let Some(_slot) = Slot::take(&shared.pages, MAX_STREAMS) else {
            return busy(&mut stream, method);
        };
        return events(stream, shared);
    }
    let Some(_slot) = Slot::take(&shared.requests, MAX_REQUESTS) else {
        return busy(&mut stream, method);
    };
    match request.path.as_str() {
        STATUS_PATH => {
            let status = {
                let state = shared.state();
                serde_json::json!({
                    "generation": state.generation,
                    "pages": shared.pages.load(Ordering::SeqCst),
                    "problems": state.problems.is_some(),
                })
            };
            respond(
                &mut stream,
                200,
                "application/json",
                format!("{status}\n").as_bytes(),
                method,
            )
        }
        // HEAD of the event stream: its head only, without opening a stream.
        EVENTS_PATH => respond(&mut stream, 200, "text/event-stream", b"", method),
        SCRIPT_PATH => respond(
            &mut stream,
            200,
            "text/javascript; charset=utf-8",
            LIVE_JS.as_bytes(),
            method,
        ),
        path => serve_file(&mut stream, path, method, shared),
    }
}

/// A file of the served folder (HTML with the reload script), or the 404 page.
fn serve_file(
    stream: &mut TcpStream,
    path: &str,
    method: Method,
    shared: &Shared,
) -> std::io::Result<()> {
    let Some(rel) = safe_path(path) else {
        return respond_text(stream, 403, b"forbidden\n", method);
    };
    match resolve(&shared.out, &rel) {
        Some(file) => {
            let bytes = std::fs::read(&file)?;
            let kind = content_type(&file);
            if kind.starts_with("text/html") {
                let html = inject(&bytes, shared.state().generation);
                respond(stream, 200, kind, &html, method)
            } else {
                respond(stream, 200, kind, &bytes, method)
            }
        }
        None => {
            // Nothing built yet (the first build failed): a bare page, so that the overlay can
            // still show the problems. The built 404 is looked up like any file (no link out).
            let page = resolve(&shared.out, &[NOT_FOUND.to_string()])
                .and_then(|file| std::fs::read(file).ok())
                .unwrap_or_else(|| NOTHING_YET.as_bytes().to_vec());
            let html = inject(&page, shared.state().generation);
            respond(stream, 404, "text/html; charset=utf-8", &html, method)
        }
    }
}

/// Every slot of its kind is taken: try again shortly (the reload script does).
fn busy(stream: &mut TcpStream, method: Method) -> std::io::Result<()> {
    respond_with(
        stream,
        503,
        "text/plain; charset=utf-8",
        "Retry-After: 1\r\n",
        b"busy\n",
        method,
    )
}

/// The event stream of one open page: its generation, the current problems, then every event.
fn events(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    // A page that stops reading is dropped at its next event or heartbeat.
    stream.set_write_timeout(Some(HEARTBEAT))?;
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
