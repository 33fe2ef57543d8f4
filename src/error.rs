//! Errors and diagnostics: one `Diagnostic { path, line, col, severity, message }` type for
//! every problem found in the user's files (errors, and warnings that do not stop a build), the
//! reports that render them in the run's language (`crate::message` holds their texts), and the
//! crate-wide `Error` that `main` turns into an exit code. Nothing here knows how content is
//! parsed; callers give a byte offset or a line/column.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use crate::message::Word;
pub use crate::message::{Lang, Message, Outcome, Text};

/// Whether a diagnostic stops the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Severity {
    #[default]
    Error,
    /// Shown by `check` and `build`, which go on; `--strict` makes it an error.
    Warning,
}

/// One problem in one file, located at a line and column (both 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    /// What is wrong, as a kind of the catalogue: rendered in the run's language (boxed: a
    /// diagnostic travels in every `Result` of the sources).
    pub message: Box<Message>,
    /// The offending source line, shown with a caret under `col`.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at a byte offset of `source` (the whole file's text).
    pub fn at_offset(
        path: &Path,
        source: &str,
        offset: usize,
        message: impl Into<Message>,
    ) -> Self {
        let (line, col, text) = line_col(source, offset);
        Diagnostic {
            path: path.to_path_buf(),
            line,
            col,
            severity: Severity::Error,
            message: Box::new(message.into()),
            source_line: Some(text.to_string()),
        }
    }

    /// A diagnostic about a whole file (line 1, column 1, no source excerpt).
    pub fn file(path: &Path, message: impl Into<Message>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line: 1,
            col: 1,
            severity: Severity::Error,
            message: Box::new(message.into()),
            source_line: None,
        }
    }

    /// A diagnostic at the first occurrence of `needle` in `source`, or at the file when absent.
    pub fn at_text(path: &Path, source: &str, needle: &str, message: impl Into<Message>) -> Self {
        match source.find(needle) {
            Some(offset) if !needle.is_empty() => Self::at_offset(path, source, offset, message),
            _ => Self::file(path, message),
        }
    }

    /// The same diagnostic as a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// The message and its help in `lang`.
    pub fn text(&self, lang: Lang) -> Text {
        tidy_text(self.message.text(lang))
    }

    /// The diagnostic as shown in `lang`: location, message, source line with a caret, help.
    pub fn render(&self, lang: Lang) -> String {
        Shown(self, lang).to_string()
    }

    /// Diagnostics sort by file, then position, so reports are stable.
    pub fn sort(diagnostics: &mut [Diagnostic]) {
        diagnostics.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    }
}

/// 1-based line and column (in characters) of a byte offset, and the text of that line.
pub fn line_col(source: &str, offset: usize) -> (usize, usize, &str) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    let line = source[..line_start].matches('\n').count() + 1;
    let col = source[line_start..offset].chars().count() + 1;
    (
        line,
        col,
        source[line_start..line_end].trim_end_matches('\r'),
    )
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Shown(self, Lang::En).fmt(f)
    }
}

/// A diagnostic in a language.
struct Shown<'a>(&'a Diagnostic, Lang);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(d, lang) = *self;
        let text = d.text(lang);
        let word = match d.severity {
            Severity::Error => Word::Error,
            Severity::Warning => Word::Warning,
        };
        // French puts a space before a colon; the location keeps its colons tight.
        let colon = lang.colon();
        write!(
            f,
            "{}:{}:{}: {}{colon} {}",
            d.path.display(),
            d.line,
            d.col,
            lang.word(word),
            text.message
        )?;
        if let Some(line_text) = &d.source_line {
            let gutter = " ".repeat(d.line.to_string().len());
            let (text, caret_col) = excerpt(line_text, d.col);
            let caret_pad: String = text
                .chars()
                .take(caret_col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(
                f,
                "\n{gutter} |\n{} | {text}\n{gutter} | {caret_pad}^",
                d.line
            )?;
        }
        if let Some(help) = &text.help {
            write!(f, "\n{}{colon} {help}", lang.word(Word::Help))?;
        }
        Ok(())
    }
}

/// The longest source line shown whole under a diagnostic, in characters.
const EXCERPT_CHARS: usize = 120;

