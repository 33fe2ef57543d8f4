//! The print layout: what `livret pdf` measured and settled, which the print edition takes as
//! input — the sommaire's page numbers, each sheet's copyfitting step, the sheets that run on
//! after the one before them, and the words printed without their soft hyphens. A plain build
//! has none (`None`); the print passes fill it in until a pass prints what it measured.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The page of every sommaire target (a part's or an entry's slug).
pub type Numbers = BTreeMap<String, u32>;

/// The copyfitting steps a sheet may take each way: the theme maps a step to line height,
/// spacing and letter spacing (`.sheet[data-fit]` in print.css), within fixed bounds.
pub const FIT_STEPS: i8 = 4;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintLayout {
    /// The page of every sommaire target.
    pub numbers: Numbers,
    /// Each fitted sheet's step, by its slug: negative tightens, positive loosens, within
    /// ±`FIT_STEPS`. Sheets at 0 are absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fits: BTreeMap<String, i8>,
    /// Sheets (by slug) that continue the page of the sheet before them instead of starting
    /// a new one: a short page that would otherwise stand nearly empty.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub run_on: BTreeSet<String>,
    /// Sommaire groups (by their part's slug) that start a new page of a sommaire too long
    /// for one: a second page that holds whole parts rather than a few lines.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub toc_breaks: BTreeSet<String>,
    /// Words printed whole (without soft hyphens), by the slug of the sheet they are in: a
    /// third hyphenated line in a row, or a hyphen at the foot of a page.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub whole_words: BTreeMap<String, BTreeSet<String>>,
}

impl PrintLayout {
    /// The layout to render the print edition with: `None` while nothing is measured (the
    /// default layout, which the first pass prints: no numbers yet).
    pub fn measured(&self) -> Option<&PrintLayout> {
        (*self != PrintLayout::default()).then_some(self)
    }

    /// The copyfitting step of a sheet (0: as the theme sets it).
    pub fn fit(&self, slug: &str) -> i8 {
        self.fits.get(slug).copied().unwrap_or(0)
    }

    pub fn runs_on(&self, slug: &str) -> bool {
        self.run_on.contains(slug)
    }

    /// The words of a sheet that keep no soft hyphen.
    pub fn whole_words(&self, slug: &str) -> Option<&BTreeSet<String>> {
        self.whole_words.get(slug).filter(|w| !w.is_empty())
    }
}
