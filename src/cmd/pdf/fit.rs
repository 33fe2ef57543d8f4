//! Copyfitting and the hyphenation rules that need the printed page: from what a print pass
//! measured, the layout the next pass prints. Pure: a pass's measurements in, a `PrintLayout`
//! out; the pass loop (`settle`) prints until a pass measures the layout it printed.
//!
//! - A sheet whose last page would hold less than a third of the text area is printed a few
//!   steps tighter, to take its last lines back, or looser, to fill its last page past a
//!   third, whichever needs fewer steps, within `FIT_STEPS` each way (the theme maps a step to
//!   line height, spacing and letter spacing). A short page of its own (not a fiche) instead
//!   continues the page before it when both fit there.
//! - Never three hyphenated lines in a row, and no hyphen on the last line of a page: the word
//!   that breaks the rule is printed whole.
//!
//! Each change only ever goes one way (steps grow, run-ons and whole words are only added), so
//! the passes converge; what cannot be fitted within the bounds is named.

use std::collections::BTreeMap;

use crate::render::layout::{FIT_STEPS, Numbers, PrintLayout};

use super::lines::Line;

/// A page must hold at least this share of its text area.
pub const MIN_FILL: f32 = 1.0 / 3.0;
/// What one step changes in a sheet's height, as a share of it (an estimate, on the low side:
/// 1.2 % of line height on every line, 8 % of the space between blocks).
const STEP_EFFECT: f32 = 0.02;
/// A loosened sheet aims its last page at this share, a little above `MIN_FILL`.
const LOOSE_TARGET: f32 = 0.38;
/// A page of its own aims a little lower: its whole text grows with each step.
const LOOSE_TARGET_ALONE: f32 = 0.35;
/// A run-on page needs this share of room above it on the page it joins.
const RUN_ON_GAP: f32 = 0.06;

/// One sheet of the print edition, in document order: a part divider, a fiche, a page or the
/// sommaire, by the id its first page carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub slug: String,
    pub kind: SheetKind,
    /// For the sommaire: its groups in order, each with its part's slug (`None` for entries
    /// outside parts) and its number of lines (entries, plus the part's title).
    pub groups: Vec<(Option<String>, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    /// Full-bleed, fixed: a part divider. Never measured.
    Fixed,
    /// Running text: a fiche.
    Text,
    /// The sommaire: running text that may also turn its page at a part.
    Sommaire,
    /// A page (presentation, contacts…): running text that may continue the page before it.
    Page,
}

/// What one print pass measured.
pub struct Pass<'a> {
    /// The page of every named destination.
    pub dests: &'a BTreeMap<String, u32>,
    /// The sommaire's numbers as measured.
    pub numbers: Numbers,
    /// Every page's set lines, page 1 first.
    pub pages: &'a [Vec<Line>],
    /// The text area's top and bottom, in points from the page top.
    pub band: (f32, f32),
}

/// The next pass's layout, what changed, and what could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub layout: PrintLayout,
    /// One line per change, for the progress report.
    pub changes: Vec<String>,
    /// Sheets with a page under a third full that no step can fix, with that page.
    pub unfitted: Vec<(String, u32, f32)>,
}

/// The pages of each sheet: `(first, last)`, 1-based. The cover is page 1 and the back
/// cover the last page; a sheet that runs on shares its first page with the sheet before.
fn spans(sheets: &[Sheet], pass: &Pass, printed: &PrintLayout) -> Option<Vec<(u32, u32)>> {
    let total = pass.pages.len() as u32;
    let starts: Vec<u32> = sheets
        .iter()
        .map(|s| pass.dests.get(&s.slug).copied())
        .collect::<Option<_>>()?;
    Some(
        (0..sheets.len())
            .map(|i| {
                let last = match sheets.get(i + 1) {
                    Some(next) if printed.runs_on(&next.slug) => starts[i + 1],
                    Some(_) => starts[i + 1].saturating_sub(1),
                    None => total.saturating_sub(1),
                };
                (starts[i], last.max(starts[i]))
            })
            .collect(),
    )
}

