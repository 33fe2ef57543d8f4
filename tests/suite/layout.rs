//! The source tree keeps the shape docs/architecture.md describes: no import cycle between modules (a
//! module's use of its own ancestors does not count), no source file over 700 lines without
//! its tests, no function over 100 lines, and every module says what it owns (`//!`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::support::*;

/// Every module of `src/`, by path (`render::context`), with its text without unit tests.
fn modules() -> BTreeMap<String, String> {
    let src = repo().join("src");
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.expect("walk src");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        let text = fs::read_to_string(path).expect("read source");
        let code = match text.find("\n#[cfg(test)]\nmod tests") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        out.insert(parts.join("::"), code);
    }
    out
}

/// The modules a module's code names (`crate::a::b`, `crate::{a, b}`, `super::x`), resolved to
/// the longest module path that exists.
fn uses(name: &str, code: &str, all: &BTreeSet<String>) -> BTreeSet<String> {
    let mut paths = Vec::new();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    for (prefix, base) in [("crate::", String::new()), ("super::", parent(name))] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let after = &rest[i + prefix.len()..];
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let item = item.split_whitespace().next().unwrap_or("");
                    paths.push(join(&base, item));
                }
            } else {
                let end = after.find(|c| !word(c)).unwrap_or(after.len());
                paths.push(join(&base, after[..end].trim_end_matches(':')));
            }
            rest = after;
        }
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let segs: Vec<&str> = p.split("::").collect();
            (1..=segs.len())
                .rev()
                .map(|n| segs[..n].join("::"))
                .find(|m| all.contains(m))
        })
        .filter(|m| m != name && !name.starts_with(&format!("{m}::")) && !m.is_empty())
        .collect()
}

fn parent(name: &str) -> String {
    name.rsplit_once("::")
        .map_or(String::new(), |(p, _)| p.to_string())
}

fn join(base: &str, item: &str) -> String {
    if base.is_empty() {
        item.to_string()
    } else {
        format!("{base}::{item}")
    }
}

/// The modules on a cycle, if any (a depth-first search that reports the first cycle met).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_cycle_between_modules() {
    let modules = modules();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|(name, code)| (name.clone(), uses(name, code, &names)))
        .collect();
    // The check itself: a made-up loop is found.
    let mut looped = graph.clone();
    looped
        .entry("text::html".into())
        .or_default()
        .insert("build".into());
    assert!(
        find_cycle(&looped).is_some(),
        "a cycle through text::html was not seen"
    );
    assert_eq!(find_cycle(&graph), None, "import graph: {graph:#?}");
    // Leaf tools know nothing of fiches.
    for leaf in [
        "text::html",
        "text::links",
        "text::slug",
        "text::ids",
        "output::names",
    ] {
        let used = &graph[leaf];
        assert!(
            used.iter().all(|m| m.starts_with("text") || m == "error"),
            "{leaf} uses {used:?}"
        );
    }
}

#[test]
fn files_and_functions_stay_small_and_say_what_they_own() {
    let mut problems = Vec::new();
    for (name, code) in modules() {
        let lines = code.lines().count();
        if lines > 700 {
            problems.push(format!("{name}: {lines} lines without its tests"));
        }
        if name != "main" && !code.trim_start().starts_with("//!") {
            problems.push(format!("{name}: no //! module doc"));
        }
        let all: Vec<&str> = code.lines().collect();
        for (i, line) in all.iter().enumerate() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let is_fn = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "pub(super) fn ",
                "const fn ",
            ]
            .iter()
            .any(|p| trimmed.starts_with(p))
                && !trimmed.ends_with(';');
            if !is_fn {
                continue;
            }
            let close = format!("{}}}", " ".repeat(indent));
            if let Some(len) = all[i + 1..].iter().position(|l| *l == close)
                && len + 2 > 100
            {
                problems.push(format!("{name}:{}: a function of {} lines", i + 1, len + 2));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_architecture_map_names_every_folder_of_src() {
    let readme =
        fs::read_to_string(repo().join("docs/architecture.md")).expect("docs/architecture.md");
    let src = repo().join("src");
    for entry in fs::read_dir(&src).expect("src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                readme.contains(&format!("\n  {name}/ ")),
                "docs/architecture.md's module map does not name src/{name}/"
            );
        }
    }
    assert!(Path::new(&src.join("lib.rs")).is_file());
}
