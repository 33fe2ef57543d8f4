//! French typography layer.
//!
//! This module owns the typesetting conventions of French publishing
//! (Imprimerie nationale) applied to running text:
//!
//! * narrow no-break space (U+202F) before `; : ! ?` and `»`, and after `«`;
//! * no-break space (U+00A0) before `%`, `‰`, `€`, after `n°`, between a
//!   number and the following word, and before a spaced dash;
//! * narrow no-break space between the digit groups of a number (`2 000`);
//! * typographic apostrophe `’`, ellipsis `…`, en dash `–` for a spaced hyphen;
//! * superscript ordinals (`1er`, `2e`, `XVIe`, `Ier`).
//!
//! Tokens that look like URLs, e-mail addresses, paths or code (`://`,
//! `www.`, `@`, `=`, `\`, or `/` between letters) are copied untouched.
//!
//! The Markdown renderer feeds it the *text* events of one block in sequence
//! through a [`French`] value, which remembers the context (previous
//! character, previous word, a held-back trailing space) across pieces. It
//! must never be given code, URLs or attribute values.
//!
//! The rules are idempotent: [`french_plain`] applied to its own output
//! changes nothing. Deliberate limits, to avoid false positives:
//!
//! * no space is *inserted* before `; : ! ?` when the mark is directly
//!   followed by a letter or digit (`14:30`, `a?b`), follows another mark
//!   (`?!`), an opening bracket or a hyphen, or starts the block;
//! * a number is not bound to a following short function word
//!   (`en 2012 à`, `de 8 à 10`), see `FUNCTION_WORDS`;
//! * a hyphen becomes a dash only as a whole word followed by a space in the
//!   same piece;
//! * rules never look across a piece boundary *inside* a word (`XVI` +
//!   `<sup>e</sup>` from Markdown is left as the author wrote it).

/// Narrow no-break space.
mod names;
mod quotes;
mod words;

pub use names::bind_compound_names;
pub use quotes::{inner_quotes, strip_guillemets};

use words::*;

const NNBSP: char = '\u{202F}';
/// No-break space.
const NBSP: char = '\u{A0}';

/// Where `French::chunk` stands: the character `c` at the start of `rest`, what follows it,
/// and what the rules need to know about its place.
struct Here<'a> {
    rest: &'a str,
    c: char,
    after: &'a str,
    word_start: bool,
    start: bool,
    ws_after: bool,
}

/// What the typesetter writes: HTML (escaped, ordinals in `<sup>`) or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Html,
    Plain,
}

/// Stateful French typesetter for the text pieces of one block.
///
/// Usage by a renderer:
///
/// * call [`French::push_html`] (or [`French::push_plain`]) for each text
///   piece of the block, in order; soft line breaks may be fed as `"\n"`;
/// * a whitespace run at the end of a piece is *held back*, because the rule
///   to apply to it depends on what comes next (`"Bonne "` + `"!"`). Emphasis
///   tags (`<em>`, `<strong>`) may be emitted between pieces: the held space
///   then ends up just inside/after the tag, which renders the same;
/// * the caller **must** call [`French::finish`] at the end of every block,
///   and before emitting any other inline content that is not text or an
///   emphasis tag (inline code, note references, inline HTML, images, hard
///   breaks; also link starts, where a leading space would be underlined), so
///   that the held-back space is written at the right place;
/// * call [`French::reset`] at block boundaries (new paragraph, list item,
///   heading, table cell), after `finish`.
#[derive(Debug, Clone)]
pub struct French {
    /// Last non-whitespace character emitted in this block (logical value:
    /// `'e'` for a superscript suffix, not `'>'`).
    last: Option<char>,
    /// Whitespace seen since `last`, not yet emitted.
    ws: String,
    /// A space has already been emitted since `last` (by `finish`).
    gap_done: bool,
    /// What the current (or, while `ws` is pending, the previous) word is.
    tok: Tok,
}

impl Default for French {
    fn default() -> Self {
        Self::new()
    }
}

impl French {
    /// A typesetter at the start of a block.
    #[must_use]
    pub fn new() -> Self {
        French {
            last: None,
            ws: String::new(),
            gap_done: false,
            tok: Tok::new(),
        }
    }