/// The share of the text area a page's text fills, from the band's top to its lowest
/// baseline (0 for a page without text in the band: running title and page number are
/// outside it).
pub fn fill(lines: &[Line], band: (f32, f32)) -> f32 {
    let (top, bottom) = band;
    let height = (bottom - top).max(1.0);
    body(lines, band)
        .map(|l| ((l.baseline - top) / height).clamp(0.0, 1.0))
        .fold(0.0, f32::max)
}

/// The lines of a page inside the text area.
fn body(lines: &[Line], band: (f32, f32)) -> impl Iterator<Item = &Line> {
    lines
        .iter()
        .filter(move |l| l.top >= band.0 - 3.0 && l.baseline <= band.1 + 3.0)
}

/// The layout the next pass prints, from what `pass` measured of the layout `printed`.
pub fn propose(sheets: &[Sheet], printed: &PrintLayout, pass: &Pass) -> Proposal {
    let mut next = printed.clone();
    next.numbers = pass.numbers.clone();
    let mut changes = Vec::new();
    let mut unfitted = Vec::new();
    let Some(spans) = spans(sheets, pass, printed) else {
        // A sheet without a destination: the pass loop reports the missing ids.
        return Proposal {
            layout: next,
            changes,
            unfitted,
        };
    };
    let fill_of = |page: u32| {
        pass.pages
            .get((page as usize).wrapping_sub(1))
            .map_or(1.0, |l| fill(l, pass.band))
    };
    // Pages each sheet is predicted to lose, for the numbers of the sheets after it.
    let mut lost = vec![0u32; sheets.len()];
    for (i, sheet) in sheets.iter().enumerate() {
        if sheet.kind == SheetKind::Fixed {
            continue;
        }
        let (first, last) = spans[i];
        // The sheet after this one continues its last page: that page is judged with it.
        if sheets.get(i + 1).is_some_and(|n| printed.runs_on(&n.slug)) {
            continue;
        }
        let tail = fill_of(last);
        if tail >= MIN_FILL {
            continue;
        }
        let pages = last - first + 1;
        let prev_changing = i.checked_sub(1).is_some_and(|b| {
            next.fit(&sheets[b].slug) != printed.fit(&sheets[b].slug)
                || next.runs_on(&sheets[b].slug) != printed.runs_on(&sheets[b].slug)
        });
        let action = decide(
            sheets,
            &spans,
            i,
            printed,
            tail,
            pages,
            prev_changing,
            &fill_of,
        );
        match action {
            Some(action) => lost[i] = apply(action, &sheet.slug, tail, &mut next, &mut changes),
            None => unfitted.push((sheet.slug.clone(), last, tail)),
        }
    }
    whole_words(sheets, &spans, printed, pass, &mut next, &mut changes);
    // Predict the numbers the changes give, so that the next pass can settle at once.
    predict(sheets, &lost, &mut next.numbers);
    Proposal {
        layout: next,
        changes,
        unfitted,
    }
}

/// Writes `action` into `next`, says what it does in `changes`; returns the pages the sheet
/// is expected to lose.
fn apply(
    action: Action,
    slug: &str,
    tail: f32,
    next: &mut PrintLayout,
    changes: &mut Vec<String>,
) -> u32 {
    let full = tail * 100.0;
    match action {
        Action::Step(step, loses) => {
            let way = if step < 0 { "tighter" } else { "looser" };
            changes.push(format!(
                "{slug}: last page {full:.0} % full, fitted {way} (step {step:+})"
            ));
            next.fits.insert(slug.to_string(), step);
            u32::from(loses)
        }
        Action::TocBreak(part) => {
            changes.push(format!(
                "{slug}: last page {full:.0} % full, turns its page before « {part} »"
            ));
            next.toc_breaks.insert(part);
            0
        }
        Action::RunOn => {
            changes.push(format!(
                "{slug}: {full:.0} % of a page, continues the page before it"
            ));
            next.run_on.insert(slug.to_string());
            1
        }
        Action::Wait => 0,
    }
}

/// The numbers after the sheets lose the pages `lost` predicts: each target moves back by
/// the pages lost before its sheet.
fn predict(sheets: &[Sheet], lost: &[u32], numbers: &mut Numbers) {
    if lost.iter().all(|&l| l == 0) {
        return;
    }
    let mut shift = 0;
    let mut by_slug = BTreeMap::new();
    for (sheet, lost) in sheets.iter().zip(lost) {
        by_slug.insert(sheet.slug.as_str(), shift);
        shift += lost;
    }
    for (slug, page) in numbers.iter_mut() {
        *page -= by_slug
            .get(slug.as_str())
            .copied()
            .unwrap_or(0)
            .min(page.saturating_sub(1));
    }
}

