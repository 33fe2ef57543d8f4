//! The print passes: print, measure, print again until a pass measures the layout it printed.
//! A pass's measurements are the sommaire's page numbers (from named destinations) and each
//! page's set lines (`lines`), from which `fit` proposes the next layout: copyfitting steps,
//! run-on pages, words printed whole. The passes are bounded; when they run out, the error
//! names what kept moving.

use std::collections::BTreeMap;
use std::time::Instant;

use lopdf::Document;

use crate::error::{Error, Result};
use crate::render::{Numbers, PrintLayout};

use super::fit::{self, Proposal, Sheet};
use super::{inspect, lines};

/// The settled layout, the pass that printed it, and what could not be fitted.
#[derive(Debug)]
pub struct Settled {
    pub passes: usize,
    pub layout: PrintLayout,
    /// Sheets with a page under a third full that copyfitting could not fix: slug, page,
    /// share of the text area.
    pub unfitted: Vec<(String, u32, f32)>,
}

/// Prints until the layout settles. `print(pass, layout)` prints the booklet in `layout`
/// (nothing measured yet on the first pass) and returns the layout its measurements propose
/// (the printer keeps the PDF). Settled means a pass proposes exactly the
/// layout it printed; after `max_passes` without that, the error names what kept moving.
///
/// `recorded` is the layout an earlier `livret pdf` settled for this very print edition, with
/// the same browser and livret (`mod.rs`, like LaTeX's `.aux` file): the first pass prints it,
/// and when that pass proposes it again it is settled in one pass. Otherwise the passes start
/// again from nothing, as without a record. A record holds only what passes from nothing
/// settled for the same input, browser and binary (Chromium prints the same page the same
/// way), so starting from it gives the same PDF, once instead of three times.
pub fn settle(
    max_passes: usize,
    recorded: Option<PrintLayout>,
    mut print: impl FnMut(usize, &PrintLayout) -> Result<Proposal>,
    progress: &mut dyn FnMut(&str),
) -> Result<Settled> {
    let mut seeded = recorded.is_some();
    let mut layout = recorded.unwrap_or_default();
    let mut moving = Vec::new();
    let mut fresh_from = 1;
    for pass in 1..=max_passes + usize::from(seeded) {
        let t = Instant::now();
        let proposal = print(pass, &layout)?;
        let settled = proposal.layout == layout;
        let took = t.elapsed().as_millis();
        if std::mem::take(&mut seeded) {
            let what = match settled {
                true => "the recorded layout is settled",
                false => "the recorded layout moved: starting afresh",
            };
            progress(&format!("pass {pass}: printed in {took} ms, {what}"));
            if !settled {
                layout = PrintLayout::default();
                fresh_from = pass + 1;
                continue;
            }
        } else {
            let numbers_moved = moved(&layout.numbers, &proposal.layout.numbers);
            moving = numbers_moved.clone();
            moving.extend(proposal.changes.iter().cloned());
            let numbers = match (pass == fresh_from, numbers_moved.len()) {
                (true, _) => format!("{} sommaire targets located", proposal.layout.numbers.len()),
                (false, 0) => "sommaire page numbers settled".to_string(),
                (false, n) => format!("{n} sommaire page numbers moved"),
            };
            let fitting = match proposal.changes.len() {
                0 => String::new(),
                n => format!(", {n} copyfitting change{}", if n == 1 { "" } else { "s" }),
            };
            progress(&format!(
                "pass {pass}: printed in {took} ms, {numbers}{fitting}"
            ));
            for change in &proposal.changes {
                progress(&format!("  {change}"));
            }
        }
        if settled {
            report(&layout, &proposal.unfitted, progress);
            return Ok(Settled {
                passes: pass,
                layout,
                unfitted: proposal.unfitted,
            });
        }
        layout = proposal.layout;
    }
    Err(Error::other(format!(
        "the print layout did not settle after {max_passes} print passes: each pass moves \
         pages again ({}).",
        moving.join(", ")
    ))
    .with_help(
        "the theme must reserve room for the sommaire's numbers so that filling them in cannot \
         reflow it (see `.toc-page` in themes/default/css/print.css), and its copyfitting steps \
         must change the text's height (`.sheet[data-fit]`)",
    ))
}

