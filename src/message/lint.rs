//! Messages of the lints: mistakes that would publish a page other than the one
//! meant. Most are warnings; the scaffold's placeholder text is an error.

use super::{Text, texts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LintMsg {
    /// A Markdown field whose lines are indented by 4 spaces or more: a code block.
    IndentedCode,
    /// A raw HTML tag (shown) while `allow_html` is off.
    RawHtml { tag: String, instead: Html },
    /// Text that `livret new` wrote, still there.
    Placeholder(String),
    /// A count of fiches (as written) that is not the number of fiches.
    Count { stated: String, fiches: usize },
    /// An unaccented capital whose accented spelling is certain.
    Unaccented { word: String, fix: String },
}

/// What to write instead of an HTML tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Html {
    Break,
    Bold,
    Italic,
    Link,
    Paragraph,
    List,
    Heading,
    Other,
}

impl LintMsg {
    pub(super) fn texts(&self) -> [Text; 2] {
        match self {
            LintMsg::IndentedCode => texts(
                "these lines are indented by 4 spaces or more: Markdown shows them as a code \
                 block (monospace, links not made)",
                "start the text's lines at the margin inside \"\"\"; for a real code block, put \
                 the lines between two lines of ``` instead",
                "ces lignes sont en retrait de 4 espaces ou plus : Markdown les affiche comme un \
                 bloc de code (police à chasse fixe, liens inactifs)",
                "commencez les lignes du texte contre la marge, à l'intérieur des \"\"\" ; pour \
                 un vrai bloc de code, placez plutôt les lignes entre deux lignes de ```",
            ),
            LintMsg::RawHtml { tag, instead } => {
                let [en, fr] = instead.advice();
                texts(
                    format!("the HTML tag `{tag}` is shown as it is (allow_html is off)"),
                    en,
                    format!(
                        "la balise HTML `{tag}` s'affichera telle quelle (allow_html est désactivé)"
                    ),
                    fr,
                )
            }
            LintMsg::Placeholder(text) => texts(
                format!("\"{text}\" is the example text of livret new"),
                "replace it with your own text, or delete the section if you do not need it",
                format!("« {text} » est le texte d'exemple de livret new"),
                "remplacez-le par votre texte, ou supprimez la section si elle ne vous sert pas",
            ),
            LintMsg::Count { stated, fiches } => texts(
                format!("this says \"{stated}\", but the booklet has {fiches} fiches"),
                "write {nombre} (or {nombre en lettres}, {Nombre en lettres}) and livret writes \
                 the number of fiches for you",
                format!("ce texte dit « {stated} », mais le livret compte {fiches} fiches"),
                "écrivez {nombre} (ou {nombre en lettres}, {Nombre en lettres}) : livret y \
                 mettra lui-même le nombre de fiches",
            ),
            LintMsg::Unaccented { word, fix } => texts(
                format!("\"{word}\" takes its accent: \"{fix}\""),
                format!("write \"{fix}\": capitals keep their accents in French"),
                format!("« {word} » prend un accent : « {fix} »"),
                format!("écrivez « {fix} » : en français, les majuscules gardent leurs accents"),
            ),
        }
    }
}

impl Html {
    fn advice(self) -> [&'static str; 2] {
        match self {
            Html::Break => [
                "to start a new line, end the line with two spaces; for a new paragraph, leave a \
                 blank line",
                "pour aller à la ligne, terminez la ligne par deux espaces ; pour un nouveau \
                 paragraphe, laissez une ligne vide",
            ],
            Html::Bold => ["write **text** for bold", "écrivez **texte** pour le gras"],
            Html::Italic => [
                "write *text* for italics",
                "écrivez *texte* pour l'italique",
            ],
            Html::Link => [
                "write a link as [text](https://…)",
                "écrivez un lien sous la forme [texte](https://…)",
            ],
            Html::Paragraph => [
                "separate paragraphs with a blank line",
                "séparez les paragraphes par une ligne vide",
            ],
            Html::List => [
                "write a list with one item a line, each starting with \"- \"",
                "écrivez une liste avec un élément par ligne, chacun commençant par « - »",
            ],
            Html::Heading => [
                "write a heading as a line starting with ## ",
                "écrivez un intertitre comme une ligne qui commence par ## ",
            ],
            Html::Other => [
                "write Markdown instead: **bold**, *italics*, [link](https://…), lists with - ",
                "écrivez plutôt en Markdown : **gras**, *italique*, [lien](https://…), listes \
                 avec - ",
            ],
        }
    }
}