enum Action {
    /// Print the sheet at this step; `true` when it should lose its last page.
    Step(i8, bool),
    RunOn,
    /// Turn the sommaire's page before this part's group.
    TocBreak(String),
    /// Decide on the next pass, once the sheet before it has settled.
    Wait,
}

/// What to do with sheet `i`, whose last page is `tail` full over `pages` pages. A page runs
/// on only after a sheet this pass leaves as it is (its last page's room is then known).
#[allow(clippy::too_many_arguments)]
fn decide(
    sheets: &[Sheet],
    spans: &[(u32, u32)],
    i: usize,
    printed: &PrintLayout,
    tail: f32,
    pages: u32,
    prev_changing: bool,
    fill_of: &dyn Fn(u32) -> f32,
) -> Option<Action> {
    let sheet = &sheets[i];
    let current = printed.fit(&sheet.slug);
    if pages == 1 && sheet.kind == SheetKind::Page && current == 0 && prev_changing {
        return Some(Action::Wait);
    }
    if pages == 1 {
        let before = i.checked_sub(1).map(|b| (&sheets[b], spans[b]));
        if let Some((prev, (_, prev_last))) = before
            && sheet.kind == SheetKind::Page
            && prev.kind != SheetKind::Fixed
            && current == 0
            && !prev_changing
            && fill_of(prev_last) + tail + RUN_ON_GAP <= 0.97
        {
            return Some(Action::RunOn);
        }
    }
    // Content height in pages, and the steps each way would take.
    let height = (pages - 1) as f32 + tail;
    let steps = |share: f32| (share / STEP_EFFECT).ceil().max(1.0) as i8;
    let tighter = (pages > 1).then(|| steps((tail + 0.03) / height));
    let target = if pages == 1 {
        LOOSE_TARGET_ALONE
    } else {
        LOOSE_TARGET
    };
    let looser = steps((target - tail) / height);
    let step = match (current, tighter) {
        (c, _) if c > 0 => c + looser.min(FIT_STEPS - c).max(1),
        (c, Some(t)) if c < 0 => c - t.min(FIT_STEPS + c).max(1),
        (_, Some(t)) if t <= looser => -t,
        _ => looser,
    };
    // A sommaire the steps cannot bring back onto its pages turns its page at a part.
    if sheet.kind == SheetKind::Sommaire
        && pages == 2
        && (step < -FIT_STEPS || (current == -FIT_STEPS && step <= current))
        && let Some(part) = toc_break(&sheet.groups, height, printed)
    {
        return Some(Action::TocBreak(part));
    }
    if step.abs() > FIT_STEPS || step == current {
        // Already at the bound: try the bound once, then give up.
        let bound = step.signum() * FIT_STEPS;
        return (bound != current).then_some(Action::Step(bound, bound < 0));
    }
    Some(Action::Step(step, step < 0))
}

/// The part before which a two-page sommaire of `height` pages turns its page: the latest
/// one that leaves its second page more than a third full and its first page not over full,
/// estimated from the groups' lines. `None` when one already turns it, or none would do.
fn toc_break(
    groups: &[(Option<String>, usize)],
    height: f32,
    printed: &PrintLayout,
) -> Option<String> {
    if !printed.toc_breaks.is_empty() {
        return None;
    }
    let total: usize = groups.iter().map(|g| g.1).sum();
    let mut before = 0;
    let mut best = None;
    for (part, lines) in groups {
        let share_before = before as f32 / total.max(1) as f32 * height;
        let share_after = height - share_before;
        if let Some(part) = part
            && before > 0
            && share_after >= LOOSE_TARGET
            && share_before <= 0.92
        {
            best = Some(part.clone());
        }
        before += lines;
    }
    best
}