/// The numbers that differ from the last pass's, as `#slug 7 → 8`.
fn moved(previous: &Numbers, measured: &Numbers) -> Vec<String> {
    if previous.is_empty() {
        return Vec::new();
    }
    measured
        .iter()
        .filter(|&(k, v)| previous.get(k) != Some(v))
        .map(|(k, v)| {
            let was = previous.get(k).map_or("?".into(), u32::to_string);
            format!("#{k} {was} → {v}")
        })
        .collect()
}

/// What copyfitting did, in one line, and what it could not do.
fn report(layout: &PrintLayout, unfitted: &[(String, u32, f32)], progress: &mut dyn FnMut(&str)) {
    let words: usize = layout.whole_words.values().map(|w| w.len()).sum();
    if !layout.fits.is_empty() || !layout.run_on.is_empty() || words > 0 {
        let fits: Vec<String> = layout
            .fits
            .iter()
            .map(|(slug, step)| format!("{slug} {step:+}"))
            .collect();
        progress(&format!(
            "copyfitting: {} sheet{} fitted{}, {} page{} run on, {words} word{} printed whole",
            fits.len(),
            if fits.len() == 1 { "" } else { "s" },
            if fits.is_empty() {
                String::new()
            } else {
                format!(" ({})", fits.join(", "))
            },
            layout.run_on.len(),
            if layout.run_on.len() == 1 { "" } else { "s" },
            if words == 1 { "" } else { "s" },
        ));
    }
    for (slug, page, share) in unfitted {
        progress(&format!(
            "could not fit {slug}: page {page} holds {:.0} % of a page (copyfitting's steps are \
             used up; shorten or lengthen its text by a few lines)",
            share * 100.0
        ));
    }
}

/// The top and bottom margins (points) of the print stylesheet that `out` holds: the text
/// area copyfitting measures against (`None`: no copyfitting).
pub fn text_area(out: &std::path::Path) -> Option<(f32, f32)> {
    let css = std::fs::read_to_string(out.join(crate::output::names::PRINT_STYLESHEET)).ok()?;
    crate::render::css::page_margins(&css)
}

/// What a printed pass is measured from: the booklet page of every named destination and
/// every page's set lines, page 1 first, with the pages' height (points). Read from each
/// chunk's PDF as it is printed (`chunks`), so a pass never parses the joined booklet.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub dests: BTreeMap<String, u32>,
    pub pages: Vec<Vec<lines::Line>>,
    pub height: f32,
}

impl Measured {
    /// Pages `skip..skip + count` of `doc`, as booklet pages `before + 1…`.
    pub fn of_pages(doc: &Document, skip: usize, count: usize, before: usize) -> Measured {
        let ids: Vec<_> = doc
            .get_pages()
            .into_values()
            .skip(skip)
            .take(count)
            .collect();
        let height_of = |page| {
            let media = inspect::media_box(doc, page).unwrap_or([0.0, 0.0, 0.0, 0.0]);
            media[3] - media[1]
        };
        let kept = (skip as u32 + 1)..=(skip + ids.len()) as u32;
        let dests = inspect::destinations(doc)
            .into_iter()
            .filter(|(_, page)| kept.contains(page))
            .map(|(name, page)| (name, page - skip as u32 + before as u32))
            .collect();
        Measured {
            dests,
            height: ids.last().copied().map_or(0.0, height_of),
            pages: lines::Reader::new(doc).pages(&ids, height_of),
        }
    }

    /// Every page of `doc`.
    pub fn of(doc: &Document) -> Measured {
        Measured::of_pages(doc, 0, usize::MAX, 0)
    }

