//! Messages about what fiches and livret.toml say: titles, settings, inline fields, slugs,
//! notes (`ContentMsg`), and links and references (`LinkMsg`).

use super::{Text, did_you_mean, texts};
use crate::text::ids::Owner;
use crate::text::links::Refusal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentMsg {
    EmptyTitle {
        of: TitleOf,
        invisible: bool,
    },
    BadLang(String),
    BadBaseUrl(String),
    BadThemeName(String),
    UnknownKind {
        kind: String,
        best: Option<String>,
    },
    /// An inline field (named as in `field_name`) holds a link, a note call or a block.
    InlineLink(&'static str),
    InlineNote(&'static str),
    InlineBlock {
        field: &'static str,
        block: Block,
    },
    SecondSommaire,
    DuplicateSlug {
        slug: String,
        first: String,
        second: String,
    },
    SlugTooLong {
        shown: String,
        length: usize,
        limit: usize,
        example: String,
        explicit: bool,
    },
    InvalidSlug {
        slug: String,
        example: String,
    },
    ReservedSlug(String),
    /// `owner`: what else takes the id; `suffixes`, `fixed`: the generated ids.
    SlugIdClash {
        slug: String,
        id: String,
        owner: Owner,
        explicit: bool,
        suffixes: String,
        fixed: String,
    },
    NoteNeverCited(String),
    NoteUndefined {
        key: String,
        best: Option<String>,
    },
    EmptyLink,
}

/// Whose title is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleOf {
    Entry,
    Part,
    Booklet,
}

/// Block syntax found in an inline field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    Paragraph,
    Heading,
    List,
    Quote,
    Code,
    Table,
    Rule,
}

impl ContentMsg {
    pub(super) fn texts(&self) -> [Text; 2] {
        match self {
            ContentMsg::EmptyTitle { of, invisible } => {
                let (en, fr, en_help, fr_help) = match of {
                    TitleOf::Entry => {
                        ("the title", "le titre", "write a title", "écrivez un titre")
                    }
                    TitleOf::Part => (
                        "the part's title",
                        "le titre de la partie",
                        "write a title",
                        "écrivez un titre",
                    ),
                    TitleOf::Booklet => (
                        "the title",
                        "le titre",
                        "give the booklet a title",
                        "donnez un titre au livret",
                    ),
                };
                let (en_tail, fr_tail) = if *invisible {
                    (
                        ": it holds only invisible characters (zero-width spaces…)",
                        " : il ne contient que des caractères invisibles (espaces sans largeur…)",
                    )
                } else {
                    ("", "")
                };
                texts(
                    format!("{en} is empty{en_tail}"),
                    format!("{en_help}: title = \"…\""),
                    format!("{fr} est vide{fr_tail}"),
                    format!("{fr_help} : title = \"…\""),
                )
            }
            ContentMsg::BadLang(tag) => texts(
                format!("`{tag}` is not a language tag"),
                "use a BCP 47 tag such as \"fr\", \"en\" or \"fr-BE\"",
                format!("`{tag}` n'est pas un code de langue"),
                "écrivez un code BCP 47 comme \"fr\", \"en\" ou \"fr-BE\"",
            ),
            ContentMsg::BadBaseUrl(url) => texts(
                format!("base_url `{url}` is not an absolute http(s) URL"),
                "write it like \"https://example.org/guide/\": http:// or https://, a host name, \
                 a path, no ?query nor #fragment; or remove it",
                format!("base_url `{url}` n'est pas une adresse http(s) complète"),
                "écrivez-la comme \"https://example.org/guide/\" : http:// ou https://, un nom de \
                 domaine, un chemin, sans ?requête ni #fragment ; ou supprimez-la",
            ),
            ContentMsg::BadThemeName(name) => texts(
                format!("theme name `{name}` is not a plain folder name"),
                "name a folder of themes/, e.g. theme = \"default\"",
                format!("le nom de thème `{name}` n'est pas un simple nom de dossier"),
                "nommez un dossier de themes/, par exemple theme = \"default\"",
            ),
            ContentMsg::UnknownKind { kind, best } => {
                let [en, fr] = did_you_mean(best, super::quoted);
                texts(
                    format!("unknown kind \"{kind}\""),
                    format!("{en}kind is one of \"fiche\" (the default), \"page\", \"sommaire\""),
                    format!("type inconnu kind = \"{kind}\""),
                    format!("{fr}kind vaut \"fiche\" (par défaut), \"page\" ou \"sommaire\""),
                )
            }
            _ => self.inline_texts(),
        }
    }