/// Words to print whole: the third of three hyphenated lines in a row, and a hyphen on a
/// page's last line when the sheet goes on overleaf.
fn whole_words(
    sheets: &[Sheet],
    spans: &[(u32, u32)],
    printed: &PrintLayout,
    pass: &Pass,
    next: &mut PrintLayout,
    changes: &mut Vec<String>,
) {
    for (i, sheet) in sheets.iter().enumerate() {
        if sheet.kind == SheetKind::Fixed {
            continue;
        }
        let (first, last) = spans[i];
        // The sheet's lines in order, each with whether it is its page's last.
        let mut lines: Vec<(&Line, bool)> = Vec::new();
        for page in first..=last {
            let Some(page_lines) = pass.pages.get((page as usize).wrapping_sub(1)) else {
                continue;
            };
            let body: Vec<&Line> = body(page_lines, pass.band).collect();
            let n = body.len();
            lines.extend(
                body.into_iter()
                    .enumerate()
                    .map(|(k, l)| (l, k + 1 == n && page < last)),
            );
        }
        let mut found = Vec::new();
        let mut run = 0;
        for (k, &(line, page_end)) in lines.iter().enumerate() {
            run = if line.ends_hyphenated() { run + 1 } else { 0 };
            let third = run >= 3;
            if (third || page_end)
                && line.ends_at_soft_hyphen()
                && let Some(word) = lines.get(k + 1).and_then(|(n, _)| broken_word(line, n))
            {
                found.push(word);
                run = 0;
            }
        }
        if found.is_empty() {
            continue;
        }
        let words = next.whole_words.entry(sheet.slug.clone()).or_default();
        for word in found {
            if words.insert(word.clone())
                && !printed
                    .whole_words(&sheet.slug)
                    .is_some_and(|w| w.contains(&word))
            {
                changes.push(format!("{}: « {word} » printed whole", sheet.slug));
            }
        }
    }
}

