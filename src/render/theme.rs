//! Themes: the embedded default theme plus the files of `themes/<name>/` laid over it, so a
//! fork overrides one template by adding just that file. Owns the theme's file layout
//! (`theme.toml` labels, `templates/`, `css/`, `static/`) and compiling the Tera templates.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result};
use crate::message::{FileMsg, ThemeMsg};
use crate::source::Source;
use crate::source::config::ConfigFile;
use crate::source::de;

static DEFAULT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

pub const THEMES_DIR: &str = "themes";

/// Where a theme file comes from, for error messages.
#[derive(Debug, Clone)]
pub enum Origin {
    Embedded,
    Disk(PathBuf),
}

impl Origin {
    pub fn path(&self, rel: &str) -> PathBuf {
        match self {
            Origin::Embedded => Path::new("<default theme>").join(rel),
            Origin::Disk(p) => p.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ThemeFile {
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

/// A theme ready to render: compiled templates, stylesheets, static assets and labels.
#[derive(Clone)]
pub struct Theme {
    pub name: String,
    pub tera: tera::Tera,
    /// `css/<name>.css` files, by output name (`style.css`), as text.
    pub stylesheets: BTreeMap<String, (String, PathBuf)>,
    /// `static/**` files, by output path.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Where each of `assets` comes from, for messages.
    pub asset_paths: BTreeMap<String, PathBuf>,
    pub labels: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ThemeToml {
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// Loads the theme named in the config from `<root>/themes/<name>/`, over the embedded default.
pub fn load(root: &Path, config_file: &ConfigFile) -> Result<Theme> {
    let config = &config_file.config;
    let config_path = config_file.source.path.as_path();
    let mut files: BTreeMap<String, ThemeFile> = BTreeMap::new();
    embedded_files(&DEFAULT, &mut files);
    let dir = root.join(THEMES_DIR).join(&config.theme);
    if dir.is_dir() {
        if let Some(d) = crate::source::outside_project(root, &dir) {
            return Err(Error::Content(vec![d]));
        }
        disk_files(&dir, &mut files)?;
    } else if config.theme != "default" {
        return Err(Error::Content(vec![Diagnostic::file(
            config_path,
            ThemeMsg::NotFound {
                name: config.theme.clone(),
                dir: dir.display().to_string(),
            },
        )]));
    }

    let mut diagnostics = Vec::new();
    let labels = labels(&files, config_file, &mut diagnostics);

    let mut tera = tera::Tera::new();
    tera.autoescape_on(vec![".html", ".xml"]);
    let mut templates = Vec::new();
    let mut stylesheets = BTreeMap::new();
    let mut assets = BTreeMap::new();
    let mut asset_paths = BTreeMap::new();
    for (rel, file) in &files {
        if let Some(name) = rel.strip_prefix("templates/") {
            match std::str::from_utf8(&file.bytes) {
                Ok(text) => templates.push((name.to_string(), text.to_string(), file)),
                Err(_) => diagnostics.push(Diagnostic::file(
                    &file.origin.path(rel),
                    ThemeMsg::TemplateNotUtf8,
                )),
            }
        } else if let Some(name) = rel.strip_prefix("css/") {
            match std::str::from_utf8(&file.bytes) {
                Ok(text) => {
                    stylesheets.insert(name.to_string(), (text.to_string(), file.origin.path(rel)));
                }
                Err(_) => diagnostics.push(Diagnostic::file(
                    &file.origin.path(rel),
                    ThemeMsg::StylesheetNotUtf8,
                )),
            }
        } else if let Some(name) = rel.strip_prefix("static/") {
            assets.insert(name.to_string(), file.bytes.clone());
            asset_paths.insert(name.to_string(), file.origin.path(rel));
        }
    }
    // Stylesheets are templates too (page size, colours from livret.toml).
    for (name, (text, _)) in &stylesheets {
        if let Err(e) = tera.add_raw_template(&format!("css/{name}"), text) {
            diagnostics.push(template_diagnostic(&files, &format!("css/{name}"), &e));
        }
    }
    let raw: Vec<(String, String)> = templates
        .iter()
        .map(|(n, t, _)| (n.clone(), t.clone()))
        .collect();
    if let Err(e) = tera.add_raw_templates(raw) {
        diagnostics.push(template_diagnostic(&files, "templates", &e));
    }
    if !diagnostics.is_empty() {
        return Err(Error::Content(diagnostics));
    }
    Ok(Theme {
        name: config.theme.clone(),
        tera,
        stylesheets,
        assets,
        asset_paths,
        labels,
    })
}

/// Describes a Tera error with the theme file it comes from, at the line and column Tera
/// points at when it does. `rel` is the theme file to blame when Tera names none.
pub fn template_diagnostic(
    files: &BTreeMap<String, ThemeFile>,
    rel: &str,
    e: &tera::Error,
) -> Diagnostic {
    let located = error_location(e);
    let rel = match &located {
        // Templates are named without `templates/`; stylesheets keep their `css/`.
        Some((name, _)) if files.contains_key(&format!("templates/{name}")) => {
            format!("templates/{name}")
        }
        Some((name, _)) => name.clone(),
        None => rel.to_string(),
    };
    let path = files
        .get(&rel)
        .map(|f| f.origin.path(&rel))
        .unwrap_or_else(|| Path::new(THEMES_DIR).join(&rel));
    let mut d = Diagnostic::file(&path, ThemeMsg::Template(error_message(e)));
    if let (Some((_, Some((line, col)))), Some(file)) = (&located, files.get(&rel)) {
        d.line = *line;
        d.col = *col;
        d.source_line = String::from_utf8_lossy(&file.bytes)
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_string);
    }
    d
}

/// The template a Tera error is about, and where in it (1-based line and column).
pub fn error_location(e: &tera::Error) -> Option<(String, Option<(usize, usize)>)> {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r)
            if !r.filename().is_empty() =>
        {
            let span = r.span();
            Some((
                r.filename().to_string(),
                Some((span.start_line.max(1), span.start_col + 1)),
            ))
        }
        tera::ErrorKind::MissingParent { current, .. } => Some((current.clone(), None)),
        tera::ErrorKind::CircularExtend { tpl, .. }
        | tera::ErrorKind::CircularInclude { tpl, .. } => Some((tpl.clone(), None)),
        _ => None,
    }
}

/// A Tera error's message without its source excerpt (the diagnostic shows its own).
pub fn error_message(e: &tera::Error) -> String {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            r.message().to_string()
        }
        _ => error_chain(e),
    }
}

/// All messages of an error and its sources, on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let msg = s.to_string();
        if !text.contains(&msg) {
            text.push_str(": ");
            text.push_str(&msg);
        }
        source = s.source();
    }
    text
}