    /// `next`'s pages after these, its destinations moved by `shift` pages (a chunk printed
    /// elsewhere than it falls); a name both define keeps its first page (as `merge`).
    pub fn append(&mut self, next: &Measured, shift: i64) {
        self.pages.extend(next.pages.iter().cloned());
        for (name, page) in &next.dests {
            let page = (i64::from(*page) + shift).max(1) as u32;
            self.dests.entry(name.clone()).or_insert(page);
        }
        if self.height == 0.0 {
            self.height = next.height;
        }
    }
}

/// Measures a printed pass: the page of every sommaire target and, when the print
/// stylesheet's text area is known (`margins`, top and bottom in points), copyfitting's
/// proposal.
pub fn measure(
    measured: &Measured,
    anchors: &[String],
    sheets: &[Sheet],
    printed: &PrintLayout,
    margins: Option<(f32, f32)>,
) -> Result<Proposal> {
    let numbers = numbers(&measured.dests, anchors)?;
    let Some((top, bottom)) = margins else {
        return Ok(Proposal {
            layout: PrintLayout {
                numbers,
                ..printed.clone()
            },
            changes: Vec::new(),
            unfitted: Vec::new(),
        });
    };
    let pass = fit::Pass {
        dests: &measured.dests,
        numbers,
        pages: &measured.pages,
        band: (top, measured.height - bottom),
    };
    Ok(fit::propose(sheets, printed, &pass))
}

