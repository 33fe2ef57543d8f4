//! `livret pdf` on systems without Unix pipes and process groups: the browser driver of
//! `chromium.rs` needs both, so here every entry point says so. `livret build` is unaffected;
//! `out/print.html` still prints from any browser's print dialog.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Names looked up on `PATH`, in this order.
pub const NAMES: [&str; 5] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
];
/// The environment variable that names the browser when `--chromium` is not given.
pub const ENV: &str = "LIVRET_CHROMIUM";
/// The first version that prints page margin boxes (page numbers, running title).
pub const MIN_VERSION: u32 = 131;

fn unsupported() -> Error {
    Error::other(
        "livret pdf drives Chromium over a pipe, which needs Linux, macOS or another Unix.",
    )
    .with_help(
        "on Windows, run `livret pdf` inside WSL (Ubuntu: `sudo apt install chromium`), or \
         open out/print.html in Chrome or Edge and print it to PDF",
    )
}

/// Always an error on this system.
pub fn find(_explicit: Option<&Path>) -> Result<PathBuf> {
    Err(unsupported())
}

/// Nothing to sweep where `livret pdf` never runs.
pub fn sweep_stale() {}

/// Where throw-away folders go.
pub fn scratch_base() -> PathBuf {
    std::env::temp_dir()
}

/// Never constructed on this system.
pub struct Browser(());

impl Browser {
    pub fn launch(_exe: &Path) -> Result<Browser> {
        Err(unsupported())
    }
    pub fn version(&mut self) -> Result<String> {
        Err(unsupported())
    }
    pub fn confine(&mut self, _folder: &Path) -> Result<()> {
        Err(unsupported())
    }
    pub fn take_blocked(&mut self) -> Vec<String> {
        Vec::new()
    }
    pub fn open(&mut self, _url: &str) -> Result<()> {
        Err(unsupported())
    }
    pub fn showing(&self, _url: &str) -> bool {
        false
    }
    pub fn replace_sheets(&mut self, _sheets: &[(usize, String)]) -> Result<()> {
        Err(unsupported())
    }
    pub fn swap_chunk(&mut self, _style: &str, _padding: &str, _main: &str) -> Result<()> {
        Err(unsupported())
    }
    pub fn print(&mut self, _tagged: bool) -> Result<Vec<u8>> {
        Err(unsupported())
    }
}
