//! Messages about files and folders: reading a file, the walk of `fiches/`, links out of the
//! project.

use super::{Text, texts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileMsg {
    /// No livret.toml in this folder (shown).
    NoConfig(String),
    /// No fiches/ folder (shown).
    NoFiches(String),
    /// A folder of the project is a symbolic link leading out of it (the target shown).
    LinkedOutside(String),
    NotRegular,
    TooLarge(u64),
    /// The operating system's reason.
    CannotRead(String),
    NotUtf8,
    NumberedOutsidePart,
    PartWithoutToml,
    CannotReadEntry(String),
    NameNotUtf8,
    SymlinkInFiches,
    NestedParts,
    PartTomlOutside,
    /// PDFs of an earlier `livret pdf` that no longer match the print edition: the build
    /// removed them (their names, as written in `out/`).
    StalePdfs(Vec<String>),
}

impl FileMsg {
    pub(super) fn texts(&self) -> [Text; 2] {
        match self {
            FileMsg::NoConfig(root) => texts(
                format!(
                    "no livret.toml in {root}: run livret from a booklet folder, or pass --root DIR"
                ),
                "",
                format!(
                    "pas de livret.toml dans {root} : lancez livret depuis le dossier d'un livret, \
                     ou indiquez-le avec --root DOSSIER"
                ),
                "",
            ),
            FileMsg::NoFiches(dir) => texts(
                format!("no {dir} folder: create it and put fiches in it (livret new \"Titre\")"),
                "",
                format!(
                    "pas de dossier {dir} : créez-le et mettez-y des fiches (livret new \"Titre\")"
                ),
                "",
            ),
            FileMsg::StalePdfs(names) => {
                let list = names.join(", ");
                let (en, fr) = match names.len() {
                    1 => (
                        ["matches", "it"],
                        [
                            "ne correspond plus",
                            "l'a imprimé",
                            "l'a retiré",
                            "l'imprimer",
                        ],
                    ),
                    _ => (
                        ["match", "them"],
                        [
                            "ne correspondent plus",
                            "les a imprimés",
                            "les a retirés",
                            "les imprimer",
                        ],
                    ),
                };
                let [verb, them] = en;
                let [no_longer, printed, removed, print] = fr;
                texts(
                    format!(
                        "{list} no longer {verb} the booklet: its print edition changed since \
                         `livret pdf` printed {them}. The build removed {them}, and the site no \
                         longer links {them}"
                    ),
                    format!("run `livret pdf` to print {them} again"),
                    format!(
                        "{list} {no_longer} au livret : son édition imprimable a changé depuis \
                         que `livret pdf` {printed}. La construction {removed} et le site n'y \
                         renvoie plus"
                    ),
                    format!("lancez `livret pdf` pour {print} à nouveau"),
                )
            }
            _ => self.reading_texts(),
        }
    }

    fn reading_texts(&self) -> [Text; 2] {
        match self {
            FileMsg::LinkedOutside(real) => texts(
                format!("this folder is a symbolic link to {real}, outside the project"),
                "copy the folder into the project instead of linking to it",
                format!("ce dossier est un lien symbolique vers {real}, hors du projet"),
                "copiez le dossier dans le projet au lieu d'y faire un lien",
            ),
            FileMsg::NotRegular => texts(
                "this is not a regular file (a pipe, socket or device?)",
                "replace it by an ordinary text file",
                "ce n'est pas un fichier ordinaire (un tube, une socket, un périphérique ?)",
                "remplacez-le par un simple fichier texte",
            ),
            FileMsg::TooLarge(len) => texts(
                format!("file is too large ({len} bytes, the limit is 1 MiB)"),
                "split the content into several fiches, or remove pasted binary data",
                format!("fichier trop volumineux ({len} octets, la limite est de 1 Mio)"),
                "répartissez le contenu en plusieurs fiches, ou retirez les données binaires \
                 collées par erreur",
            ),
            FileMsg::CannotRead(e) => texts(
                format!("cannot read this file: {e}"),
                "check that it exists and that you may read it",
                format!("impossible de lire ce fichier : {e}"),
                "vérifiez qu'il existe et que vous avez le droit de le lire",
            ),
            FileMsg::NotUtf8 => texts(
                "this file is not valid UTF-8 text",
                "save the file as UTF-8 in your editor (\"Encoding: UTF-8\")",
                "ce fichier n'est pas du texte UTF-8 valide",
                "enregistrez le fichier en UTF-8 dans votre éditeur (« Encodage : UTF-8 »)",
            ),
            FileMsg::NumberedOutsidePart => texts(
                "a numbered fiche must be inside a part folder",
                "move it into a part folder (fiches/10-name/ with a _part.toml), or make it an \
                 unnumbered page with kind = \"page\"",
                "une fiche numérotée doit se trouver dans le dossier d'une partie",
                "déplacez-la dans le dossier d'une partie (fiches/10-nom/, avec un _part.toml), \
                 ou faites-en une page sans numéro avec kind = \"page\"",
            ),
            FileMsg::PartWithoutToml => texts(
                "this part folder has no _part.toml",
                "add a _part.toml with the part's title: title = \"…\"",
                "le dossier de cette partie n'a pas de _part.toml",
                "ajoutez un fichier _part.toml avec le titre de la partie : title = \"…\"",
            ),
            FileMsg::CannotReadEntry(e) => texts(
                format!("cannot read: {e}"),
                "check that the file or folder exists and is readable",
                format!("lecture impossible : {e}"),
                "vérifiez que le fichier ou le dossier existe et peut être lu",
            ),
            FileMsg::NameNotUtf8 => texts(
                "this file name is not valid UTF-8",
                "rename it using letters, digits and dashes",
                "ce nom de fichier n'est pas de l'UTF-8 valide",
                "renommez-le avec des lettres, des chiffres et des tirets",
            ),
            FileMsg::SymlinkInFiches => texts(
                "symbolic links are not followed in fiches/",
                "replace the link by the file or folder itself",
                "les liens symboliques ne sont pas suivis dans fiches/",
                "remplacez le lien par le fichier ou le dossier lui-même",
            ),
            FileMsg::NestedParts => texts(
                "parts cannot be nested",
                "keep one level of part folders directly under fiches/",
                "une partie ne peut pas en contenir une autre",
                "gardez un seul niveau de dossiers de parties, directement dans fiches/",
            ),
            FileMsg::PartTomlOutside => texts(
                "_part.toml belongs inside a part folder",
                "move it into a folder such as fiches/10-name/",
                "_part.toml doit se trouver dans le dossier d'une partie",
                "déplacez-le dans un dossier comme fiches/10-nom/",
            ),
            // Rendered by `texts`, which never sends them here.
            FileMsg::NoConfig(_) | FileMsg::NoFiches(_) | FileMsg::StalePdfs(_) => self.texts(),
        }
    }
}
