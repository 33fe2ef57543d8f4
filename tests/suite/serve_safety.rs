//! `livret serve` under attack: it refuses the same `--out` as
//! `build` even when its first build fails, answers only requests addressed to the loopback
//! (DNS rebinding), is not starved by open pages or slow clients, and follows HTTP/1.1 on
//! `Allow` and absolute-form targets. All traffic goes to 127.0.0.1, bounded in count and time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::support::*;

/// One server at a time: the starvation test measures a latency on a small machine.
static SERVE: Mutex<()> = Mutex::new(());

const GOOD: &[(&str, &str)] = &[
    ("livret.toml", "title = \"Guide\"\n"),
    ("fiches/10-p/_part.toml", "title = \"Partie\"\n"),
    (
        "fiches/10-p/01-x.toml",
        "title = \"Fiche\"\nsummary = \"Texte.\"\n",
    ),
];

/// A running `livret serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path) -> Server {
    let mut child = Command::new(bin())
        .args(["serve", "--port", "0"])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start livret serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("serve stopped").unwrap();
        if let Some((_, rest)) = line.split_once("http://127.0.0.1:") {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    // Keep draining its output so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, port }
}

/// Sends `head` as it is; returns the status, the response head and the body.
fn raw(port: u16, head: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").expect("HTTP head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    (status, head.to_string(), body.to_string())
}

/// `GET target` with the given Host header (none when `None`).
fn get(port: u16, target: &str, host: Option<&str>) -> (u16, String, String) {
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    raw(
        port,
        &format!("GET {target} HTTP/1.1\r\n{host}Connection: close\r\n\r\n"),
    )
}

/// Runs `livret serve ARGS` in `root`: its exit code and stderr, or `None` when it was still
/// running (serving) after `within`, then killed.
fn serve_exit(root: &Path, args: &[&str], home: &Path, within: Duration) -> Option<(i32, String)> {
    let mut child = Command::new(bin())
        .arg("serve")
        .args(args)
        .current_dir(root)
        .env("HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start livret serve");
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return Some((status.code().unwrap_or(-1), err));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Item 1: a broken fiche made `serve` skip the `--out` checks and serve `/` (and
/// `/etc/passwd`), the project, or a new folder inside `fiches/`. The refusals of `build` now
/// come first, and nothing is created.
#[test]
fn serve_refuses_the_outs_that_build_refuses_even_when_its_first_build_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let root = home.join("guide");
    for (rel, text) in GOOD {
        write(&root, rel, text);
    }
    write(&root, "fiches/10-p/02-y.toml", "titel = \"Cassée\"\n");
    let before = tree_hash(tmp.path());
    for (out, needle) in [
        ("/", "it is the file-system root"),
        (".", "it is the project folder"),
        ("fiches/x", "it is inside the fiches folder"),
        ("..", "it is your home folder"),
    ] {
        for force in [false, true] {
            let mut args = vec!["--port", "0", "--out", out];
            if force {
                args.push("--force");
            }
            let Some((code, err)) = serve_exit(&root, &args, &home, Duration::from_secs(20)) else {
                panic!("serve --out {out} kept running (serving) instead of refusing");
            };
            assert_eq!(code, 2, "serve {args:?}: expected a usage error:\n{err}");
            assert!(err.contains(needle), "serve {args:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
            assert_eq!(
                tree_hash(tmp.path()),
                before,
                "serve {args:?} created or changed something"
            );
        }
    }
    assert!(!root.join("fiches/x").exists());
    // `build` gives the same refusal for the same project (it used to report the broken fiche).
    let out = Command::new(bin())
        .args(["build", "--out", "/"])
        .current_dir(&root)
        .env("HOME", &home)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("it is the file-system root"));
}

/// Item 1: the static handler never sends a file from outside the served folder, through a
/// link to a file, a link to a folder, or the 404 page.
#[test]
fn serve_never_follows_links_out_of_the_served_folder() {
    let _serial = SERVE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = project(GOOD);
    let root = dir.path();
    let server = serve(root);
    let port = server.port;
    let secret = "ne-doit-jamais-sortir";
    write(root, "secret.txt", secret);
    let out = root.join("out");
    std::os::unix::fs::symlink(root, out.join("projet")).unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), out.join("lien.txt")).unwrap();
    let _ = std::fs::remove_file(out.join("404.html"));
    std::os::unix::fs::symlink(root.join("secret.txt"), out.join("404.html")).unwrap();
    for target in [
        "/projet/secret.txt",
        "/projet/livret.toml",
        "/lien.txt",
        "/nulle-part",
    ] {
        let (status, _, body) = get(port, target, Some("127.0.0.1"));
        assert_eq!(status, 404, "{target}");
        assert!(
            !body.contains(secret),
            "{target} served a file from outside out/"
        );
        assert!(!body.contains("title = "), "{target} served livret.toml");
    }
}

