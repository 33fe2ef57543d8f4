//! What the typography rules need to know about the text around a space: letters and words,
//! Roman numerals, units, function words, protected runs (URLs, e-mail addresses), the kind of
//! token just written (a number, `n°`…) and ordinals (`1er`, `XVIe`).

/// `char::is_alphabetic`, answered without the Unicode tables for ASCII and the Latin-1 and
/// Latin Extended letters of French and its neighbours (this runs for most characters).
pub(super) fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{C0}'..='\u{24F}' => c != '×' && c != '÷',
        '\u{80}'..='\u{BF}' => matches!(c, 'ª' | 'µ' | 'º'),
        '\u{2000}'..='\u{206F}' => false, // spaces, dashes, quotes, ellipsis
        c if c.is_ascii() => false,
        c => c.is_alphabetic(),
    }
}

/// Letters, digits and combining accents: characters that continue a word.
pub(super) fn is_word(c: char) -> bool {
    match c {
        c if c.is_ascii() => c.is_ascii_alphanumeric(),
        '\u{2000}'..='\u{206F}' => false, // spaces, dashes, quotes, ellipsis
        c => is_letter(c) || c.is_numeric() || ('\u{300}'..='\u{36F}').contains(&c),
    }
}

pub(super) fn is_roman(c: char) -> bool {
    matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M')
}

pub(super) fn is_unit_sign(c: char) -> bool {
    matches!(c, '%' | '‰' | '€')
}

pub(super) fn is_opening(c: char) -> bool {
    matches!(c, '(' | '[' | '{' | '"' | '“' | '‘' | '*' | '_')
}

/// Short words that a number does not quantify (`en 2012 à`, `en 1999 par`,
/// `de 8 à 10`): no no-break space between the number and them.
pub(super) const FUNCTION_WORDS: &[&str] = &[
    "à", "a", "au", "aux", "et", "ou", "où", "par", "pour", "le", "la", "les", "de", "des", "du",
    "en", "sur", "dans", "avec", "sans", "que", "qui", "est", "sont", "il", "elle", "ils", "elles",
    "on", "ne", "se", "ce", "ces", "mais", "puis", "vers", "chez", "entre", "selon", "après",
    "avant", "depuis",
];

/// The word made of `c` and the letters that follow it is a function word.
pub(super) fn is_function_word(c: char, after: &str) -> bool {
    let len = after
        .char_indices()
        .find(|&(_, d)| !is_letter(d))
        .map_or(after.len(), |(k, _)| k);
    let rest = &after[..len];
    FUNCTION_WORDS
        .iter()
        .any(|w| w.strip_prefix(c).is_some_and(|tail| tail == rest))
}

/// After the first digit of a word: exactly two more digits, then the end of
/// the word or a non-word character (`000`, `000,5`, `000)`).
pub(super) fn is_group_tail(after: &str) -> bool {
    let mut it = after.chars();
    matches!((it.next(), it.next()), (Some(a), Some(b)) if a.is_ascii_digit() && b.is_ascii_digit())
        && it.next().is_none_or(|d| !is_word(d))
}