/// The word broken at the end of `line` and continued at the start of `next`.
fn broken_word(line: &Line, next: &Line) -> Option<String> {
    let head = line.text.trim_end().strip_suffix('-')?;
    let head: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic() || *c == '\u{ad}')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .filter(|&c| c != '\u{ad}')
        .collect();
    let tail: String = next
        .text
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '\u{ad}')
        .filter(|&c| c != '\u{ad}')
        .collect();
    (!head.is_empty() && !tail.is_empty()).then(|| head + &tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAND: (f32, f32) = (40.0, 540.0);

    fn line(baseline: f32, text: &str) -> Line {
        Line {
            baseline,
            top: baseline - 9.0,
            text: text.into(),
        }
    }

    /// A page whose text reaches `share` of the band, one line every 12.5 pt.
    fn page(share: f32) -> Vec<Line> {
        let mut out = vec![line(30.0, "Titre courant")];
        let mut y = BAND.0 + 10.0;
        while y <= BAND.0 + share * 500.0 {
            out.push(line(y, "du texte justifié"));
            y += 12.5;
        }
        out.push(line(560.0, "7"));
        out
    }

    fn sheets(kinds: &[(&str, SheetKind)]) -> Vec<Sheet> {
        kinds
            .iter()
            .map(|(s, k)| Sheet {
                slug: s.to_string(),
                kind: *k,
                groups: Vec::new(),
            })
            .collect()
    }

    fn dests(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn fill_ignores_the_running_title_and_the_page_number() {
        assert!(fill(&page(0.5), BAND) > 0.45 && fill(&page(0.5), BAND) <= 0.5);
        assert_eq!(fill(&[line(30.0, "titre"), line(560.0, "7")], BAND), 0.0);
    }

    #[test]
    fn a_few_lines_over_are_taken_back_and_the_numbers_follow() {
        let sheets = sheets(&[("a", SheetKind::Text), ("b", SheetKind::Text)]);
        // cover, a: 3 pages with a 7 % tail, b: 1 page, back cover.
        let pages = vec![vec![], page(1.0), page(1.0), page(0.07), page(0.9), vec![]];
        let d = dests(&[("a", 2), ("b", 5)]);
        let pass = Pass {
            dests: &d,
            numbers: dests(&[("a", 2), ("b", 5)]),
            pages: &pages,
            band: BAND,
        };
        let p = propose(&sheets, &PrintLayout::default(), &pass);
        let step = p.layout.fit("a");
        assert!((-FIT_STEPS..0).contains(&step), "{p:?}");
        assert_eq!(p.layout.fit("b"), 0);
        assert_eq!(p.layout.numbers, dests(&[("a", 2), ("b", 4)]));
        assert!(p.unfitted.is_empty());
        // A tail of a quarter is cheaper to fill than to take back.
        let pages = vec![vec![], page(1.0), page(1.0), page(0.25), page(0.9), vec![]];
        let pass = Pass {
            pages: &pages,
            ..pass
        };
        let p = propose(&sheets, &PrintLayout::default(), &pass);
        assert!(p.layout.fit("a") > 0, "{p:?}");
        assert_eq!(p.layout.numbers["b"], 5);
    }

    #[test]
    fn a_short_page_runs_on_and_a_stuck_sheet_is_named() {
        let sheets = sheets(&[("a", SheetKind::Text), ("contact", SheetKind::Page)]);
        let pages = vec![vec![], page(0.5), page(0.2), vec![]];
        let d = dests(&[("a", 2), ("contact", 3)]);
        let pass = Pass {
            dests: &d,
            numbers: Numbers::new(),
            pages: &pages,
            band: BAND,
        };
        let p = propose(&sheets, &PrintLayout::default(), &pass);
        assert!(p.layout.runs_on("contact"), "{p:?}");
        // At the bound, a sheet that still fails is named.
        let pages = vec![vec![], page(1.0), page(0.1), vec![]];
        let d = dests(&[("a", 2), ("contact", 5)]);
        let sheets2 = vec![Sheet {
            slug: "a".into(),
            kind: SheetKind::Text,
            groups: Vec::new(),
        }];
        let pass = Pass {
            dests: &d,
            numbers: Numbers::new(),
            pages: &pages,
            band: BAND,
        };
        let mut at_bound = PrintLayout::default();
        at_bound.fits.insert("a".into(), -FIT_STEPS);
        let p = propose(&sheets2, &at_bound, &pass);
        assert_eq!(
            p.unfitted,
            vec![("a".to_string(), 3, fill(&pages[2], BAND))]
        );
        assert_eq!(p.layout, at_bound);
    }

    #[test]
    fn a_sommaire_too_long_for_its_steps_turns_its_page_at_a_part() {
        let mut sheets = sheets(&[("sommaire", SheetKind::Sommaire)]);
        sheets[0].groups = vec![
            (None, 3),
            (Some("repenser".into()), 6),
            (Some("co-construire".into()), 8),
        ];
        // 1.16 pages: the steps cannot take back a sixth of a page.
        let pages = vec![vec![], page(1.0), page(0.16), vec![]];
        let d = dests(&[("sommaire", 2)]);
        let pass = Pass {
            dests: &d,
            numbers: Numbers::new(),
            pages: &pages,
            band: BAND,
        };
        let p = propose(&sheets, &PrintLayout::default(), &pass);
        assert!(p.layout.toc_breaks.contains("co-construire"), "{p:?}");
        assert_eq!(p.layout.fit("sommaire"), 0);
    }

    #[test]
    fn a_third_hyphen_in_a_row_and_a_hyphen_at_the_page_foot_keep_their_word_whole() {
        let sheets = sheets(&[("a", SheetKind::Text)]);
        let mut p2 = vec![
            line(50.0, "les mu\u{ad}ni\u{ad}ci\u{ad}-"),
            line(62.5, "pa\u{ad}li\u{ad}tés ac\u{ad}-"),
            line(75.0, "cueillent les ré\u{ad}fu\u{ad}-"),
            line(87.5, "giés et les as\u{ad}so\u{ad}-"),
            line(100.0, "ciations."),
        ];
        for k in 0..30 {
            p2.push(line(112.5 + k as f32 * 12.5, "texte"));
        }
        p2.push(line(537.0, "une der\u{ad}-"));
        let pages = vec![vec![], p2, vec![line(50.0, "nière ligne")], vec![]];
        let d = dests(&[("a", 2)]);
        let pass = Pass {
            dests: &d,
            numbers: Numbers::new(),
            pages: &pages,
            band: BAND,
        };
        let p = propose(&sheets, &PrintLayout::default(), &pass);
        let words: Vec<&String> = p.layout.whole_words["a"].iter().collect();
        assert_eq!(words, ["dernière", "réfugiés"], "{p:?}");
    }
}
