//! The commands on top of the pipeline: `check`, `new`, `serve` (with its incremental
//! session) and `pdf`.

pub mod check;
pub mod new;
pub mod pdf;
pub mod serve;