    /// Reset at block boundaries (new paragraph, list item, heading).
    /// A held-back space is dropped: call [`French::finish`] first to keep it.
    pub fn reset(&mut self) {
        self.last = None;
        self.ws.clear();
        self.gap_done = false;
        self.tok = Tok::new();
    }

    /// Apply the rules to one text piece and append the result, HTML-escaped
    /// (`& < > " '`), to `out`, with ordinal suffixes wrapped in
    /// `<sup>…</sup>`.
    pub fn push_html(&mut self, text: &str, out: &mut String) {
        self.push(text, out, Markup::Html);
    }

    /// Same rules, plain-text result (no escaping, ordinals stay as letters,
    /// e.g. `XVIe`), for `<title>`, meta descriptions, PDF metadata.
    pub fn push_plain(&mut self, text: &str, out: &mut String) {
        self.push(text, out, Markup::Plain);
    }

    /// Write the held-back whitespace, if any. The next character being
    /// unknown, the space is a best guess: U+202F after `«`, U+00A0 after a
    /// number or `n°` (`35 <code>px</code>`), otherwise as it was.
    /// Must be called at the end of each block and before any non-text inline
    /// content; the context is kept, so pieces may follow. The output needs
    /// no escaping, so this serves both modes.
    pub fn finish(&mut self, out: &mut String) {
        if self.ws.is_empty() {
            return;
        }
        if self.last == Some('«') {
            out.push(NNBSP);
        } else if self.tok.is_number() || self.tok.is_numero() {
            out.push(NBSP);
        } else {
            out.push_str(&self.ws);
        }
        self.ws.clear();
        self.gap_done = true;
        self.tok = Tok::new();
    }