/// URL, e-mail, path or code-like token, to be copied untouched: it contains `://`, `www.`,
/// `@`, `=` or `\\`, or a `/` between two letters or digits. One pass over the bytes (this runs
/// for every word of the booklet).
pub(super) fn is_protected(token: &str) -> bool {
    let b = token.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'@' | b'=' | b'\\' => return true,
            b':' if b[i + 1..].starts_with(b"//") => return true,
            b'w' if b[i + 1..].starts_with(b"ww.") => return true,
            b'/' if i > 0
                && i + 1 < b.len()
                && is_alnum_at(token, i - 1, true)
                && is_alnum_at(token, i + 1, false) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Whether the character ending (`before`) or starting at byte `i` is alphanumeric.
pub(super) fn is_alnum_at(token: &str, i: usize, before: bool) -> bool {
    let c = if before {
        token[..=i].chars().next_back()
    } else {
        token.get(i..).and_then(|t| t.chars().next())
    };
    c.is_some_and(char::is_alphanumeric)
}

/// What is known of the current word, for the rules that depend on the
/// previous word (numbers, `n°`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    num: Num,
    numero: Numero,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Num {
    /// Only opening punctuation so far.
    Lead,
    /// Ends with a digit run of `run` digits; `simple`: no `,`/`.` before.
    Digits { run: u8, simple: bool },
    /// Ends with a decimal separator after digits.
    Sep,
    /// Not a number.
    No,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Numero {
    Lead,
    N,
    Deg,
    No,
}

impl Tok {
    pub(super) const fn new() -> Self {
        Tok {
            num: Num::Lead,
            numero: Numero::Lead,
        }
    }

    pub(super) const fn opaque() -> Self {
        Tok {
            num: Num::No,
            numero: Numero::No,
        }
    }

    pub(super) fn push(&mut self, c: char) {
        let digit = c.is_ascii_digit();
        self.num = match self.num {
            Num::Lead if digit => Num::Digits {
                run: 1,
                simple: true,
            },
            Num::Lead if is_opening(c) => Num::Lead,
            Num::Digits { run, simple } if digit => Num::Digits {
                run: run.saturating_add(1),
                simple,
            },
            Num::Digits { .. } if c == ',' || c == '.' => Num::Sep,
            Num::Sep if digit => Num::Digits {
                run: 1,
                simple: false,
            },
            _ => Num::No,
        };
        self.numero = match self.numero {
            Numero::Lead if c == 'n' || c == 'N' => Numero::N,
            Numero::Lead if is_opening(c) => Numero::Lead,
            Numero::N if c == '°' || c == 'º' => Numero::Deg,
            _ => Numero::No,
        };
    }

    /// Neither a number nor `n°`, nor the start of one.
    pub(super) fn is_opaque(self) -> bool {
        self.num == Num::No && self.numero == Numero::No
    }

    pub(super) fn is_number(self) -> bool {
        matches!(self.num, Num::Digits { .. })
    }

    /// A whole number of 1–3 digits: may be followed by a thousands group.
    pub(super) fn is_group(self) -> bool {
        matches!(
            self.num,
            Num::Digits {
                run: 1..=3,
                simple: true
            }
        )
    }

    pub(super) fn is_numero(self) -> bool {
        self.numero == Numero::Deg
    }
}

/// A recognised ordinal at the start of a word.
pub(super) struct Ordinal<'a> {
    pub(super) number: &'a str,
    /// Normalised suffix (`er`, `re`, `ers`, `res`, `e`, `es`).
    pub(super) suffix: &'static str,
    /// Bytes of the source taken.
    pub(super) consumed: usize,
}

/// Suffixes accepted after `1` / `I` (first) and after other numbers.
pub(super) const FIRST_SUFFIXES: &[(&str, &str)] = &[
    ("er", "er"),
    ("re", "re"),
    ("ers", "ers"),
    ("res", "res"),
    ("ère", "re"),
    ("ères", "res"),
    ("ere", "re"),
    ("eres", "res"),
];
pub(super) const OTHER_SUFFIXES: &[(&str, &str)] = &[
    ("e", "e"),
    ("es", "es"),
    ("ème", "e"),
    ("èmes", "es"),
    ("eme", "e"),
    ("emes", "es"),
    ("ième", "e"),
    ("ièmes", "es"),
    ("ieme", "e"),
    ("iemes", "es"),
];

/// `s` starts at a word start with a digit or a Roman letter: is the whole
/// word an ordinal?
pub(super) fn ordinal(s: &str) -> Option<Ordinal<'_>> {
    let arabic = s.starts_with(|c: char| c.is_ascii_digit());
    let num_len = if arabic {
        s.bytes().take_while(u8::is_ascii_digit).count()
    } else {
        s.bytes().take_while(|&b| is_roman(char::from(b))).count()
    };
    let number = s.get(..num_len)?;
    let rest = s.get(num_len..)?;
    let suf_len = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_lowercase() || c == 'è'))
        .map_or(rest.len(), |(k, _)| k);
    let suffix = rest.get(..suf_len)?;
    if rest[suf_len..].chars().next().is_some_and(is_word) {
        return None;
    }
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(from, _)| *from == suffix)
            .map(|&(_, to)| to)
    };
    let first = if arabic { number == "1" } else { number == "I" };
    let norm = if first {
        find(FIRST_SUFFIXES)?
    } else {
        let ok = if arabic {
            true
        } else {
            number.len() >= 2 && is_canonical_roman(number)
        };
        if !ok {
            return None;
        }
        find(OTHER_SUFFIXES)?
    };
    Some(Ordinal {
        number,
        suffix: norm,
        consumed: num_len + suf_len,
    })
}

/// Uppercase Roman numeral in canonical form, 1 to 3999.
pub(super) fn is_canonical_roman(s: &str) -> bool {
    const TABLE: &[(u32, &str)] = &[
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    pub(super) fn value(b: u8) -> i64 {
        match b {
            b'I' => 1,
            b'V' => 5,
            b'X' => 10,
            b'L' => 50,
            b'C' => 100,
            b'D' => 500,
            b'M' => 1000,
            _ => 0,
        }
    }
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 15 {
        return false;
    }
    let mut total: i64 = 0;
    for (i, &x) in b.iter().enumerate() {
        let v = value(x);
        if v == 0 {
            return false;
        }
        let next = b.get(i + 1).map_or(0, |&y| value(y));
        total += if v < next { -v } else { v };
    }
    if !(1..4000).contains(&total) {
        return false;
    }
    // Re-encode canonically and compare.
    let mut rest = u32::try_from(total).unwrap_or(0);
    let mut pos = 0;
    for &(v, sym) in TABLE {
        while rest >= v {
            let Some(part) = b.get(pos..pos + sym.len()) else {
                return false;
            };
            if part != sym.as_bytes() {
                return false;
            }
            pos += sym.len();
            rest -= v;
        }
    }
    pos == b.len()
}