    fn inline_texts(&self) -> [Text; 2] {
        match self {
            ContentMsg::InlineLink(field) => {
                let [en, fr] = field_name(field);
                texts(
                    format!("{en} cannot hold a link: the sommaire shows it as a link"),
                    "write the text without the link, and put the link in the summary or the body",
                    format!(
                        "{fr} ne peut pas contenir de lien : le sommaire l'affiche déjà comme un lien"
                    ),
                    "écrivez le texte sans le lien, et mettez le lien dans le résumé ou le corps",
                )
            }
            ContentMsg::InlineNote(field) => {
                let [en, fr] = field_name(field);
                texts(
                    format!("{en} cannot cite a note: the sommaire shows it without its notes"),
                    "cite the note in the summary or the body instead",
                    format!(
                        "{fr} ne peut pas appeler de note : le sommaire l'affiche sans ses notes"
                    ),
                    "appelez la note dans le résumé ou le corps",
                )
            }
            ContentMsg::InlineBlock { field, block } => {
                let [en, fr] = field_name(field);
                let [en_block, fr_block] = block.words();
                texts(
                    format!("{en} is inline text: it cannot hold {en_block}"),
                    "write it as one line of text; to keep a mark such as # - > or 1. as it is, \
                     put a backslash before it: \\# \\- \\> 1\\.",
                    format!("{fr} est un texte en ligne : il ne peut pas contenir {fr_block}"),
                    "écrivez-le sur une seule ligne ; pour garder tel quel un signe comme # - > \
                     ou 1., mettez une barre oblique inverse devant : \\# \\- \\> 1\\.",
                )
            }
            _ => self.model_texts(),
        }
    }

    fn model_texts(&self) -> [Text; 2] {
        match self {
            ContentMsg::SecondSommaire => texts(
                "a second kind = \"sommaire\" entry",
                "keep one sommaire file and delete the other",
                "un second fichier kind = \"sommaire\"",
                "gardez un seul fichier de sommaire et supprimez l'autre",
            ),
            ContentMsg::DuplicateSlug {
                slug,
                first,
                second,
            } => texts(
                format!("duplicate slug `{slug}`: {first} has the same one"),
                format!(
                    "both {first} and {second} would be written to {slug}.html: rename one file \
                     or set slug = \"…\" in one of them"
                ),
                format!("adresse (slug) `{slug}` en double : {first} a la même"),
                format!(
                    "{first} et {second} seraient tous deux écrits dans {slug}.html : renommez \
                     l'un des fichiers ou donnez à l'un d'eux un slug = \"…\""
                ),
            ),
            ContentMsg::SlugTooLong {
                shown,
                length,
                limit,
                example,
                explicit,
            } => {
                let (en, fr) = if *explicit {
                    (
                        format!("set a shorter slug, e.g. slug = \"{example}\""),
                        format!("choisissez un slug plus court, par exemple slug = \"{example}\""),
                    )
                } else {
                    (
                        format!(
                            "rename the file with a shorter name, or set a slug in it, e.g. \
                             slug = \"{example}\""
                        ),
                        format!(
                            "donnez au fichier un nom plus court, ou indiquez-y un slug, par \
                             exemple slug = \"{example}\""
                        ),
                    )
                };
                texts(
                    format!(
                        "the slug `{shown}…` is too long: {length} characters, the limit is {limit}"
                    ),
                    en,
                    format!(
                        "le slug `{shown}…` est trop long : {length} caractères, la limite est {limit}"
                    ),
                    fr,
                )
            }
            ContentMsg::InvalidSlug { slug, example } => texts(
                format!("`{slug}` is not a valid slug"),
                format!("use lower-case letters, digits and dashes, e.g. slug = \"{example}\""),
                format!("`{slug}` n'est pas un slug valide"),
                format!(
                    "utilisez des minuscules sans accents, des chiffres et des tirets, par exemple \
                     slug = \"{example}\""
                ),
            ),
            ContentMsg::ReservedSlug(slug) => texts(
                format!("the slug `{slug}` is reserved for a page livret writes"),
                "rename the file or set another slug = \"…\"",
                format!("le slug `{slug}` est réservé à une page que livret écrit"),
                "renommez le fichier ou choisissez un autre slug = \"…\"",
            ),
            _ => self.note_texts(),
        }
    }

