//! livret turns a folder of fiches (one TOML file each) into a website and a printable booklet.
//!
//! The pipeline is the tree: `source` reads what the user wrote (each file's text, the schema,
//! serde types, the walk of `fiches/`); `booklet` is the model (order, numbers, notes,
//! prev/next, cross-file checks; no HTML); `render` turns it into pages (typed contexts, the
//! theme's Tera templates, CSS); `output` writes `out/` safely; `build` sequences them, and the
//! commands sit on top (`cmd`: check, new, serve, pdf). `text` holds the leaf tools that know
//! nothing of fiches (HTML escaping, URL policy, slugs, Markdown, French typography), `error`
//! the diagnostics and their reports.
//!
//! The modules are private: what the `livret` binary, the tests and the benchmarks use is
//! re-exported below.

mod booklet;
mod build;
mod cmd;
mod error;
mod lint;
mod message;
mod output;
mod preflight;
mod render;
mod source;
mod text;

pub use build::{BuildOptions, BuildReport, build, build_strict, refuse_warnings};
pub use cmd::check::{Summary as CheckSummary, check};
pub use cmd::new::{Created, NewOptions, create as new_entry};
pub use cmd::pdf::{ImposedReport, Imposition, PdfOptions, PdfReport, run as pdf};
pub use cmd::serve::session::{Rebuilt, Session};
pub use cmd::serve::{ServeOptions, serve};
pub use error::{
    Diagnostic, Error, Result, Severity, display_path, github_data, report, report_github,
    report_json,
};
pub use message::{Lang, Message, Outcome};
pub use source::config::lang_of;

/// The PDF that `livret pdf` writes next to the site.
pub const PDF_NAME: &str = output::names::PDF;

/// For the fuzzer and white-box tests only: the pipeline's steps one by one, in memory.
#[doc(hidden)]
pub mod internals {
    pub use crate::booklet::{Booklet, assemble};
    pub use crate::render::css::compile as compile_css;
    pub use crate::render::theme::{Theme, load as load_theme};
    pub use crate::render::{PdfLink, Renderer, Settings};
    pub use crate::source::Source;
    pub use crate::source::config::Config;
    pub use crate::source::config::ConfigFile;
    pub use crate::source::fiche::{parse as parse_entry, parse_part};
    pub use crate::source::walk::{LoadedEntry, LoadedPart, Node};
    pub use crate::text::ids;
    pub use crate::text::slug::name_slug;
}
