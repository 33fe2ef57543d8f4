//! The build benchmark (issue 8): generates booklets of 10, 1 000 and 10 000 fiches by copying
//! the guide's real fiches under new names across several parts, then times whole
//! `livret build` processes (release binary), median over the runs after a warm-up:
//!
//! - **clean**: no `out/` yet, the first build of a fresh clone;
//! - **rebuild**: `out/` holds the previous build of the same fiches, the everyday case
//!   (edit, build, look).
//!
//! It also reports the peak resident memory of the process (from `wait4`, over every run), the
//! CPU time of a clean build (user and system, medians), the output size and the time per fiche.
//!
//! A clean run's predecessor is moved aside, not deleted, and the moved copies are deleted at
//! the very end: on ext4 without a journal (this machine's disk) every file deleted in the last
//! few minutes slows down each new file's creation, so deleting 10 000 files between runs
//! would charge the benchmark's own clean-up to the next build.
//!
//! Run: `cargo bench --bench scale` (options after `--`: `--runs N`, `--sizes 10,1000`,
//! `--in DIR` to build the booklets in DIR, e.g. `/dev/shm` to take the disk out of the figures).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs = arg(&args, "--runs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(7usize);
    let sizes: Vec<usize> = arg(&args, "--sizes")
        .map(|s| s.split(',').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 1_000, 10_000]);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_livret"));
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sources = real_fiches(&repo);
    let place = arg(&args, "--in").map(PathBuf::from);

    println!(
        "livret build benchmark — {runs} runs after 1 warm-up, median; 2-core machine; in {}",
        place
            .as_deref()
            .map_or("the system temp folder".into(), |p| p.display().to_string())
    );
    println!(
        "{:>7} | {:>11} | {:>11} | {:>9} | {:>9} | {:>8} | {:>9} | {:>10}",
        "fiches", "clean", "rebuild", "user", "system", "peak MB", "output MB", "µs / fiche"
    );
    println!("{}", "-".repeat(96));
    let mut dirs = Vec::new();
    for &n in &sizes {
        let dir = match &place {
            Some(p) => tempfile::tempdir_in(p).expect("tempdir"),
            None => tempfile::tempdir().expect("tempdir"),
        };
        generate(&repo, &sources, n, dir.path());
        let out = dir.path().join("out");
        let aside = dir.path().join("aside");
        fs::create_dir(&aside).expect("aside dir");
        let mut clean = Vec::new();
        let mut rebuild = Vec::new();
        let mut user = Vec::new();
        let mut system = Vec::new();
        let mut peak_kb = 0;
        for run in 0..=runs {
            if out.exists() {
                fs::rename(&out, aside.join(run.to_string())).expect("move out/ aside");
            }
            let first = timed_build(&bin, dir.path());
            let again = timed_build(&bin, dir.path());
            if run > 0 {
                clean.push(first.wall);
                rebuild.push(again.wall);
                user.push(first.user);
                system.push(first.system);
                peak_kb = peak_kb.max(first.peak_kb).max(again.peak_kb);
            }
        }
        let clean = median(clean);
        println!(
            "{:>7} | {:>8.1} ms | {:>8.1} ms | {:>6.0} ms | {:>6.0} ms | {:>8.1} | {:>9.2} | {:>10.1}",
            n,
            ms(clean),
            ms(median(rebuild)),
            ms(median(user)),
            ms(median(system)),
            peak_kb as f64 / 1024.0,
            dir_size(&out) as f64 / 1_048_576.0,
            clean.as_secs_f64() * 1e6 / n as f64
        );
        dirs.push(dir);
    }
    println!(
        "clean: no out/ yet; rebuild: out/ holds the previous build; user, system: CPU time of \
         the clean builds"
    );
    println!("µs / fiche: clean wall time divided by the number of fiches");
    drop(dirs); // deletes every booklet and its outputs, now that nothing is timed
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The value after `name` on the command line.
pub fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The guide's numbered fiches, as (file name, text without an explicit slug).
pub fn real_fiches(repo: &Path) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for part in ["10-repenser", "20-co-construire"] {
        let dir = repo.join("fiches").join(part);
        let mut names: Vec<_> = fs::read_dir(&dir)
            .expect("fiches")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml") && n != "_part.toml")
            .collect();
        names.sort();
        for name in names {
            let text = fs::read_to_string(dir.join(&name)).expect("read fiche");
            let text: String = text
                .lines()
                .filter(|l| !l.starts_with("slug ="))
                .map(|l| format!("{l}\n"))
                .collect();
            all.push((name, text));
        }
    }
    all
}

/// A booklet of `n` fiches: the guide's pages and config, fiches spread over parts of ≤ 100.
pub fn generate(repo: &Path, sources: &[(String, String)], n: usize, dir: &Path) {
    fs::copy(repo.join("livret.toml"), dir.join("livret.toml")).expect("config");
    let fiches = dir.join("fiches");
    fs::create_dir_all(&fiches).expect("fiches dir");
    for page in [
        "00-presentation.toml",
        "01-sommaire.toml",
        "05-introduction.toml",
        "90-aller-encore-plus-loin.toml",
        "95-contact.toml",
    ] {
        fs::copy(repo.join("fiches").join(page), fiches.join(page)).expect("page");
    }
    let per_part = 100.min(n.max(1));
    for i in 0..n {
        let part = i / per_part;
        let part_dir = fiches.join(format!("{:03}-partie-{}", part + 10, part + 1));
        if i % per_part == 0 {
            fs::create_dir_all(&part_dir).expect("part dir");
            fs::write(
                part_dir.join("_part.toml"),
                format!(
                    "title = \"Partie {} : des villes qui accueillent\"\n",
                    part + 1
                ),
            )
            .expect("part");
        }
        let (name, text) = &sources[i % sources.len()];
        let stem = name
            .trim_end_matches(".toml")
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
        fs::write(part_dir.join(format!("{i:05}-{stem}-{i}.toml")), text).expect("fiche");
    }
}

/// One timed `livret build` process.
struct Run {
    wall: Duration,
    /// CPU time in the program and in the kernel.
    user: Duration,
    system: Duration,
    peak_kb: i64,
}

/// Runs one build, after letting the kernel finish writing back earlier runs' output (untimed),
/// so that one run's disk traffic is not charged to the next.
fn timed_build(bin: &Path, dir: &Path) -> Run {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    let start = Instant::now();
    let child = Command::new(bin)
        .arg("build")
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn livret");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain wait4 on our own child; rusage is a zeroed out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(rc, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "livret build failed in {}",
        dir.display()
    );
    std::mem::forget(child); // already reaped
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        user: time(usage.ru_utime),
        system: time(usage.ru_stime),
        peak_kb: usage.ru_maxrss,
    }
}

fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}