/// A window of at most `EXCERPT_CHARS` characters of `line` around column `col` (1-based), with
/// `…` where it was cut, and the caret's column inside that window. A minified or generated file
/// can have a line of megabytes: the report stays readable.
fn excerpt(line: &str, col: usize) -> (String, usize) {
    let len = line.chars().count();
    if len <= EXCERPT_CHARS {
        return (line.to_string(), col);
    }
    let half = EXCERPT_CHARS / 2;
    let start = col
        .saturating_sub(1)
        .saturating_sub(half)
        .min(len - EXCERPT_CHARS);
    let end = start + EXCERPT_CHARS;
    let mut text = String::new();
    let mut caret = col - start;
    if start > 0 {
        text.push('…');
        caret += 1;
    }
    text.extend(line.chars().skip(start).take(EXCERPT_CHARS));
    if end < len {
        text.push('…');
    }
    (text, caret)
}

impl std::error::Error for Diagnostic {}

/// Collects the problems of every step of a run, so that all of them come out together:
/// `keep` a step's value or its content problems, `push` one found by hand, `finish` sorted
/// and without duplicates.
#[derive(Debug, Default)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    /// A step's value, or `None` with its content problems kept; other errors stop the run.
    pub fn keep<T>(&mut self, result: Result<T>) -> Result<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(Error::Content(found)) => {
                self.0.extend(found);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(more);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Success when nothing was kept; otherwise every problem, sorted by place, once each.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Content(self.into_sorted()))
        }
    }

    /// The problems, sorted by file and position, duplicates dropped.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        Diagnostic::sort(&mut self.0);
        self.0.dedup();
        self.0
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// How problems are reported: every diagnostic (tidied) in `lang`, then a count and what
/// became of the output (`livret build`: "nothing was written"; `livret serve`: "the last good
/// build is still served"). The one renderer of reports, for the command line and for serve's
/// overlay.
pub fn report(diagnostics: &[Diagnostic], outcome: Outcome, lang: Lang) -> String {
    let mut text = String::new();
    for d in diagnostics {
        text.push_str(&tidy(d).render(lang));
        text.push_str("\n\n");
    }
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    text.push_str(&lang.tally(diagnostics.len() - warnings, warnings, outcome));
    text
}

