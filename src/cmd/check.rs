//! `livret check`: everything `livret build` verifies, without writing a byte. Loads and checks
//! the whole project (`build::load_project` keeps going after each problem so all of them come
//! out together), then renders every page, the print edition and the stylesheets in memory, so
//! that theme errors that only show while rendering are caught too.

use std::path::Path;

use crate::build::{self, Project};
use crate::error::Result;
use crate::render::plan::Plan;
use crate::render::{PdfLink, Renderer, Settings};

/// What a successful check saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// What the lints found, which does not fail the check (unless `--strict`).
    pub warnings: Vec<crate::error::Diagnostic>,
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
        warnings: b.warnings.clone(),
        fiches: b.entries.iter().filter(|e| e.number.is_some()).count(),
        parts: b.parts.len(),
        entries: b.entries.len(),
    })
}

/// Renders every output in memory and drops it; collects every template and CSS problem.
pub fn render_all(project: &Project) -> Result<()> {
    let settings = Settings {
        pdf: PdfLink::Absent,
        layout: None,
    };
    let renderer = Renderer::new(&project.booklet, &project.theme, settings);
    let plan = Plan::all(&project.booklet);
    build::render_outputs(
        &renderer,
        &plan,
        &build::Discard,
        &mut build::PrintFile::discard(),
        &mut Vec::new(),
    )
}