    fn push(&mut self, text: &str, out: &mut String, to: Markup) {
        out.reserve(text.len() + 8);
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // A whitespace run: held back until the next character is known.
            let start = i;
            while i < bytes.len() {
                match bytes[i] {
                    b' ' | b'\t'..=b'\r' => i += 1,
                    b if b.is_ascii() => break,
                    _ => match text[i..].chars().next() {
                        Some(c) if c.is_whitespace() => i += c.len_utf8(),
                        _ => break,
                    },
                }
            }
            if i > start {
                self.ws.push_str(&text[start..i]);
                continue;
            }
            // A word: up to the next whitespace, noting whether it is letters only, but for a
            // final comma or full stop (`plain`).
            let mut plain = true;
            let mut closed = false;
            while i < bytes.len() {
                match bytes[i] {
                    b' ' | b'\t'..=b'\r' => break,
                    b if b.is_ascii_alphabetic() => {
                        plain &= !closed;
                        i += 1;
                    }
                    b',' | b'.' if i > start => {
                        plain &= !closed;
                        closed = true;
                        i += 1;
                    }
                    b if b.is_ascii() => {
                        plain = false;
                        i += 1;
                    }
                    _ => match text[i..].chars().next() {
                        Some(c) if c.is_whitespace() => break,
                        Some(c) => {
                            // `º` is no plain letter: `nº` is *numéro*.
                            plain &= !closed && is_letter(c) && !matches!(c, 'º' | 'ª');
                            i += c.len_utf8();
                        }
                        None => break,
                    },
                }
            }
            let word = &text[start..i];
            if !(plain && self.plain_word(word, i < bytes.len(), out)) {
                self.chunk(word, i < bytes.len(), out, to);
            }
        }
    }

    /// Most words: letters, maybe then a comma or a full stop, after a space. No rule applies
    /// inside such a word, so only the space before it needs a decision, and it leaves the
    /// token "not a number". Returns false, having done nothing, for a word `chunk` must
    /// handle: an ordinal (`XVIe`), one that ends a piece (the next piece may continue it:
    /// `n` + `°`), one glued to what precedes it.
    fn plain_word(&mut self, word: &str, ws_after: bool, out: &mut String) -> bool {
        let Some(c) = word.chars().next() else {
            return false;
        };
        if self.ws.is_empty() || !ws_after || (is_roman(c) && ordinal(word).is_some()) {
            return false;
        }
        // After a word or punctuation (the usual case), the space before a letter stays.
        let rule = if self.tok.is_opaque() && self.last != Some('«') {
            None
        } else {
            self.ws_rule(c, &word[c.len_utf8()..], ws_after)
        };
        match rule {
            Some(s) => out.push(s),
            None => out.push_str(&self.ws),
        }
        self.ws.clear();
        out.push_str(word);
        self.last = word.chars().next_back();
        self.tok = Tok::opaque();
        self.gap_done = false;
        true
    }

    /// Process a maximal run of non-whitespace characters of one piece.
    /// `ws_after`: the run is followed by whitespace in the same piece.
    fn chunk(&mut self, chunk: &str, ws_after: bool, out: &mut String, to: Markup) {
        let had_ws = !self.ws.is_empty();
        if is_protected(chunk) {
            return self.protected(chunk, had_ws, out, to);
        }

        let mut j = 0;
        let mut first = true;
        while let Some(c) = chunk[j..].chars().next() {
            // Fast path: inside a word, a run of ASCII letters after a letter triggers no rule
            // (ordinals need a word start, inserted spaces need `«` or a mark before them), and
            // leaves the token "not a number". Copy it at once.
            // The same holds at a word start after a space that follows a letter, when the
            // letter can start neither an ordinal (digits, Roman capitals) nor `n°`: the space
            // stays as written.
            let word_after_word = first
                && had_ws
                && c.is_ascii_alphabetic()
                && !matches!(c, 'n' | 'N' | 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M')
                && self.last.is_some_and(is_letter)
                && !self.tok.is_numero(); // `nº` ends in a letter
            if word_after_word {
                out.push_str(&self.ws);
                self.ws.clear();
                self.gap_done = false;
            }
            if (!first || word_after_word)
                && c.is_ascii_alphabetic()
                && self.last.is_some_and(is_letter)
            {
                first = false;
                let run = chunk[j..]
                    .bytes()
                    .take_while(u8::is_ascii_alphabetic)
                    .count();
                out.push_str(&chunk[j..j + run]);
                j += run;
                self.last = chunk[..j].chars().next_back();
                self.tok = Tok::opaque();
                continue;
            }
            let after = &chunk[j + c.len_utf8()..];
            // 1. The gap before `c`: a pending whitespace run, or nothing.
            let start = if first && had_ws {
                match self.ws_rule(c, after, ws_after) {
                    Some(s) => out.push(s),
                    None => out.push_str(&self.ws),
                }
                self.ws.clear();
                true
            } else if first && (self.gap_done || self.last.is_none()) {
                true
            } else if let Some(s) = self.tight_rule(c, after) {
                out.push(s);
                true
            } else {
                false
            };
            first = false;
            self.gap_done = false;
            if start {
                self.tok = Tok::new();
            }
            let word_start = start
                || self
                    .last
                    .is_none_or(|l| !is_word(l) && l != ',' && l != '.');

            // 2. The character itself.
            let at = Here {
                rest: &chunk[j..],
                c,
                after,
                word_start,
                start,
                ws_after,
            };
            j += self.character(&at, out, to);
        }
    }

    /// A protected run (a URL, an e-mail address): written as it is, after its space.
    fn protected(&mut self, chunk: &str, had_ws: bool, out: &mut String, to: Markup) {
        let after_quote = self.last == Some('«');
        if had_ws {
            if after_quote {
                out.push(NNBSP);
            } else {
                out.push_str(&self.ws);
            }
            self.ws.clear();
        } else if after_quote && !self.gap_done {
            out.push(NNBSP);
        }
        for c in chunk.chars() {
            push_char(out, c, to);
        }
        self.last = chunk.chars().next_back().or(self.last);
        self.tok = Tok::opaque();
        self.gap_done = false;
    }

    /// Writes the character at `at` (an ordinal with its suffix, an apostrophe, an ellipsis, a
    /// dash…); returns the bytes of the chunk it consumed.
    #[inline]
    fn character(&mut self, at: &Here, out: &mut String, to: Markup) -> usize {
        let c = at.c;
        if at.word_start
            && (c.is_ascii_digit() || is_roman(c))
            && let Some(ord) = ordinal(at.rest)
        {
            for d in ord.number.chars() {
                self.emit(d, out, to);
            }
            if to == Markup::Html {
                out.push_str("<sup>");
            }
            out.push_str(ord.suffix);
            if to == Markup::Html {
                out.push_str("</sup>");
            }
            self.last = ord.suffix.chars().next_back().or(self.last);
            self.tok = Tok::opaque();
            return ord.consumed;
        }
        match c {
            '\'' => self.emit('’', out, to),
            '.' => {
                let n = 1 + at.after.bytes().take_while(|&b| b == b'.').count();
                if n >= 3 {
                    self.emit('…', out, to);
                } else {
                    for _ in 0..n {
                        self.emit('.', out, to);
                    }
                }
                return n;
            }
            '-' if at.start && self.last.is_some() && at.after.is_empty() && at.ws_after => {
                self.emit('–', out, to);
            }
            _ => self.emit(c, out, to),
        }
        c.len_utf8()
    }

    /// Space to put instead of the pending whitespace run before `c`
    /// (`None`: keep the run as it is).
    fn ws_rule(&self, c: char, after: &str, ws_after: bool) -> Option<char> {
        let l = self.last?;
        if l == '«' || matches!(c, ';' | ':' | '!' | '?' | '»') {
            return Some(NNBSP);
        }
        if self.tok.is_group() && c.is_ascii_digit() && is_group_tail(after) {
            return Some(NNBSP);
        }
        let nbsp = (is_unit_sign(c) && l.is_ascii_digit())
            || (matches!(c, '-' | '–') && after.is_empty() && ws_after)
            || (self.tok.is_numero() && is_word(c))
            || (self.tok.is_number() && is_letter(c) && !is_function_word(c, after));
        nbsp.then_some(NBSP)
    }

    /// Space to insert between the previous character and `c` when the
    /// source has none (`None`: insert nothing).
    fn tight_rule(&self, c: char, after: &str) -> Option<char> {
        let l = self.last?;
        if l == '«' {
            return Some(NNBSP);
        }
        // Never right after a hyphen or dash: it could then become a lone
        // (spaced) dash on a second pass, which would not be idempotent.
        let after_dash = matches!(l, '-' | '–');
        let insert = match c {
            ';' | ':' | '!' | '?' => {
                !after_dash
                    && !matches!(l, ';' | ':' | '!' | '?' | '(' | '[' | '{')
                    && after.chars().next().is_none_or(|n| !is_word(n))
            }
            '»' => !after_dash && l != '»',
            _ => false,
        };
        if insert {
            return Some(NNBSP);
        }
        let nbsp =
            (is_unit_sign(c) && l.is_ascii_digit()) || (self.tok.is_numero() && c.is_ascii_digit());
        nbsp.then_some(NBSP)
    }

    fn emit(&mut self, c: char, out: &mut String, to: Markup) {
        push_char(out, c, to);
        self.last = Some(c);
        self.tok.push(c);
    }
}

