//! The count of fiches in the booklet's own texts: the placeholders the build fills
//! (`{nombre}` → "11", `{nombre en lettres}` → "onze", `{Nombre en lettres}` → "Onze"), the
//! French words for a number, and the counts a text states ("10 exemples", "Dix exemples"),
//! so that a lint can tell when they no longer match the fiches.

/// The placeholders, as a volunteer writes them.
pub const DIGITS: &str = "{nombre}";
pub const WORDS: &str = "{nombre en lettres}";
pub const WORDS_CAPITALISED: &str = "{Nombre en lettres}";

/// `text` with its placeholders replaced by `n`.
pub fn fill(text: &str, n: usize) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let words = french(n);
    text.replace(DIGITS, &n.to_string())
        .replace(WORDS, &words)
        .replace(WORDS_CAPITALISED, &capitalised(&words))
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

const UNITS: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
];
const TENS: [&str; 7] = [
    "",
    "dix",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
];

/// `n` in French words (traditional spelling: "vingt et un", "quatre-vingts", "deux cents");
/// digits from 1 000 on, where words would not be written in a title.
pub fn french(n: usize) -> String {
    match n {
        0..=16 => UNITS[n].to_string(),
        17..=19 => format!("dix-{}", UNITS[n - 10]),
        20..=69 => {
            let (t, u) = (TENS[n / 10], n % 10);
            match u {
                0 => t.to_string(),
                1 => format!("{t} et un"),
                _ => format!("{t}-{}", UNITS[u]),
            }
        }
        70..=79 if n == 71 => "soixante et onze".to_string(),
        70..=79 => format!("soixante-{}", french(n - 60)),
        80 => "quatre-vingts".to_string(),
        81..=99 => format!("quatre-vingt-{}", french(n - 80)),
        100..=999 => {
            let (h, rest) = (n / 100, n % 100);
            let hundreds = match (h, rest) {
                (1, _) => "cent".to_string(),
                (_, 0) => format!("{} cents", UNITS[h]),
                _ => format!("{} cent", UNITS[h]),
            };
            if rest == 0 {
                hundreds
            } else {
                format!("{hundreds} {}", french(rest))
            }
        }
        _ => n.to_string(),
    }
}

/// A count a text states: its words ("10 exemples", "Dix exemples") and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stated {
    pub text: String,
    pub value: usize,
}

/// The counts `text` states: a number from 2 to 100, in digits or in French words, followed by
/// a plural noun ("10 exemples", "Dix exemples concrets"); placeholders are not counts.
pub fn stated_counts(text: &str) -> Vec<Stated> {
    let words: Vec<(usize, &str)> = super::word_spans(text, char::is_alphanumeric);
    let mut found = Vec::new();
    for pair in words.windows(2) {
        let [(start, number), (next_start, noun)] = [pair[0], pair[1]];
        let value = number
            .parse::<usize>()
            .ok()
            .or_else(|| (2..=100).find(|&n| french(n).eq_ignore_ascii_case(number)));
        let Some(value) = value.filter(|v| (2..=100).contains(v)) else {
            continue;
        };
        let gap = &text[start + number.len()..next_start];
        let plural = noun.len() > 2 && (noun.ends_with('s') || noun.ends_with('x'));
        if plural && gap.chars().all(char::is_whitespace) && !gap.is_empty() {
            found.push(Stated {
                text: text[start..next_start + noun.len()].to_string(),
                value,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers() {
        let cases = [
            (1, "un"),
            (10, "dix"),
            (11, "onze"),
            (17, "dix-sept"),
            (21, "vingt et un"),
            (22, "vingt-deux"),
            (70, "soixante-dix"),
            (71, "soixante et onze"),
            (77, "soixante-dix-sept"),
            (80, "quatre-vingts"),
            (81, "quatre-vingt-un"),
            (91, "quatre-vingt-onze"),
            (100, "cent"),
            (200, "deux cents"),
            (201, "deux cent un"),
            (1200, "1200"),
        ];
        for (n, words) in cases {
            assert_eq!(french(n), words, "{n}");
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("{nombre} exemples", 11), "11 exemples");
        assert_eq!(
            fill(
                "{Nombre en lettres} exemples, {nombre en lettres} villes",
                11
            ),
            "Onze exemples, onze villes"
        );
        assert_eq!(fill("Sans nombre", 3), "Sans nombre");
    }

    #[test]
    fn stated_counts_are_found() {
        let found = stated_counts("Dix exemples concrets et 10 exemples, 2 000 habitants");
        assert_eq!(
            found,
            [
                Stated {
                    text: "Dix exemples".into(),
                    value: 10
                },
                Stated {
                    text: "10 exemples".into(),
                    value: 10
                },
            ]
        );
        assert!(stated_counts("{nombre} exemples").is_empty());
        assert!(stated_counts("Deuxième édition, en 2024").is_empty());
    }
}