/// Item 2 (DNS rebinding) and item 13 (HTTP conformance).
#[test]
fn serve_answers_only_requests_addressed_to_the_loopback() {
    let _serial = SERVE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = project(GOOD);
    let server = serve(dir.path());
    let port = server.port;
    let p = port.to_string();

    for host in [
        "evil.example".to_string(),
        format!("evil.example:{p}"),
        "127.0.0.1.evil.example".to_string(),
        "localhost.evil.example".to_string(),
        format!("user@127.0.0.1:{p}"),
        format!("127.0.0.1:{p}@evil.example"),
        "[::1].evil.example".to_string(),
        "127.0.0.2".to_string(),
        "".to_string(),
    ] {
        for target in ["/", "/x.html", "/__livret/status", "/__livret/events"] {
            let (status, _, body) = get(port, target, Some(&host));
            assert_eq!(status, 403, "Host: {host} {target}");
            assert!(!body.contains("Fiche"), "Host: {host} {target}: {body}");
            assert!(
                !body.contains("generation"),
                "Host: {host} {target}: {body}"
            );
        }
    }
    for host in [
        "localhost".to_string(),
        format!("localhost:{p}"),
        "LocalHost".to_string(),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{p}"),
        "[::1]".to_string(),
        format!("[::1]:{p}"),
    ] {
        let (status, _, body) = get(port, "/x.html", Some(&host));
        assert_eq!(status, 200, "Host: {host}");
        assert!(body.contains("Fiche"));
    }
    // HTTP/1.1 needs exactly one Host; HTTP/1.0 may omit it.
    assert_eq!(get(port, "/", None).0, 400);
    let (status, _, _) = raw(
        port,
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n",
    );
    assert_eq!(status, 400);
    assert_eq!(raw(port, "GET /x.html HTTP/1.0\r\n\r\n").0, 200);

    // The absolute form is accepted, and its authority follows the same rule.
    let (status, _, body) = get(
        port,
        &format!("http://127.0.0.1:{p}/x.html"),
        Some(&format!("127.0.0.1:{p}")),
    );
    assert_eq!(status, 200);
    assert!(body.contains("Fiche"));
    let (status, _, body) = get(
        port,
        &format!("HTTP://localhost:{p}/__livret/status?x=1"),
        Some("localhost"),
    );
    assert_eq!(status, 200);
    assert!(body.contains("\"generation\":1"), "{body}");
    assert_eq!(
        get(port, &format!("http://localhost:{p}"), Some("localhost")).0,
        200
    );
    assert_eq!(
        get(port, "http://evil.example/x.html", Some("127.0.0.1")).0,
        403
    );
    // 405 says what is allowed.
    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let (status, head, _) = raw(
            port,
            &format!("{method} /x.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        );
        assert_eq!(status, 405, "{method}");
        assert!(
            head.contains("\r\nAllow: GET, HEAD\r\n"),
            "{method}: {head}"
        );
    }
}

/// An open event stream, after its `hello`.
fn open_stream(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /__livret/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"event: hello\n") {
        assert!(
            stream.read(&mut byte).unwrap() == 1,
            "stream closed: {seen:?}"
        );
        seen.push(byte[0]);
        assert!(seen.len() < 4096);
    }
    assert!(seen.starts_with(b"HTTP/1.1 200 "), "{seen:?}");
    stream
}

/// Whether the server has closed `stream` (read gives 0 or an error within `within`).
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
}

/// Item 3: 64 open pages and 64 slowloris sockets used to take every slot (503 for everyone,
/// or 30 s of waiting). Now a page still comes within 1 s, slow heads are dropped after 5 s in
/// total, and even more slow sockets than their limit do not lock a new client out.
#[test]
fn serve_is_not_starved_by_open_pages_or_slow_clients() {
    let _serial = SERVE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = project(GOOD);
    let server = serve(dir.path());
    let port = server.port;

    let streams: Vec<TcpStream> = (0..64).map(|_| open_stream(port)).collect();
    let started = Instant::now();
    let mut slow: Vec<TcpStream> = (0..64)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            s.write_all(b"G").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let timed = |what: &str| {
        let asked = Instant::now();
        let (status, _, body) = get(port, "/x.html", Some("127.0.0.1"));
        let took = asked.elapsed();
        assert_eq!(status, 200, "{what}: {body}");
        assert!(body.contains("Fiche"));
        assert!(
            took < Duration::from_secs(1),
            "{what}: the page took {took:?}"
        );
    };
    timed("64 open pages and 64 slow clients");
    let (_, _, status) = get(port, "/__livret/status", Some("127.0.0.1"));
    assert!(status.contains("\"pages\":64"), "{status}");

    // Trickle one byte every 500 ms: the deadline is 5 s for the whole head, not per read.
    let text = b"ET / HTTP/1.1\r\nX-A: bbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    let mut i = 0;
    while started.elapsed() < Duration::from_millis(4500) {
        for s in &mut slow {
            let _ = s.write_all(&text[i..i + 1]);
        }
        i += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    timed("slow clients trickling");
    for s in &mut slow {
        assert!(
            closed_within(s, Duration::from_secs(3)),
            "a slow head was still open {:?} after connecting",
            started.elapsed()
        );
    }
    assert!(started.elapsed() < Duration::from_secs(9));

    // More slow sockets than there are slots for heads: the oldest make room for a new client.
    let crowd: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    timed("200 silent sockets");
    drop(crowd);
    // The open pages were never dropped, and still get events.
    let (_, _, status) = get(port, "/__livret/status", Some("127.0.0.1"));
    assert!(status.contains("\"pages\":64"), "{status}");
    drop(streams);
}