/// The diagnostics as JSON lines (`--format json`): path, line, col, severity, message, help.
pub fn report_json(diagnostics: &[Diagnostic], lang: Lang) -> String {
    let mut text = String::new();
    for d in diagnostics {
        let d = tidy(d);
        let Text { message, help } = d.text(lang);
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let line = serde_json::json!({
            "path": d.path, "line": d.line, "col": d.col, "severity": severity,
            "message": message, "help": help,
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    text
}

/// The diagnostics as GitHub Actions workflow commands (`--format github`): one
/// `::error file=…,line=…,col=…::message` line each (`::warning` for a warning), the help on its
/// own line of the message, so that a pull request shows them as annotations on the lines they
/// point at.
pub fn report_github(diagnostics: &[Diagnostic], lang: Lang) -> String {
    let mut text = String::new();
    for d in diagnostics {
        let d = tidy(d);
        let Text { mut message, help } = d.text(lang);
        if let Some(help) = &help {
            message.push_str(&format!("\n{}{} ", lang.word(Word::Help), lang.colon()));
            message.push_str(help);
        }
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        text.push_str(&format!(
            "::{command} file={},line={},col={}::{}\n",
            github_property(&d.path.to_string_lossy()),
            d.line,
            d.col,
            github_data(&message)
        ));
    }
    text
}

/// A workflow command's message escaped as GitHub reads it back: `%`, `\r`, `\n`.
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value escaped: the message's escapes plus `:` and `,`.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A path as shown to the user: without a leading `./` (`--root .` is the default).
pub fn display_path(path: &Path) -> PathBuf {
    let mut components = path.components().peekable();
    while components.peek() == Some(&Component::CurDir) && path.components().count() > 1 {
        components.next();
    }
    components.collect()
}

/// A diagnostic as shown to the user: its path tidied (the paths quoted in its text are
/// tidied when it is rendered, see `Shown`).
pub fn tidy(d: &Diagnostic) -> Diagnostic {
    let mut d = d.clone();
    d.path = display_path(&d.path);
    d
}

/// A message's texts with the paths they quote tidied.
pub(crate) fn tidy_text(text: Text) -> Text {
    Text {
        message: strip_dot_slash(&text.message),
        help: text.help.as_deref().map(strip_dot_slash),
    }
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

/// What a unit test returns: a failed step is reported with `?`, never unwrapped.
#[cfg(test)]
pub(crate) type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the user's content, theme or configuration (exit code 1).
    #[error("{} error(s) found", .0.len())]
    Content(Vec<Diagnostic>),
    /// The command line asks for something impossible (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The same, said in the run's language (`Display` is English).
    #[error("{}", .0.text(Lang::En).message)]
    Said(Box<Message>),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Anything else, already phrased for the user, with what to do about it when livret
    /// knows (`--format json` carries the two apart).
    #[error("{message}{}", help.as_ref().map(|h| format!("\nhelp: {h}")).unwrap_or_default())]
    Other {
        message: String,
        help: Option<String>,
    },
    /// A broken internal invariant: a bug in livret, not in the user's files.
    #[error("internal error (please report it): {0}")]
    Invariant(String),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A problem phrased for the user, without advice (add it with `with_help`).
    pub fn other(message: impl Into<String>) -> Self {
        Error::Other {
            message: message.into(),
            help: None,
        }
    }

    /// The same error with what to do about it (`Other` errors only; others keep theirs).
    pub fn with_help(self, help: impl Into<String>) -> Self {
        match self {
            Error::Other { message, .. } => Error::Other {
                message,
                help: Some(help.into()),
            },
            other => other,
        }
    }

    /// The process exit code for this error: 1 for content and I/O problems, 2 for usage.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Said(_) => 2,
            _ => 1,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::Content(vec![d])
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{FileMsg, TomlMsg};

    #[test]
    fn github_annotations_escape_percent_newlines_colons_and_commas() {
        let d = Diagnostic {
            path: PathBuf::from("./fiches/a,b:c.toml"),
            line: 3,
            col: 7,
            severity: Severity::Error,
            message: Box::new(FileMsg::CannotRead("100% wrong\r\nhere: a, b".to_string()).into()),
            source_line: None,
        };
        assert_eq!(
            report_github(std::slice::from_ref(&d), Lang::En),
            "::error file=fiches/a%2Cb%3Ac.toml,line=3,col=7::cannot read this file: 100%25 \
             wrong%0D%0Ahere: a, b%0Ahelp: check that it exists and that you may read it\n"
        );
        let fr = report_github(&[d.warning()], Lang::Fr);
        assert!(
            fr.starts_with("::warning file=fiches/a%2Cb%3Ac.toml,line=3,col=7::impossible de lire"),
            "{fr}"
        );
        assert!(fr.contains("%0Aaide : vérifiez"), "{fr}");
    }

    #[test]
    fn line_col_counts_characters() -> TestResult {
        let src = "a = 1\nété = \"x\"\n";
        let off = src.find('=').ok_or("no =")?;
        assert_eq!(line_col(src, off), (1, 3, "a = 1"));
        let off = src.rfind('=').ok_or("no =")?;
        assert_eq!(line_col(src, off), (2, 5, "été = \"x\""));
        assert_eq!(line_col(src, 10_000).0, 3);
        Ok(())
    }

    #[test]
    fn long_lines_are_shown_as_a_window_around_the_caret() -> TestResult {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let d = Diagnostic::at_offset(Path::new("f.toml"), &line, 5000, FileMsg::NotUtf8);
        assert_eq!(d.col, 5001);
        let s = d.to_string();
        assert!(s.len() < 600, "{} bytes", s.len());
        let shown: Vec<&str> = s.lines().collect();
        let text = shown[2].split_once("| ").ok_or("no source line")?.1;
        let caret = shown[3].split_once("| ").ok_or("no caret line")?.1;
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        assert_eq!(text.chars().nth(caret.chars().count() - 1), Some('X'));
        // Near the start or the end, only one side is cut.
        let (t, c) = excerpt(&line, 1);
        assert!(!t.starts_with('…') && t.ends_with('…') && c == 1);
        let (t, c) = excerpt(&line, 10_001);
        assert!(t.starts_with('…') && !t.ends_with('…'));
        assert_eq!(t.chars().nth(c - 1), Some('b'));
        assert_eq!(excerpt("short", 3), ("short".to_string(), 3));
        Ok(())
    }

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

    #[test]
    fn display_has_location_caret_and_help() {
        let unknown = TomlMsg::UnknownKey {
            key: "titel".into(),
            best: Some("title".into()),
            allowed: vec!["title".into()],
        };
        let d = Diagnostic::at_offset(Path::new("f.toml"), "titel = 1\n", 0, unknown);
        let s = d.to_string();
        assert!(
            s.starts_with("f.toml:1:1: error: unknown key `titel`"),
            "{s}"
        );
        assert!(s.contains("1 | titel = 1"));
        assert!(s.contains("  | ^"));
        assert!(s.ends_with("help: did you mean `title`? allowed keys here: title"));
        let s = d.render(Lang::Fr);
        assert!(
            s.starts_with("f.toml:1:1: erreur : clé inconnue `titel`"),
            "{s}"
        );
        assert!(s.contains("1 | titel = 1"));
        assert!(s.ends_with("aide : vouliez-vous dire `title` ? clés permises ici : title"));
    }
}