/// The page of every sommaire target, from the PDF's named destinations.
pub fn numbers(dests: &BTreeMap<String, u32>, anchors: &[String]) -> Result<Numbers> {
    let mut out = BTreeMap::new();
    let mut missing = Vec::new();
    for anchor in anchors {
        match dests.get(anchor) {
            Some(&page) => {
                out.insert(anchor.clone(), page);
            }
            None => missing.push(format!("#{anchor}")),
        }
    }
    if !missing.is_empty() {
        return Err(Error::other(format!(
            "the printed PDF has no page for {}: the print edition must give these ids to the \
             elements its sommaire links to",
            missing.join(", ")
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(pairs: &[(&str, u32)]) -> Numbers {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn numbered(numbers: Numbers) -> PrintLayout {
        PrintLayout {
            numbers,
            ..PrintLayout::default()
        }
    }

    fn proposal(layout: PrintLayout, changes: &[&str]) -> Proposal {
        Proposal {
            layout,
            changes: changes.iter().map(|c| c.to_string()).collect(),
            unfitted: Vec::new(),
        }
    }

    #[test]
    fn settles_when_a_pass_measures_what_it_printed() -> crate::error::TestResult {
        let mut seen = Vec::new();
        let mut lines = Vec::new();
        let settled = settle(
            4,
            None,
            |pass, printed| {
                seen.push(printed.clone());
                // Writing the numbers in pushes one fiche a page further, once.
                let measured = if pass == 1 {
                    numbers(&[("a", 4), ("b", 7)])
                } else {
                    numbers(&[("a", 4), ("b", 8)])
                };
                Ok(proposal(numbered(measured), &[]))
            },
            &mut |l| lines.push(l.to_string()),
        )?;
        assert_eq!(settled.passes, 3);
        assert_eq!(settled.layout.numbers, numbers(&[("a", 4), ("b", 8)]));
        assert_eq!(seen[0], PrintLayout::default());
        assert_eq!(seen[1].numbers, numbers(&[("a", 4), ("b", 7)]));
        assert!(
            lines[1].contains("1 sommaire page numbers moved"),
            "{lines:?}"
        );
        assert!(lines[2].contains("settled"), "{lines:?}");
        Ok(())
    }

    /// A printer whose measurements settle on one layout, wherever it starts.
    fn settling_printer(printed: &PrintLayout) -> Proposal {
        let mut next = numbered(numbers(&[("a", 3)]));
        next.fits.insert("a".into(), -2);
        let changes: &[&str] = if printed.fit("a") == -2 {
            &[]
        } else {
            &["a: fitted tighter"]
        };
        proposal(next, changes)
    }

    #[test]
    fn a_recorded_layout_that_settles_is_printed_once() -> crate::error::TestResult {
        let fresh = settle(4, None, |_, p| Ok(settling_printer(p)), &mut |_| {})?;
        let mut lines = Vec::new();
        let mut seen = Vec::new();
        let seeded = settle(
            4,
            Some(fresh.layout.clone()),
            |_, p| {
                seen.push(p.clone());
                Ok(settling_printer(p))
            },
            &mut |l| lines.push(l.to_string()),
        )?;
        assert_eq!((fresh.passes, seeded.passes), (2, 1));
        assert_eq!(seeded.layout, fresh.layout);
        assert_eq!(seen, vec![fresh.layout]);
        assert!(lines[0].contains("recorded layout is settled"), "{lines:?}");
        Ok(())
    }

    #[test]
    fn a_recorded_layout_that_moves_is_dropped_for_a_fresh_start() -> crate::error::TestResult {
        let fresh = settle(4, None, |_, p| Ok(settling_printer(p)), &mut |_| {})?;
        let mut stale = fresh.layout.clone();
        stale.fits.insert("a".into(), 3);
        let mut seen = Vec::new();
        let mut lines = Vec::new();
        let seeded = settle(
            4,
            Some(stale.clone()),
            |_, p| {
                seen.push(p.clone());
                Ok(settling_printer(p))
            },
            &mut |l| lines.push(l.to_string()),
        )?;
        // The stale layout, then exactly the passes of a fresh start.
        assert_eq!(seen[0], stale);
        assert_eq!(seen[1], PrintLayout::default());
        assert_eq!(seeded.layout, fresh.layout);
        assert_eq!(seeded.passes, fresh.passes + 1);
        assert!(lines[0].contains("starting afresh"), "{lines:?}");
        assert!(lines[1].contains("sommaire targets located"), "{lines:?}");
        Ok(())
    }

    #[test]
    fn copyfitting_changes_need_another_pass_and_are_reported() -> crate::error::TestResult {
        let mut lines = Vec::new();
        let settled = settle(
            4,
            None,
            |pass, printed| {
                let mut next = numbered(numbers(&[("a", 3)]));
                next.fits.insert("a".into(), -2);
                let changes: &[&str] = if pass == 1 {
                    &["a: fitted tighter"]
                } else {
                    &[]
                };
                assert_eq!(printed.fit("a"), if pass == 1 { 0 } else { -2 });
                Ok(proposal(next, changes))
            },
            &mut |l| lines.push(l.to_string()),
        )?;
        assert_eq!(settled.passes, 2);
        assert!(lines[0].contains("1 copyfitting change"), "{lines:?}");
        assert!(
            lines.iter().any(|l| l.contains("1 sheet fitted (a -2)")),
            "{lines:?}"
        );
        Ok(())
    }

    #[test]
    fn layouts_that_never_settle_fail_loudly() {
        let err = settle(
            4,
            None,
            |pass, _| {
                let measured = numbers(&[("a", 4), ("b", 7 + pass as u32 % 2)]);
                Ok(proposal(numbered(measured), &[]))
            },
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("did not settle after 4 print passes"), "{err}");
        assert!(err.contains("#b 8 → 7"), "{err}");
        assert!(err.contains("help:"), "{err}");
    }

    #[test]
    fn a_printer_error_stops_the_passes() {
        let mut calls = 0;
        let err = settle(
            4,
            None,
            |_, _| {
                calls += 1;
                Err(Error::other("boom"))
            },
            &mut |_| {},
        )
        .unwrap_err();
        assert_eq!(calls, 1);
        assert_eq!(err.to_string(), "boom");
    }

    #[test]
    fn a_missing_target_is_named() {
        let dests = BTreeMap::from([("a".to_string(), 2)]);
        let err = super::numbers(&dests, &["a".into(), "b".into()]).unwrap_err();
        assert!(err.to_string().contains("#b"), "{err}");
    }
}
