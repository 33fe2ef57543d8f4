//! Reading what the user wrote: each file's text, its TOML checked against the schema and read
//! into serde types (`fiche`, `config`), and the walk of `fiches/` in document order.

pub mod config;
pub mod de;
pub mod fiche;
pub mod inline;
pub mod locate;
pub mod schema;
pub mod walk;
