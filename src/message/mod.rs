//! The one home of the texts that diagnostics show: a catalogue of message kinds (the
//! `Message` enum and its families, one file each), every kind with its English and its French
//! text side by side, message and help line together. Code that finds a problem names its kind
//! and the facts (a key, a path, a count); the report renders it in the booklet's language
//! (`Lang`), chosen once per run from livret.toml's `lang`, else the system's `LANG`. Nothing
//! matches on the rendered text.

mod content;
mod files;
mod lint;
mod theme;
mod toml;

pub use content::{Block, ContentMsg, LinkMsg, TitleOf, owner_words};
pub use files::FileMsg;
pub use lint::{Html, LintMsg};
pub use theme::ThemeMsg;
pub use toml::{Expected, Found, TomlMsg};

/// The language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// The language of a BCP 47 tag (`fr`, `fr-BE`…): French for French, English otherwise.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_', '.']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// The language of a run: the booklet's `lang` when it declares one, else the system's
    /// locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first set), else English. (Reading
    /// livret.toml for it is `source::config::lang_of`.)
    pub fn choose(declared: Option<&str>) -> Lang {
        match declared {
            Some(tag) => Lang::from_tag(tag),
            None => Lang::from_env(|name| std::env::var(name).ok()),
        }
    }

    /// The system's language from the locale variables, read through `var`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name))
            .find(|value| !value.is_empty())
            .map_or(Lang::En, |value| Lang::from_tag(&value))
    }

    fn index(self) -> usize {
        match self {
            Lang::En => 0,
            Lang::Fr => 1,
        }
    }

    /// "error" / "warning" and the words of the report's last line.
    pub fn word(self, word: Word) -> &'static str {
        let [en, fr] = match word {
            Word::Error => ["error", "erreur"],
            Word::Warning => ["warning", "avertissement"],
            Word::Help => ["help", "aide"],
        };
        [en, fr][self.index()]
    }

    /// The colon after a word: French puts a space before it.
    pub fn colon(self) -> &'static str {
        match self {
            Lang::En => ":",
            Lang::Fr => " :",
        }
    }

    /// "error" / "erreur", for a line of its own.
    pub fn error_word(self) -> &'static str {
        self.word(Word::Error)
    }

    /// The report's last line: "2 errors, 1 warning — nothing was written".
    pub fn tally(self, errors: usize, warnings: usize, outcome: Outcome) -> String {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let outcome = match (self, outcome) {
            (Lang::En, Outcome::NothingWritten) => "nothing was written",
            (Lang::Fr, Outcome::NothingWritten) => "rien n'a été écrit",
            (Lang::En, Outcome::StillServed) => "the last good build is still served",
            (Lang::Fr, Outcome::StillServed) => "la dernière version correcte reste servie",
            (Lang::En, Outcome::Warned) => "warnings do not stop the build; --strict refuses them",
            (Lang::Fr, Outcome::Warned) => {
                "les avertissements n'empêchent pas la construction ; --strict les refuse"
            }
            (Lang::En, Outcome::WarnedServed) => "warnings do not stop the preview",
            (Lang::Fr, Outcome::WarnedServed) => "les avertissements n'arrêtent pas l'aperçu",
        };
        let mut counts = Vec::new();
        if errors > 0 || warnings == 0 {
            counts.push(match self {
                Lang::En => format!("{errors} error{}", plural(errors)),
                Lang::Fr => format!("{errors} erreur{}", plural(errors)),
            });
        }
        if warnings > 0 {
            counts.push(match self {
                Lang::En => format!("{warnings} warning{}", plural(warnings)),
                Lang::Fr => format!("{warnings} avertissement{}", plural(warnings)),
            });
        }
        format!("livret: {} — {outcome}", counts.join(", "))
    }
}

/// Fixed words of reports.
#[derive(Debug, Clone, Copy)]
pub enum Word {
    Error,
    Warning,
    Help,
}

/// What became of the output, for the report's last line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    NothingWritten,
    StillServed,
    /// Only warnings: the command went on.
    Warned,
    /// Only warnings, in `livret serve`'s preview (which has no `--strict`).
    WarnedServed,
}

/// A message as shown: its line, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub message: String,
    pub help: Option<String>,
}

/// The English and French texts of one message kind (an empty help is no help).
pub(crate) fn texts(
    en: impl Into<String>,
    en_help: impl Into<String>,
    fr: impl Into<String>,
    fr_help: impl Into<String>,
) -> [Text; 2] {
    let text = |message: String, help: String| Text {
        message,
        help: (!help.is_empty()).then_some(help),
    };
    [
        text(en.into(), en_help.into()),
        text(fr.into(), fr_help.into()),
    ]
}

/// Every kind of message a diagnostic can carry, by family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    File(FileMsg),
    Toml(TomlMsg),
    Content(ContentMsg),
    Link(LinkMsg),
    Theme(ThemeMsg),
    Lint(LintMsg),
}

impl Message {
    /// The message and its help in `lang`.
    pub fn text(&self, lang: Lang) -> Text {
        let [en, fr] = match self {
            Message::File(m) => m.texts(),
            Message::Toml(m) => m.texts(),
            Message::Content(m) => m.texts(),
            Message::Link(m) => m.texts(),
            Message::Theme(m) => m.texts(),
            Message::Lint(m) => m.texts(),
        };
        match lang {
            Lang::En => en,
            Lang::Fr => fr,
        }
    }
}

macro_rules! family {
    ($($family:ident => $variant:ident),*) => {$(
        impl From<$family> for Message {
            fn from(m: $family) -> Self {
                Message::$variant(m)
            }
        }
    )*};
}
family!(FileMsg => File, TomlMsg => Toml, ContentMsg => Content, LinkMsg => Link,
        ThemeMsg => Theme, LintMsg => Lint);

/// "did you mean `x`? " in both languages, or nothing; `quote` wraps the suggestion.
pub(crate) fn did_you_mean(best: &Option<String>, quote: fn(&str) -> String) -> [String; 2] {
    match best {
        Some(b) => [
            format!("did you mean {}? ", quote(b)),
            format!("vouliez-vous dire {} ? ", quote(b)),
        ],
        None => [String::new(), String::new()],
    }
}

/// `key` in backticks.
pub(crate) fn tick(s: &str) -> String {
    format!("`{s}`")
}

/// `value` in double quotes.
pub(crate) fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_tags_and_locales() {
        assert_eq!(Lang::from_tag("fr"), Lang::Fr);
        assert_eq!(Lang::from_tag("fr-BE"), Lang::Fr);
        assert_eq!(Lang::from_tag("en"), Lang::En);
        assert_eq!(Lang::from_tag("de"), Lang::En);
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_env(env(&[("LANG", "fr_FR.UTF-8")])), Lang::Fr);
        assert_eq!(
            Lang::from_env(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "fr_FR.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env(env(&[("LC_ALL", ""), ("LANG", "fr_CA")])),
            Lang::Fr
        );
        assert_eq!(Lang::from_env(env(&[])), Lang::En);
    }

    #[test]
    fn tallies_in_both_languages() {
        assert_eq!(
            Lang::En.tally(2, 0, Outcome::NothingWritten),
            "livret: 2 errors — nothing was written"
        );
        assert_eq!(
            Lang::Fr.tally(1, 1, Outcome::NothingWritten),
            "livret: 1 erreur, 1 avertissement — rien n'a été écrit"
        );
    }
}
