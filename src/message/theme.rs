//! Messages about the theme: its folder, its templates and stylesheets, its labels, its files
//! that would overwrite what livret writes. Tera's and lightningcss's own words are kept as a
//! detail (they are English).

use super::{Text, did_you_mean, texts, tick};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeMsg {
    NotFound {
        name: String,
        dir: String,
    },
    TemplateNotUtf8,
    StylesheetNotUtf8,
    /// A template that does not compile (Tera's words).
    Template(String),
    /// A template that fails while rendering a page (Tera's words).
    Rendering(String),
    /// A stylesheet lightningcss refuses (its words).
    Css(String),
    UnknownLabel {
        key: String,
        best: Option<String>,
        known: Vec<String>,
    },
    CannotRead(String),
    SymlinkInThemes,
    PrintFrame,
    /// A theme file that would take a name livret writes; `what` names the other claim.
    Overwrites(String),
    /// A theme file written inside a folder where livret writes `what`.
    InsideFolder {
        name: String,
        folder: String,
        what: String,
    },
    /// A theme file written where livret needs a folder for `what`.
    BlocksFolder {
        folder: String,
        what: String,
    },
}

impl ThemeMsg {
    pub(super) fn texts(&self) -> [Text; 2] {
        match self {
            ThemeMsg::NotFound { name, dir } => texts(
                format!("theme `{name}` not found: no folder {dir}"),
                "create that folder (it may hold just the files you change), or use theme = \"default\"",
                format!("thème `{name}` introuvable : il n'y a pas de dossier {dir}"),
                "créez ce dossier (il peut ne contenir que les fichiers que vous changez), ou \
                 écrivez theme = \"default\"",
            ),
            ThemeMsg::TemplateNotUtf8 => texts(
                "this template is not valid UTF-8",
                "save the file as UTF-8",
                "ce gabarit n'est pas de l'UTF-8 valide",
                "enregistrez le fichier en UTF-8",
            ),
            ThemeMsg::StylesheetNotUtf8 => texts(
                "this stylesheet is not valid UTF-8",
                "save the file as UTF-8",
                "cette feuille de style n'est pas de l'UTF-8 valide",
                "enregistrez le fichier en UTF-8",
            ),
            ThemeMsg::Template(detail) => texts(
                format!("template error: {detail}"),
                "fix the template syntax; see https://keats.github.io/tera/docs/",
                format!("erreur dans le gabarit : {detail}"),
                "corrigez la syntaxe du gabarit ; voir https://keats.github.io/tera/docs/",
            ),
            ThemeMsg::Rendering(detail) => texts(
                format!("template error: {detail}"),
                "fix the template; the variables available are listed in docs/themes.md",
                format!("erreur dans le gabarit : {detail}"),
                "corrigez le gabarit ; les variables disponibles sont dans docs/themes.md",
            ),
            ThemeMsg::Css(detail) => texts(
                format!("CSS error: {detail}"),
                "fix the CSS near this position",
                format!("erreur CSS : {detail}"),
                "corrigez le CSS à cet endroit",
            ),
            ThemeMsg::UnknownLabel { key, best, known } => {
                let [en, fr] = did_you_mean(best, tick);
                let known = known.join(", ");
                texts(
                    format!("unknown label `{key}`"),
                    format!("{en}known labels: {known}"),
                    format!("libellé inconnu `{key}`"),
                    format!("{fr}libellés connus : {known}"),
                )
            }
            ThemeMsg::CannotRead(e) => texts(
                format!("cannot read the theme: {e}"),
                "check that the theme's files exist and are readable",
                format!("impossible de lire le thème : {e}"),
                "vérifiez que les fichiers du thème existent et peuvent être lus",
            ),
            ThemeMsg::SymlinkInThemes => texts(
                "symbolic links are not followed in themes/",
                "replace the link by the file itself",
                "les liens symboliques ne sont pas suivis dans themes/",
                "remplacez le lien par le fichier lui-même",
            ),
            ThemeMsg::PrintFrame => texts(
                "print.html must output {{ items_html | safe }} exactly once",
                "put {{ items_html | safe }} once where the booklet's pages go",
                "print.html doit écrire {{ items_html | safe }} une fois et une seule",
                "placez {{ items_html | safe }} une fois, là où vont les pages du livret",
            ),
            _ => self.claim_texts(),
        }
    }

    /// A theme file that takes a name livret writes.
    fn claim_texts(&self) -> [Text; 2] {
        const RENAME_EN: &str = "rename the theme file, or the fiche (slug = \"…\")";
        const RENAME_FR: &str = "renommez le fichier du thème, ou la fiche (slug = \"…\")";
        match self {
            ThemeMsg::Overwrites(what) => texts(
                format!("this theme file would overwrite {what}"),
                RENAME_EN,
                format!("ce fichier du thème écraserait {what}"),
                RENAME_FR,
            ),
            ThemeMsg::InsideFolder { name, folder, what } => texts(
                format!(
                    "this theme file would be written as `{name}`, inside a folder `{folder}` \
                     where livret writes {what}"
                ),
                RENAME_EN,
                format!(
                    "ce fichier du thème serait écrit sous le nom `{name}`, dans un dossier \
                     `{folder}` où livret écrit {what}"
                ),
                RENAME_FR,
            ),
            ThemeMsg::BlocksFolder { folder, what } => texts(
                format!(
                    "this theme file would be written as `{folder}`, where livret needs a folder \
                     for {what}"
                ),
                RENAME_EN,
                format!(
                    "ce fichier du thème serait écrit sous le nom `{folder}`, là où livret a \
                     besoin d'un dossier pour {what}"
                ),
                RENAME_FR,
            ),
            _ => unreachable!("other theme messages are rendered by texts()"),
        }
    }
}