    fn note_texts(&self) -> [Text; 2] {
        match self {
            ContentMsg::SlugIdClash {
                slug,
                id,
                owner,
                explicit,
                suffixes,
                fixed,
            } => {
                let [en_owner, fr_owner] = owner_words(owner);
                let (en, fr) = if *explicit {
                    (
                        "choose another slug = \"…\"",
                        "choisissez un autre slug = \"…\"",
                    )
                } else {
                    (
                        "rename the file or set another slug = \"…\"",
                        "renommez le fichier ou choisissez un autre slug = \"…\"",
                    )
                };
                texts(
                    format!(
                        "the slug `{slug}` would give the id `{id}`, which livret also gives to {en_owner}"
                    ),
                    format!(
                        "{en}: livret gives the ids slug-{suffixes} to a page's parts, note-N and \
                         ref-N to notes, and {fixed} to the theme's own parts; a slug may not \
                         give one of them twice"
                    ),
                    format!(
                        "le slug `{slug}` donnerait l'identifiant `{id}`, que livret donne aussi à {fr_owner}"
                    ),
                    format!(
                        "{fr} : livret donne les identifiants slug-{suffixes} aux sections d'une \
                         page, note-N et ref-N aux notes, et {fixed} aux éléments du thème ; un \
                         slug ne doit en donner aucun une seconde fois"
                    ),
                )
            }
            ContentMsg::NoteNeverCited(key) => texts(
                format!("note `{key}` is defined but never cited"),
                format!("cite it with [^{key}] where it belongs, or remove it from [notes]"),
                format!("la note `{key}` est définie mais jamais appelée"),
                format!("appelez-la avec [^{key}] à l'endroit voulu, ou retirez-la de [notes]"),
            ),
            ContentMsg::NoteUndefined { key, best } => {
                let (en, fr) = match best {
                    Some(b) => (
                        format!("did you mean [^{b}]? Or define it under [notes]"),
                        format!("vouliez-vous dire [^{b}] ? Sinon, définissez-la sous [notes]"),
                    ),
                    None => (
                        format!("define it under [notes]: {key} = \"…\""),
                        format!("définissez-la sous [notes] : {key} = \"…\""),
                    ),
                };
                texts(
                    format!("note `{key}` is cited but not defined"),
                    en,
                    format!("la note `{key}` est appelée mais n'est pas définie"),
                    fr,
                )
            }
            ContentMsg::EmptyLink => texts(
                "a link with neither label nor url",
                "give it a url = \"https://…\", a label = \"…\", or both",
                "un lien sans intitulé ni adresse",
                "donnez-lui une adresse url = \"https://…\", un intitulé label = \"…\", ou les deux",
            ),
            _ => unreachable!("other content messages are rendered by texts()"),
        }
    }
}

impl Block {
    fn words(self) -> [&'static str; 2] {
        match self {
            Block::Paragraph => [
                "a second paragraph (a blank line)",
                "un second paragraphe (une ligne vide)",
            ],
            Block::Heading => [
                "a heading (a line starting with #, or underlined with === or ---)",
                "de titre (une ligne qui commence par #, ou soulignée de === ou ---)",
            ],
            Block::List => [
                "a list (a line starting with -, *, + or a number and a dot)",
                "de liste (une ligne qui commence par -, *, + ou un nombre suivi d'un point)",
            ],
            Block::Quote => [
                "a quotation block (a line starting with >)",
                "de bloc de citation (une ligne qui commence par >)",
            ],
            Block::Code => [
                "a code block (``` or an indented line)",
                "de bloc de code (``` ou une ligne en retrait)",
            ],
            Block::Table => ["a table", "de tableau"],
            Block::Rule => [
                "a horizontal rule (---, *** or ___ on a line)",
                "de trait horizontal (---, *** ou ___ seuls sur une ligne)",
            ],
        }
    }
}

/// What else has a clashing id, in both languages.
pub fn owner_words(owner: &Owner) -> [String; 2] {
    match owner {
        Owner::Heading { suffix, prefix } => [
            format!("the `{suffix}` heading of an entry with the slug `{prefix}`"),
            format!("la section `{suffix}` d'une page dont le slug est `{prefix}`"),
        ],
        Owner::Note => [
            "a note or a note call".to_string(),
            "une note ou un appel de note".to_string(),
        ],
        Owner::Theme => [
            "a part of the page the theme always writes".to_string(),
            "un élément de page que le thème écrit toujours".to_string(),
        ],
    }
}

