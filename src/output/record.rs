//! The print record, `out/.livret-print.json`: what `livret pdf` settled (the sommaire's page
//! numbers today; whatever `build::build_print` receives) with the fingerprint of the print
//! edition it was settled for. A later `livret build` whose print edition has the same
//! fingerprint writes the same settled values into `print.html` again, so the browser's print
//! dialog shows what the PDF shows; a different fingerprint means the PDFs are stale
//! (`build::write_staged`).
//!
//! `livret pdf` itself starts from the record when it was settled for the same print edition
//! by the same browser and livret binary (`cmd::pdf::passes::settle`), as LaTeX starts from its
//! `.aux` file: an unchanged booklet is then printed once.
//!
//! The record is JSON (serde), generic over what was settled: one module reads and writes it,
//! whatever the passes come to settle. The fingerprint is a 128-bit FNV-1a of bytes, stable
//! across Rust versions and platforms (unlike `DefaultHasher`), so a record outlives a rebuilt
//! `livret` binary.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The file's format, bumped when its shape changes (an older record is then stale).
const FORMAT: u32 = 1;

/// What `livret pdf` recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record<T> {
    pub format: u32,
    /// The livret that printed it (informative: the fingerprint decides).
    pub livret: String,
    /// `Fingerprint::finish` of the print edition the values were settled for.
    pub fingerprint: String,
    /// The browser and the livret binary that settled them (`livret pdf` starts from the
    /// record only when both are the same again; a build ignores it).
    #[serde(default)]
    pub printer: String,
    /// What the print passes settled.
    pub settled: T,
}

impl<T: Serialize + DeserializeOwned> Record<T> {
    pub fn new(fingerprint: String, settled: T) -> Record<T> {
        Record {
            format: FORMAT,
            livret: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint,
            printer: String::new(),
            settled,
        }
    }

    /// The record, naming the browser and livret binary that settled it.
    pub fn printed_by(self, printer: String) -> Record<T> {
        Record { printer, ..self }
    }

    /// What it settled, when `printer` settled it (an empty `printer` never did: one that
    /// cannot be told apart from another).
    pub fn settled_by(self, printer: &str) -> Option<T> {
        (!printer.is_empty() && self.printer == printer).then_some(self.settled)
    }

    /// The file's bytes: pretty JSON, deterministic (maps are ordered), ending in a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// A record read back; `None` when it does not parse or is of another format (then the
    /// PDFs it described count as stale).
    pub fn parse(bytes: &[u8]) -> Option<Record<T>> {
        serde_json::from_slice::<Record<T>>(bytes)
            .ok()
            .filter(|r| r.format == FORMAT)
    }
}

/// A streaming 128-bit FNV-1a hash. Each piece is written with its length first, so
/// `("ab", "c")` and `("a", "bc")` differ.
#[derive(Debug, Clone)]
pub struct Fingerprint(u128);

impl Default for Fingerprint {
    fn default() -> Fingerprint {
        Fingerprint(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d)
    }
}

impl Fingerprint {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    /// Adds one piece (a file's name, its bytes).
    pub fn piece(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }

    /// Adds one piece given in parts (a file streamed out): `end_piece` closes it.
    pub fn stream(&mut self, bytes: &[u8]) {
        self.bytes(bytes);
    }

    /// Closes a streamed piece with its total length.
    pub fn end_piece(&mut self, len: u64) {
        self.bytes(&len.to_le_bytes());
    }

    pub fn finish(&self) -> String {
        format!("fnv1a128:{:032x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_record_reads_back_what_was_written() -> crate::error::TestResult {
        let numbers: BTreeMap<String, u32> = [("riace".to_string(), 7), ("a".to_string(), 3)]
            .into_iter()
            .collect();
        let record = Record::new("fnv1a128:00".into(), numbers.clone());
        let bytes = record.to_bytes();
        assert_eq!(bytes, record.to_bytes(), "deterministic");
        let back =
            Record::<BTreeMap<String, u32>>::parse(&bytes).ok_or("the record does not parse")?;
        assert_eq!(back.settled, numbers);
        assert_eq!(back, record);
        // Another shape or format is no record.
        assert!(Record::<BTreeMap<String, u32>>::parse(b"{}").is_none());
        let other = String::from_utf8(bytes)?.replace("\"format\": 1", "\"format\": 0");
        assert!(Record::<BTreeMap<String, u32>>::parse(other.as_bytes()).is_none());
        Ok(())
    }

    #[test]
    fn fingerprints_tell_pieces_apart() {
        let of = |pieces: &[&[u8]]| {
            let mut f = Fingerprint::default();
            for p in pieces {
                f.piece(p);
            }
            f.finish()
        };
        assert_eq!(of(&[b"ab", b"c"]), of(&[b"ab", b"c"]));
        assert_ne!(of(&[b"ab", b"c"]), of(&[b"a", b"bc"]));
        assert_ne!(of(&[b"page 1"]), of(&[b"page 2"]));
        // The published value of FNV-1a 128 for the empty input is its offset basis.
        assert_eq!(
            Fingerprint::default().finish(),
            "fnv1a128:6c62272e07bb014262b821756295c58d"
        );
    }
}
