//! The PDF benchmark (issue 15, part 4): times whole `livret pdf` processes (release binary)
//! on the guide and on booklets of N fiches made by the build benchmark's generator
//! (`scale.rs`: the guide's fiches copied under new names, 100 to a part), with WeasyPrint's
//! time on the same print.html beside them.
//!
//! For each booklet: one warm-up run, then `--runs` timed runs from nothing (the print record
//! removed before each: every pass is printed; median, min and max), `--runs` unchanged reruns
//! (started from the record: one pass; median), the peak
//! resident memory of livret itself (its `VmHWM`, read from /proc every 5 ms while it runs: the
//! rusage of a process that waited for Chromium would count the browser's memory too), and the
//! machine's load average before and after, since other work on the machine skews everything.
//!
//! Run: `cargo bench --bench pdf` (guide and 100 fiches). Options after `--`: `--runs N`,
//! `--sizes guide,100,1000`, `--weasyprint-max N` (skip WeasyPrint above N fiches; 100 by
//! default: it takes minutes on 1,000), `--chunk-bytes N` (sets LIVRET_PDF_CHUNK_BYTES for
//! livret; 0 prints in one piece). `LIVRET_PDF_BROWSERS=1` in the environment prints with one
//! browser instead of two.

#[allow(dead_code)]
#[path = "scale.rs"]
mod scale;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = scale::arg(&args, "--runs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let sizes: Vec<String> = scale::arg(&args, "--sizes")
        .unwrap_or("guide,100")
        .split(',')
        .map(str::to_string)
        .collect();
    let weasy_max: usize = scale::arg(&args, "--weasyprint-max")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let chunk = scale::arg(&args, "--chunk-bytes").map(str::to_string);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_livret"));
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sources = scale::real_fiches(&repo);
    let weasy = Command::new("weasyprint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());

    println!(
        "livret pdf benchmark — {runs} runs after 1 warm-up; median [min–max]; load average {}",
        load()
    );
    println!(
        "{:>8} | {:>6} | {:>22} | {:>9} | {:>12} | {:>14} | {:>8}",
        "booklet", "pages", "livret pdf", "again", "livret peak", "WeasyPrint", "ratio"
    );
    println!("{}", "-".repeat(98));
    for size in &sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        let fiches = if size == "guide" {
            copy_guide(&repo, dir.path());
            None
        } else {
            let n: usize = size.parse().expect("--sizes: guide or a number of fiches");
            scale::generate(&repo, &sources, n, dir.path());
            Some(n)
        };
        // Fresh runs: the record of the run before is removed, so every pass is printed.
        let record = dir.path().join("out").join(".livret-print.json");
        let mut times = Vec::new();
        let mut peak_kb = 0;
        let mut pages = String::new();
        for run in 0..=runs {
            let _ = std::fs::remove_file(&record);
            let (wall, kb, report) = timed_pdf(&bin, dir.path(), chunk.as_deref());
            if run > 0 {
                times.push(wall);
                peak_kb = peak_kb.max(kb);
            }
            pages = report;
        }
        // Unchanged reruns: started from the record, one pass.
        let mut again: Vec<Duration> = (0..runs)
            .map(|_| timed_pdf(&bin, dir.path(), chunk.as_deref()).0)
            .collect();
        times.sort();
        again.sort();
        let median = times[times.len() / 2];
        let weasy_runs = if fiches.is_some_and(|n| n >= 100) {
            1
        } else {
            3
        };
        let weasy_time = (weasy && fiches.is_none_or(|n| n <= weasy_max)).then(|| {
            let mut t: Vec<Duration> = (0..weasy_runs).map(|_| weasyprint(dir.path())).collect();
            t.sort();
            t[t.len() / 2]
        });
        println!(
            "{:>8} | {:>6} | {:>7.2} s [{:.2}–{:.2}] | {:>7.2} s | {:>9.0} MB | {:>14} | {:>8}",
            size,
            pages,
            median.as_secs_f64(),
            times[0].as_secs_f64(),
            times[times.len() - 1].as_secs_f64(),
            again[again.len() / 2].as_secs_f64(),
            peak_kb as f64 / 1024.0,
            weasy_time.map_or("—".into(), |t| format!("{:.2} s", t.as_secs_f64())),
            weasy_time.map_or("—".into(), |t| format!(
                "{:.2}",
                median.as_secs_f64() / t.as_secs_f64()
            )),
        );
    }
    println!("load average after: {}", load());
    println!(
        "livret pdf: runs from nothing (the record removed before each); again: unchanged reruns, \
         started from the record; ratio: livret pdf's median over WeasyPrint's (median of 3 runs, \
         1 from 100 fiches) on the same print.html"
    );
}

/// The guide: livret.toml, fiches/ (themes are embedded).
fn copy_guide(repo: &Path, dir: &Path) {
    std::fs::copy(repo.join("livret.toml"), dir.join("livret.toml")).expect("config");
    for entry in walkdir::WalkDir::new(repo.join("fiches")) {
        let entry = entry.expect("walk fiches");
        let rel = entry.path().strip_prefix(repo).expect("inside the repo");
        let to = dir.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy fiche");
        }
    }
}

/// One `livret pdf` process: wall time, livret's own peak memory (kB), the page count it
/// reported.
fn timed_pdf(bin: &Path, dir: &Path, chunk: Option<&str>) -> (Duration, u64, String) {
    let start = Instant::now();
    let mut command = Command::new(bin);
    command
        .arg("pdf")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(bytes) = chunk {
        command.env("LIVRET_PDF_CHUNK_BYTES", bytes);
    }
    let child = command.spawn().expect("spawn livret pdf");
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let output = std::thread::scope(|s| {
        let waiting = s.spawn(|| child.wait_with_output().expect("wait for livret pdf"));
        while !waiting.is_finished() {
            if let Some(kb) = hwm(&status) {
                peak = peak.max(kb);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        waiting.join().expect("waiter")
    });
    let wall = start.elapsed();
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "livret pdf failed:\n{text}");
    // The report line is on stdout; stderr's progress lines may say "pages" too.
    let pages = String::from_utf8_lossy(&output.stdout)
        .split_once(" pages, ")
        .and_then(|(before, _)| before.rsplit('(').next())
        .unwrap_or("?")
        .to_string();
    (wall, peak, pages)
}

/// `VmHWM` (peak resident memory, kB) of a running process.
fn hwm(status: &str) -> Option<u64> {
    let text = std::fs::read_to_string(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// WeasyPrint on the print.html the last `livret pdf` published (one run).
fn weasyprint(dir: &Path) -> Duration {
    let out = dir.join("weasyprint.pdf");
    let start = Instant::now();
    let status = Command::new("weasyprint")
        .arg("-q")
        .arg(dir.join("out").join("print.html"))
        .arg(&out)
        .stderr(Stdio::null())
        .status()
        .expect("run weasyprint");
    assert!(status.success(), "weasyprint failed");
    start.elapsed()
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