/// An inline field as named in messages, capitalised: "The `title`" / "Le champ `title`".
pub fn field_name(name: &str) -> [String; 2] {
    let fr = match name {
        "a figure's value" => "La valeur d'un chiffre clé",
        "a figure's label" => "Le libellé d'un chiffre clé",
        "a [[how]] heading" => "Le titre d'une section [[how]]",
        "a quote's author" => "L'auteur d'une citation",
        "a quote's role" => "La fonction de l'auteur d'une citation",
        "an aside's title" => "Le titre d'un encadré",
        "the outcome's headline" => "Le titre du bilan",
        "a link's label" => "L'intitulé d'un lien",
        key => return [format!("`{key}`"), format!("Le champ `{key}`")],
    };
    let mut chars = name.chars();
    let en = chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    });
    [en, fr.to_string()]
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkMsg {
    /// Refused by the URL policy (`text::links`).
    Refused(Refusal),
    ConfigLinksFiche(String),
    UnknownFiche {
        slug: String,
        best: Option<String>,
    },
    RemoteImage(String),
    RemoteCss(String),
}

impl LinkMsg {
    pub(super) fn texts(&self) -> [Text; 2] {
        const LOCAL_EN: &str = "printing reads local files only: save the file into the theme's \
                                static/ folder (themes/<theme>/static/…) and refer to it by its \
                                relative path";
        const LOCAL_FR: &str = "l'impression ne lit que des fichiers locaux : enregistrez le \
                                fichier dans le dossier static/ du thème (themes/<thème>/static/…) \
                                et désignez-le par son chemin relatif";
        match self {
            LinkMsg::Refused(Refusal::Scheme { shown, scheme }) => texts(
                format!("the link `{shown}` uses the refused scheme `{scheme}:`"),
                "links may only use http:, https:, mailto:, tel: or a relative path",
                format!("le lien `{shown}` utilise le schéma refusé `{scheme}:`"),
                "un lien ne peut utiliser que http:, https:, mailto:, tel: ou un chemin relatif",
            ),
            LinkMsg::Refused(Refusal::Malformed(link)) => texts(
                format!("`{link}` is not a well-formed URL"),
                "write it as https://domain.tld/path, without spaces",
                format!("`{link}` n'est pas une adresse web bien formée"),
                "écrivez-la sous la forme https://domaine.fr/chemin, sans espaces",
            ),
            LinkMsg::Refused(Refusal::NoScheme(link)) => texts(
                format!(
                    "`{link}` looks like a web address but has no https://: it would be a dead link to a file of this site"
                ),
                format!("write the whole address: https://{link}"),
                format!(
                    "`{link}` ressemble à une adresse web mais n'a pas de https:// : ce serait un lien mort vers un fichier de ce site"
                ),
                format!("écrivez l'adresse complète : https://{link}"),
            ),
            LinkMsg::ConfigLinksFiche(link) => texts(
                format!("`{link}`: livret.toml cannot link to a fiche"),
                "link to the fiche's page instead, e.g. [texte](riace.html)",
                format!("`{link}` : livret.toml ne peut pas faire de lien vers une fiche"),
                "faites un lien vers la page de la fiche, par exemple [texte](riace.html)",
            ),
            LinkMsg::UnknownFiche { slug, best } => {
                let (en, fr) = match best {
                    Some(b) => (
                        format!("did you mean @{b}?"),
                        format!("vouliez-vous dire @{b} ?"),
                    ),
                    None => (
                        "link to a fiche by its slug, e.g. [texte](@riace)".to_string(),
                        "faites un lien vers une fiche par son slug, par exemple [texte](@riace)"
                            .to_string(),
                    ),
                };
                texts(
                    format!("link to an unknown fiche `@{slug}`"),
                    en,
                    format!("lien vers une fiche inconnue `@{slug}`"),
                    fr,
                )
            }
            LinkMsg::RemoteImage(url) => texts(
                format!("the image `{url}` is not a local file"),
                LOCAL_EN,
                format!("l'image `{url}` n'est pas un fichier local"),
                LOCAL_FR,
            ),
            LinkMsg::RemoteCss(url) => texts(
                format!("the stylesheet refers to `{url}`, which is not a local file"),
                LOCAL_EN,
                format!("la feuille de style fait appel à `{url}`, qui n'est pas un fichier local"),
                LOCAL_FR,
            ),
        }
    }
}
