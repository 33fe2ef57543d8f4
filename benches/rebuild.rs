//! The rebuild benchmark (issue 8, "Rebuild"): how long `livret serve` takes to bring `out/` up
//! to date after one fiche of a large booklet is saved. Generates a booklet of 1 000 fiches the
//! way `benches/scale.rs` does, builds it once with an incremental session, then times series
//! of single-fiche edits (edit → `out/` updated, in process): a text edit, a title edit (the
//! neighbours and the sommaire change too), a note added or removed in the first fiche (every
//! later print block is renumbered), and a save without change. Then it starts the real
//! `livret serve` and times a text edit from the file write to the reload event on
//! `/__livret/events`. Prints medians.
//!
//! Run: `cargo bench --bench rebuild` (options after `--`: `--fiches N`, `--edits N`).

#[allow(dead_code)]
#[path = "scale.rs"]
mod scale;

use scale::{arg, ms};

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use livret::{BuildOptions, Session};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let fiches = arg(&args, "--fiches")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000usize);
    let edits = arg(&args, "--edits")
        .and_then(|v| v.parse().ok())
        .unwrap_or(7usize)
        .max(1);
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    scale::generate(&repo, &scale::real_fiches(&repo), fiches, dir.path());
    let root = dir.path();
    // Fiche n° 501 and the first fiche: copies of the guide's Riace fiche (one note, last table).
    let middle = fiche(root, fiches / 2);
    let first = fiche(root, 0);

    let mut session = Session::new(BuildOptions {
        root: root.to_path_buf(),
        out: root.join("out"),
        force: false,
    });
    let started = Instant::now();
    let report = session.rebuild().expect("first build");
    println!(
        "livret rebuild benchmark — {fiches} fiches, {edits} edits a row, median; 2-core machine"
    );
    println!(
        "first build (full, in process): {:.1} ms, {} pages",
        ms(started.elapsed()),
        report.pages
    );
    println!(
        "{:>34} | {:>9} | {:>9} | {:>9} | {:>13}",
        "edit", "median", "min", "max", "files written"
    );
    println!("{}", "-".repeat(86));
    let original = fs::read_to_string(&middle).expect("read fiche");
    let first_original = fs::read_to_string(&first).expect("read fiche");
    let rows: [Row; 4] = [
        ("text of fiche 501", &middle, &|k| {
            original.replacen(
                "summary = '''\n",
                &format!("summary = '''\nÉdition {k}. "),
                1,
            )
        }),
        ("title of fiche 501", &middle, &|k| {
            replace_title(&original, &format!("Titre modifié {k}"))
        }),
        ("note added/removed in fiche 1", &first, &|k| {
            if k % 2 == 0 {
                first_original.replacen(
                    "summary = '''\n",
                    "summary = '''\nUne note de plus[^ajout]. ",
                    1,
                ) + "ajout = \"Une note ajoutée.\"\n"
            } else {
                first_original.clone()
            }
        }),
        ("saved without change", &middle, &|_| original.clone()),
    ];
    for (name, path, edit) in rows {
        let mut times = Vec::new();
        let mut written = 0;
        for k in 0..edits {
            fs::write(path, edit(k)).expect("edit");
            let started = Instant::now();
            let report = session.rebuild().expect("rebuild");
            times.push(started.elapsed());
            assert!(!report.full, "{name}: a full rebuild");
            // out/ holds the edit: the edited fiche's page was written (when it changed).
            let page = format!("{}.html", livret::internals::name_slug(path));
            let changed = !name.starts_with("saved");
            assert_eq!(report.written.contains(&page), changed, "{name}: {page}");
            if name.starts_with("text") {
                let html = fs::read_to_string(root.join("out").join(&page)).expect("page");
                assert!(
                    html.contains(&format!("Édition {k}.")),
                    "{name}: not in {page}"
                );
            }
            written = written.max(report.written.len());
        }
        fs::write(
            path,
            if *path == first {
                &first_original
            } else {
                &original
            },
        )
        .expect("reset");
        session.rebuild().expect("rebuild");
        row(name, &mut times, &written.to_string());
    }

    // The real server: from the file write to the reload event.
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_livret"));
    let mut child = Command::new(bin)
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start livret serve");
    let port = serving_port(child.stdout.take().expect("stdout"));
    let events = events(port);
    let mut times = Vec::new();
    for k in 0..edits {
        std::thread::sleep(Duration::from_millis(300));
        let text = original.replacen("summary = '''\n", &format!("summary = '''\nServi {k}. "), 1);
        fs::write(&middle, text).expect("edit");
        let started = Instant::now();
        loop {
            let event = events
                .recv_timeout(Duration::from_secs(30))
                .expect("no reload event within 30 s");
            if event == "reload" {
                break;
            }
            assert_ne!(event, "problems", "the edit was refused");
        }
        times.push(started.elapsed());
    }
    let _ = child.kill();
    let _ = child.wait();
    row("serve: write → reload event", &mut times, "");
}

/// One series of edits: its name, the file edited, the file's text at edit `k`.
type Row<'a> = (&'a str, &'a Path, &'a dyn Fn(usize) -> String);

fn row(name: &str, times: &mut [Duration], written: &str) {
    times.sort();
    println!(
        "{:>34} | {:>6.1} ms | {:>6.1} ms | {:>6.1} ms | {:>13}",
        name,
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        written
    );
}

/// The file of fiche `i` (from 0) of a generated booklet.
fn fiche(root: &Path, i: usize) -> PathBuf {
    let prefix = format!("{i:05}-");
    walkdir::WalkDir::new(root.join("fiches"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path().to_path_buf())
        .expect("generated fiche")
}

fn replace_title(text: &str, title: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("title = ") {
                format!("title = \"{title}\"\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

/// Reads `livret serve`'s output until it says where it serves; returns the port.
fn serving_port(stdout: std::process::ChildStdout) -> u16 {
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("livret serve stopped")
            .expect("read stdout");
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest
                .split('/')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("port");
        }
    };
    // Keep draining its output so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    port
}

/// The names of the events sent on `/__livret/events`, as they arrive (after the first).
fn events(port: u16) -> mpsc::Receiver<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET /__livret/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .expect("request");
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if let Some(name) = line.strip_prefix("event: ") {
                if name == "hello" {
                    let _ = ready_tx.send(());
                } else if tx.send(name.to_string()).is_err() {
                    return;
                }
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("no hello on the event stream");
    rx
}