/// Convenience: one-shot plain text (e.g. a page title).
#[must_use]
pub fn french_plain(text: &str) -> String {
    let mut fr = French::new();
    let mut out = String::with_capacity(text.len() + 8);
    fr.push_plain(text, &mut out);
    fr.finish(&mut out);
    out
}

fn push_char(out: &mut String, c: char, to: Markup) {
    if to == Markup::Html {
        crate::text::html::push_escaped(c, out);
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> String {
        french_plain(s)
    }

    fn html(s: &str) -> String {
        let mut fr = French::new();
        let mut out = String::new();
        fr.push_html(s, &mut out);
        fr.finish(&mut out);
        out
    }

    /// Feed pieces to one `French`, like the Markdown renderer does.
    fn pieces_html(pieces: &[&str]) -> String {
        let mut fr = French::new();
        let mut out = String::new();
        for p in pieces {
            fr.push_html(p, &mut out);
        }
        fr.finish(&mut out);
        out
    }

    #[test]
    fn is_letter_is_is_alphabetic() {
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn is_word_is_alphanumeric_or_combining() {
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            let expected = c.is_alphanumeric() || ('\u{300}'..='\u{36F}').contains(&c);
            assert_eq!(is_word(c), expected, "{c:?}");
        }
    }

    #[test]
    fn numero_ending_in_a_letter() {
        // `º` is a letter to Unicode; `nº` still takes a no-break space before the next word.
        assert_eq!(plain("nº un"), "nº\u{a0}un");
        assert_eq!(plain("nº 12"), "nº\u{a0}12");
    }

    #[test]
    fn rule1_narrow_space_before_double_punctuation() {
        assert_eq!(
            plain("Italie : un territoire"),
            "Italie\u{202f}: un territoire"
        );
        assert_eq!(plain("redynamisé !"), "redynamisé\u{202f}!");
        assert_eq!(plain("COMMENT ?"), "COMMENT\u{202f}?");
        assert_eq!(
            plain("pièce maîtresse ; elles"),
            "pièce maîtresse\u{202f}; elles"
        );
        // NBSP and runs of spaces are replaced.
        assert_eq!(plain("ok\u{a0}!"), "ok\u{202f}!");
        assert_eq!(plain("ok   ?"), "ok\u{202f}?");
        // Missing spaces are inserted.
        assert_eq!(plain("texte!"), "texte\u{202f}!");
        assert_eq!(plain("Note: voir"), "Note\u{202f}: voir");
        assert_eq!(plain("a;b et c;"), "a;b et c\u{202f};");
        // Guillemets.
        assert_eq!(
            plain("« accueillantes »"),
            "«\u{202f}accueillantes\u{202f}»"
        );
        assert_eq!(plain("«Guide»"), "«\u{202f}Guide\u{202f}»");
        assert_eq!(plain("«\u{a0}Guide\u{a0}»"), "«\u{202f}Guide\u{202f}»");
        // Nothing at the very start of a block.
        assert_eq!(plain(": début"), ": début");
        assert_eq!(plain("!important"), "!important");
    }

    #[test]
    fn rule1_groups_of_marks() {
        assert_eq!(plain("Quoi?!"), "Quoi\u{202f}?!");
        assert_eq!(plain("Quoi ?!"), "Quoi\u{202f}?!");
        assert_eq!(plain("Vraiment!!!"), "Vraiment\u{202f}!!!");
        assert_eq!(plain("«Quoi?»"), "«\u{202f}Quoi\u{202f}?\u{202f}»");
        assert_eq!(plain("(!)"), "(!)");
    }

    #[test]
    fn rule1_times_untouched() {
        assert_eq!(plain("à 14:30 précises"), "à 14:30 précises");
        assert_eq!(plain("14:30:05"), "14:30:05");
    }

    #[test]
    fn rule2_percent_and_units() {
        assert_eq!(plain("dont 36,9 % sont"), "dont 36,9\u{a0}% sont");
        assert_eq!(plain("20%"), "20\u{a0}%");
        assert_eq!(plain("(24 %)"), "(24\u{a0}%)");
        assert_eq!(plain("35€"), "35\u{a0}€");
        assert_eq!(plain("le taux en % est"), "le taux en % est");
    }

    #[test]
    fn rule2_numero() {
        assert_eq!(plain("Bonne pratique n°1"), "Bonne pratique n°\u{a0}1");
        assert_eq!(plain("n° 1"), "n°\u{a0}1");
        assert_eq!(plain("N°12"), "N°\u{a0}12");
        assert_eq!(plain("(n°10)"), "(n°\u{a0}10)");
        assert_eq!(plain("un°1"), "un°1");
    }

    #[test]
    fn rule2_number_and_word() {
        assert_eq!(plain("35 euros"), "35\u{a0}euros");
        assert_eq!(plain("2100 habitants"), "2100\u{a0}habitants");
        assert_eq!(
            plain("8,4 millions d'habitants"),
            "8,4\u{a0}millions d’habitants"
        );
        assert_eq!(plain("Depuis 2015, le maire"), "Depuis 2015, le maire");
        assert_eq!(plain("en 1998."), "en 1998.");
        // Not before a function word the number does not quantify.
        assert_eq!(plain("en 2012 à la mairie"), "en 2012 à la mairie");
        assert_eq!(plain("de 8 à 10 mètres"), "de 8 à 10\u{a0}mètres");
        assert_eq!(plain("en 1999 par le conseil"), "en 1999 par le conseil");
        assert_eq!(plain("35 Euros"), "35\u{a0}Euros");
        assert_eq!(plain("3 aux"), "3 aux");
        assert_eq!(plain("3 auxiliaires"), "3\u{a0}auxiliaires");
    }

    #[test]
    fn rule2_digit_groups() {
        assert_eq!(plain("2 000"), "2\u{202f}000");
        assert_eq!(plain("450 000 migrants"), "450\u{202f}000\u{a0}migrants");
        assert_eq!(plain("2 000 000"), "2\u{202f}000\u{202f}000");
        assert_eq!(plain("(900 000 euros)"), "(900\u{202f}000\u{a0}euros)");
        assert_eq!(
            plain("**450 000 migrants**"),
            "**450\u{202f}000\u{a0}migrants**"
        );
        assert_eq!(plain("1 234,5"), "1\u{202f}234,5");
        // Not thousands groups.
        assert_eq!(plain("en 2016 5 villes"), "en 2016 5\u{a0}villes");
        assert_eq!(plain("en 2016 500 villes"), "en 2016 500\u{a0}villes");
        assert_eq!(plain("3 1000"), "3 1000");
        assert_eq!(plain("1,5 000"), "1,5 000");
        assert_eq!(plain("1998"), "1998");
    }

    #[test]
    fn rule3_apostrophe() {
        assert_eq!(plain("l'accueil"), "l’accueil");
        assert_eq!(plain("aujourd'hui"), "aujourd’hui");
        assert_eq!(plain("d'\"autres\""), "d’\"autres\"");
        assert_eq!(plain("'tiens'"), "’tiens’");
        assert_eq!(plain("L' exemple"), "L’ exemple");
    }

    #[test]
    fn rule4_ellipsis_and_dash() {
        assert_eq!(plain("logement..."), "logement…");
        assert_eq!(plain("Amsterdam...., ont"), "Amsterdam…, ont");
        assert_eq!(plain("a.. b. c"), "a.. b. c");
        assert_eq!(
            plain("plus étroits - contre l'anonymisation - peut"),
            "plus étroits\u{a0}– contre l’anonymisation\u{a0}– peut"
        );
        assert_eq!(
            plain("citoyennes – préparation"),
            "citoyennes\u{a0}– préparation"
        );
        assert_eq!(
            plain("New-York, arabo-musulmanes"),
            "New-York, arabo-musulmanes"
        );
        assert_eq!(plain("- début"), "- début");
        assert_eq!(plain("a -b"), "a -b");
    }

    #[test]
    fn rule5_ordinals() {
        for (src, want) in [
            ("1er", "1er"),
            ("1re", "1re"),
            ("1ers", "1ers"),
            ("1res", "1res"),
            ("2e", "2e"),
            ("40e", "40e"),
            ("2es", "2es"),
            ("1ère", "1re"),
            ("1ères", "1res"),
            ("2ème", "2e"),
            ("3èmes", "3es"),
            ("XVIe", "XVIe"),
            ("XXe", "XXe"),
            ("IIIe", "IIIe"),
            ("Ier", "Ier"),
        ] {
            assert_eq!(plain(src), want, "plain {src}");
        }
        assert_eq!(html("au XVIe siècle"), "au XVI<sup>e</sup> siècle");
        assert_eq!(html("la 40e fois"), "la 40<sup>e</sup> fois");
        assert_eq!(html("le 1er mai"), "le 1<sup>er</sup> mai");
        assert_eq!(html("la 1ère fois"), "la 1<sup>re</sup> fois");
        assert_eq!(html("François Ier."), "François I<sup>er</sup>.");
        assert_eq!(html("(2e)"), "(2<sup>e</sup>)");
        assert_eq!(html("XXe-XXIe"), "XX<sup>e</sup>-XXI<sup>e</sup>");
    }

    #[test]
    fn rule5_not_ordinals() {
        for s in [
            "Le", "De", "Ce", "Me", "Ve", "Mi", "MIDI", "Il", "Ie", "1e", "21er", "IIer", "IIIIe",
            "VXe", "1e10", "2ex", "XVIE", "3,5e", "a2e", "2erreurs",
        ] {
            assert_eq!(html(s), s, "{s}");
        }
    }

    #[test]
    fn rule6_idempotent_on_plain() {
        let samples = [
            "« Bonne » pratique n°1 : 36,9 % ; 2 000 000 d'euros... - XVIe !?",
            "«texte» 20% n° 3 1ère 2ème l'eau 14:30 www.x.org http://a.b/c?d=e:f",
        ];
        for s in samples {
            let once = plain(s);
            assert_eq!(plain(&once), once, "{s}");
        }
    }

    const SEED: &str = "A rebours de politiques nationales caractérisées par la privation de \
        droits, le tri et l'enfermement, des millions de citoyen.ne.s et des centaines de \
        communes en Europe, ouvrent leurs portes aux personnes en situation de migration. En \
        France, plus de 1000 initiatives citoyennes – préparation de repas, hébergement \
        solidaire, cours de français, appui juridique... - ont été recensées. Dès 2014, \
        plusieurs réseaux de municipalités « accueillantes », impliquant de grandes métropoles \
        européennes telles que Barcelone, Amsterdam..., ont vu le jour. En réalité, les villes \
        n'ont aucune compétence formelle s'agissant de la politique migratoire (au sens strict \
        du terme) et de sa mise en œuvre, quand bien même elles peuvent en être une pièce \
        maîtresse ; elles agissent dans un espace très étroit. Il a un objectif simple : montrer \
        qu'un autre accueil, digne, respectueux des droits fondamentaux, est possible ! 8,4 \
        millions d'habitants à New-York, dont 36,9 % sont nés à l'étranger. Le centre-ville \
        abrite 450 000 migrants, l'agglomération entre 750 000 et un million. La ville de Sao \
        Paulo est une « ville-monde » qui s'est construite par les migrations depuis sa \
        fondation au XVIe siècle. Le camp a été édifié pour un coût de 3,1 millions d'euros ; \
        dont une majorité sur fonds propres (2,6 millions d'euros), le reste (900 000 euros). \
        Bonne pratique n°10 : Travailler en complémentarité - mairie et associations : \
        <http://www.altritaliani.net/spip.php?article252> COMMENT ? contact@o-c-u.org";

    #[test]
    fn rule6_idempotent_on_seed_paragraph() {
        let once = plain(SEED);
        assert_eq!(plain(&once), once);
        assert!(once.contains("l’enfermement"));
        assert!(once.contains("juridique…\u{a0}– ont"));
        assert!(once.contains("«\u{202f}accueillantes\u{202f}»"));
        assert!(once.contains("450\u{202f}000\u{a0}migrants"));
        assert!(once.contains("36,9\u{a0}%"));
        assert!(once.contains("XVIe siècle"));
        assert!(once.contains("n°\u{a0}10\u{202f}:"));
        assert!(once.contains("<http://www.altritaliani.net/spip.php?article252>"));
        assert!(once.contains("COMMENT\u{202f}? contact@o-c-u.org"));
    }

    #[test]
    fn rule7_urls_emails_paths_untouched() {
        for s in [
            "http://www.altritaliani.net/spip.php?article252",
            "https://x.org/a?b=c:d",
            "contact@o-c-u.org",
            "www.example.org/l'accueil...",
            "a?b=c",
            "src/l'index.rs:12",
            "C:\\Users\\l'x",
        ] {
            assert_eq!(plain(s), s);
            assert_eq!(html(s), s.replace('\'', "&#39;"));
        }
        assert_eq!(
            plain("Voir : https://x.org/a?b=c:d !"),
            "Voir\u{202f}: https://x.org/a?b=c:d\u{202f}!"
        );
        assert_eq!(plain("« http://x.org »"), "«\u{202f}http://x.org\u{202f}»");
    }

    #[test]
    fn cross_piece() {
        assert_eq!(
            pieces_html(&["« ", "Città Futura", " »"]),
            "«\u{202f}Città Futura\u{202f}»"
        );
        assert_eq!(pieces_html(&["Bonne", " !"]), "Bonne\u{202f}!");
        assert_eq!(pieces_html(&["Bonne ", "!"]), "Bonne\u{202f}!");
        assert_eq!(pieces_html(&["Bonne", "!"]), "Bonne\u{202f}!");
        assert_eq!(pieces_html(&["«", "texte", "»"]), "«\u{202f}texte\u{202f}»");
        assert_eq!(
            pieces_html(&["Un « ", "texte", " » : ok"]),
            "Un «\u{202f}texte\u{202f}»\u{202f}: ok"
        );
        assert_eq!(pieces_html(&["36,9 ", "%"]), "36,9\u{a0}%");
        assert_eq!(
            pieces_html(&["450 ", "000 ", "migrants"]),
            "450\u{202f}000\u{a0}migrants"
        );
        assert_eq!(
            pieces_html(&["en ", "http://x.org", " !"]),
            "en http://x.org\u{202f}!"
        );

        // `finish` before inline code keeps the space in place.
        let mut fr = French::new();
        let mut out = String::new();
        fr.push_html("la commande ", &mut out);
        fr.finish(&mut out);
        out.push_str("<code>ls</code>");
        fr.push_html(" !", &mut out);
        fr.finish(&mut out);
        assert_eq!(out, "la commande <code>ls</code>\u{202f}!");

        // The best guess of `finish` keeps numbers bound.
        out.clear();
        fr.push_html("une marge de 35 ", &mut out);
        fr.finish(&mut out);
        out.push_str("<code>px</code>");
        fr.push_html(", le n° ", &mut out);
        fr.finish(&mut out);
        assert_eq!(out, "une marge de 35\u{a0}<code>px</code>, le n°\u{a0}");

        // Soft line breaks fed as "\n".
        assert_eq!(pieces_html(&["Italie", "\n", ": un"]), "Italie\u{202f}: un");
        assert_eq!(pieces_html(&["un", "\n", "mot"]), "un\nmot");

        // `reset` starts a new block: no space before a leading mark.
        fr.reset();
        out.clear();
        fr.push_html("!", &mut out);
        assert_eq!(out, "!");
    }

    #[test]
    fn html_escaping() {
        assert_eq!(
            html("<script>alert(\"x\")</script> & co"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
        );
        assert_eq!(html("Q&A"), "Q&amp;A");
        assert_eq!(html("l'eau"), "l’eau");
    }

    #[test]
    fn odd_input_does_not_panic() {
        assert_eq!(plain(""), "");
        assert_eq!(html(""), "");
        assert_eq!(plain("«"), "«");
        assert_eq!(plain("« "), "«\u{202f}");
        assert_eq!(plain("»"), "»");
        assert_eq!(plain("   "), "   ");
        assert_eq!(plain("日本語 ! ✳ 😀?"), "日本語\u{202f}! ✳ 😀\u{202f}?");
        let _ = plain("e\u{300}\u{300}2e\u{300} 1er\u{300}");
        let _ = plain(".........-'''«»«»!?:;%°n°N°");
    }

    /// Small deterministic generator (xorshift), no extra crates.
    fn random_text(seed: u64, len: usize) -> String {
        const ALPHABET: &[&str] = &[
            "a", "e", "r", "s", "é", "è", "X", "V", "I", "M", "L", "n", "N", "°", "1", "2", "0",
            "9", " ", " ", " ", "\u{a0}", "\u{202f}", "\n", "«", "»", "'", ".", "...", "-", "–",
            ",", ":", ";", "!", "?", "%", "€", "(", ")", "/", "@", "=", "<", "&", "\"", "😀",
            "\u{300}", "www.", "://", "ème", "er", "à", "*", "de",
        ];
        let mut x = seed | 1;
        let mut s = String::new();
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = usize::try_from(x % ALPHABET.len() as u64).unwrap_or(0);
            s.push_str(ALPHABET[k]);
        }
        s
    }

    #[test]
    fn random_input_no_panic_and_idempotent() {
        for seed in 1..40u64 {
            let s = random_text(seed * 7919, 10_000);
            let once = plain(&s);
            assert_eq!(plain(&once), once, "seed {seed}");
            // Split into pieces at char boundaries and feed as HTML.
            let mut fr = French::new();
            let mut out = String::new();
            let mut rest = s.as_str();
            let mut step = seed as usize % 5 + 1;
            while !rest.is_empty() {
                let cut = rest.char_indices().nth(step).map_or(rest.len(), |(k, _)| k);
                fr.push_html(&rest[..cut], &mut out);
                if step == 3 {
                    fr.finish(&mut out);
                }
                rest = &rest[cut..];
                step = step % 7 + 1;
            }
            fr.finish(&mut out);
            let stripped = out.replace("<sup>", "").replace("</sup>", "");
            assert!(!stripped.contains(['<', '>', '"', '\'']), "seed {seed}");
        }
    }
}
