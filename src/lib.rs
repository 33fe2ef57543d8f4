//! livret turns a folder of fiches (one TOML file each) into a website and a printable booklet.
//!
//! The pipeline, one module a step: `config` and `load` read the disk, `fiche` types one file,
//! `booklet` assembles the document order, numbers and cross-file checks, `markdown` and `typo`
//! turn text into HTML, `render` fills the theme's Tera templates (`theme`), `css` compiles the
//! stylesheets, and `output` writes `out/` safely. `build` sequences them; `incremental` reruns
//! only what an edit touched, for `serve`; `cli` is the command line.

pub mod booklet;
pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod css;
pub mod de;
pub mod error;
pub mod fiche;
pub mod html;
pub mod incremental;
pub mod load;
pub mod markdown;
pub mod new;
pub mod output;
pub mod outputs;
pub mod pdf;
pub mod remote;
pub mod render;
pub mod schema;
pub mod serve;
pub mod theme;
pub mod typo;

/// The PDF that `livret pdf` writes next to the site.
pub const PDF_NAME: &str = outputs::PDF;
