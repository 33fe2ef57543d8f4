//! The integration suite: one test binary, a module per concern. Each module drives the real
//! `livret` binary (or the library) on real files; `support` holds what they share.

#[path = "../support/mod.rs"]
mod support;

mod authoring;
mod build;
mod content;
mod content_safety;
mod copyfit;
mod diagnostics;
mod golden;
mod incremental;
mod install;
mod layout;
mod notes;
mod output_safety;
mod pdf;
mod pdf_chunks;
mod print_page;
mod print_path;
mod print_shop;
mod reader;
mod robustness;
mod serve_safety;
mod typography;
mod web;
mod workflows;