fn labels(
    files: &BTreeMap<String, ThemeFile>,
    config_file: &ConfigFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let config = &config_file.config;
    let mut labels = BTreeMap::new();
    // The embedded theme.toml defines the label keys; a disk theme.toml may change values.
    let embedded = DEFAULT
        .get_file("theme.toml")
        .and_then(|f| f.contents_utf8())
        .unwrap_or("");
    if let Ok(t) = de::parse::<ThemeToml>(&Source::new("<default theme>/theme.toml", embedded)) {
        labels = t.labels;
    }
    if let Some(file) = files.get("theme.toml")
        && let Origin::Disk(path) = &file.origin
    {
        match Source::decode(path, &file.bytes).and_then(|s| de::parse::<ThemeToml>(&s)) {
            Ok(t) => labels.extend(t.labels),
            Err(d) => diagnostics.push(d),
        }
    }
    for (key, value) in &config.labels {
        if labels.contains_key(key) {
            labels.insert(key.clone(), value.clone());
        } else {
            let known: Vec<String> = labels.keys().cloned().collect();
            let best = de::closest(key, &known).map(str::to_string);
            diagnostics.push(config_file.source.at_text(
                key,
                ThemeMsg::UnknownLabel {
                    key: key.clone(),
                    best,
                    known,
                },
            ));
        }
    }
    labels
}

fn embedded_files(dir: &Dir<'static>, out: &mut BTreeMap<String, ThemeFile>) {
    for file in dir.files() {
        out.insert(
            file.path().to_string_lossy().replace('\\', "/"),
            ThemeFile {
                bytes: file.contents().to_vec(),
                origin: Origin::Embedded,
            },
        );
    }
    for sub in dir.dirs() {
        embedded_files(sub, out);
    }
}

fn disk_files(dir: &Path, out: &mut BTreeMap<String, ThemeFile>) -> Result<()> {
    let mut diagnostics = Vec::new();
    for item in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = match item {
            Ok(e) => e,
            Err(e) => {
                diagnostics.push(Diagnostic::file(
                    e.path().unwrap_or(dir),
                    ThemeMsg::CannotRead(e.to_string()),
                ));
                continue;
            }
        };
        if entry.file_type().is_symlink() {
            diagnostics.push(Diagnostic::file(entry.path(), ThemeMsg::SymlinkInThemes));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let Some(rel) = rel.to_str() else {
            diagnostics.push(Diagnostic::file(entry.path(), FileMsg::NameNotUtf8));
            continue;
        };
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        out.insert(
            rel.replace('\\', "/"),
            ThemeFile {
                bytes,
                origin: Origin::Disk(entry.path().to_path_buf()),
            },
        );
    }
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(Error::Content(diagnostics))
    }
}
