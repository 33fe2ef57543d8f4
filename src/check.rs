//! `livret check`: everything `livret build` verifies, without writing a byte. Loads and checks
//! the whole project (`build::load_project` keeps going after each problem so all of them come
//! out together), then renders every page, the print edition and the stylesheets in memory, so
//! that theme errors that only show while rendering are caught too. Also owns how diagnostic
//! paths are shown (relative, without a leading `./`).

use std::path::{Component, Path, PathBuf};

use crate::build::{self, Project};
use crate::error::{Diagnostic, Result};
use crate::render::plan::Plan;
use crate::render::{PdfLink, Renderer, Settings};

/// What a successful check saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub fiches: usize,
    pub parts: usize,
    pub entries: usize,
}

/// Checks the project at `root`. Writes nothing.
pub fn check(root: &Path) -> Result<Summary> {
    let project = build::load_project(root)?;
    render_all(&project)?;
    let b = &project.booklet;
    Ok(Summary {
        fiches: b.entries.iter().filter(|e| e.number.is_some()).count(),
        parts: b.parts.len(),
        entries: b.entries.len(),
    })
}

/// Renders every output in memory and drops it; collects every template and CSS problem.
pub fn render_all(project: &Project) -> Result<()> {
    let settings = Settings {
        pdf: PdfLink::Absent,
        page_numbers: None,
    };
    let renderer = Renderer::new(&project.booklet, &project.theme, settings);
    let plan = Plan::all(&project.booklet);
    build::render_outputs(
        &renderer,
        &plan,
        &build::Discard,
        &mut build::PrintFile::discard(),
    )
}

/// A path as shown to the user: without a leading `./` (`--root .` is the default).
pub fn display_path(path: &Path) -> PathBuf {
    let mut components = path.components().peekable();
    while components.peek() == Some(&Component::CurDir) && path.components().count() > 1 {
        components.next();
    }
    components.collect()
}

/// A diagnostic as shown to the user: its path and the paths quoted in its text tidied.
pub fn tidy(d: &Diagnostic) -> Diagnostic {
    let mut d = d.clone();
    d.path = display_path(&d.path);
    d.message = strip_dot_slash(&d.message);
    d.help = d.help.as_deref().map(strip_dot_slash);
    d
}

/// Drops `./` at the start of words: "./fiches/a.toml has" → "fiches/a.toml has".
fn strip_dot_slash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut at_word_start = true;
    while let Some(c) = rest.chars().next() {
        if at_word_start && rest.starts_with("./") {
            rest = &rest[2..];
            at_word_start = false;
            continue;
        }
        at_word_start = c.is_whitespace() || c == '(' || c == '`';
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_their_dot_slash() {
        assert_eq!(
            display_path(Path::new("./fiches/a.toml")),
            Path::new("fiches/a.toml")
        );
        assert_eq!(display_path(Path::new("/x/./a")), Path::new("/x/a"));
        assert_eq!(display_path(Path::new(".")), Path::new("."));
        assert_eq!(
            strip_dot_slash("both ./fiches/a.toml and `./b` but not a./c or ../d"),
            "both fiches/a.toml and `b` but not a./c or ../d"
        );
    }
}
