//! A fast reader of PDF content streams (ISO 32000-1, 7.8.2): the operators and their operands,
//! in order. lopdf's own parser (`lopdf::content::Content::decode`) builds the same
//! operations through parser combinators and takes about 30 ns a byte; copyfitting reads every
//! page of every pass, megabytes of content for a booklet, so this hand-written lexer does the
//! same job in a single scan, handing each operation to a visitor without collecting them. Its
//! operands are lopdf's `Object`s.
//!
//! Operands are numbers, names, strings (literal and hexadecimal), arrays and dictionaries;
//! `true`, `false` and `null`; inline images (`BI … ID data EI`) are skipped whole. Malformed
//! input never panics: an unknown byte is skipped, an unclosed string or array ends the stream.

use lopdf::{Dictionary, Object, StringFormat};

/// Calls `visit(operator, operands)` for every operation of `content`, in order. The operands'
/// buffer is reused from one operation to the next, so reading costs no allocation but the
/// operands' own (names, strings).
pub fn each(content: &[u8], mut visit: impl FnMut(&[u8], &[Object])) {
    let mut lexer = Lexer { s: content, i: 0 };
    let mut operands = Vec::new();
    while let Some(token) = lexer.next() {
        match token {
            Token::Object(o) => operands.push(o),
            Token::Operator(op) if op == b"BI" => {
                lexer.skip_inline_image();
                operands.clear();
            }
            Token::Operator(op) => {
                visit(op, &operands);
                operands.clear();
            }
            Token::Close => operands.clear(),
        }
    }
}

enum Token<'a> {
    Object(Object),
    Operator(&'a [u8]),
    /// A stray `]` or `>>` outside any array or dictionary.
    Close,
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delimiter(b)
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skips white space and comments.
    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.i += 1;
            } else if b == b'%' {
                while self.peek().is_some_and(|b| b != b'\n' && b != b'\r') {
                    self.i += 1;
                }
            } else {
                break;
            }
        }
    }

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            self.skip_space();
            let b = self.peek()?;
            let token = match b {
                b'/' => Some(Token::Object(Object::Name(self.name()))),
                b'(' => Some(Token::Object(self.literal()?)),
                b'[' => {
                    self.i += 1;
                    Some(Token::Object(Object::Array(self.until(b"]")?)))
                }
                b'<' if self.s.get(self.i + 1) == Some(&b'<') => {
                    self.i += 2;
                    Some(Token::Object(self.dictionary()?))
                }
                b'<' => Some(Token::Object(self.hex()?)),
                b']' => {
                    self.i += 1;
                    Some(Token::Close)
                }
                b'>' => {
                    self.i += if self.s.get(self.i + 1) == Some(&b'>') {
                        2
                    } else {
                        1
                    };
                    Some(Token::Close)
                }
                b'+' | b'-' | b'.' | b'0'..=b'9' => Some(Token::Object(self.number())),
                _ if is_regular(b) => {
                    let word = self.word();
                    Some(match word {
                        b"true" => Token::Object(Object::Boolean(true)),
                        b"false" => Token::Object(Object::Boolean(false)),
                        b"null" => Token::Object(Object::Null),
                        _ => Token::Operator(word),
                    })
                }
                _ => {
                    // `{`, `}` or a stray `)`: not content-stream syntax; skipped.
                    self.i += 1;
                    None
                }
            };
            if token.is_some() {
                return token;
            }
        }
    }

    /// The objects up to `close` (`]`, or `>>` for a dictionary); `None` if the stream ends.
    fn until(&mut self, close: &[u8]) -> Option<Vec<Object>> {
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.s[self.i..].starts_with(close) {
                self.i += close.len();
                return Some(items);
            }
            match self.next()? {
                Token::Object(o) => items.push(o),
                // An operator inside an array is malformed; a mismatched closer ends it.
                Token::Operator(_) => {}
                Token::Close => return Some(items),
            }
        }
    }

    fn dictionary(&mut self) -> Option<Object> {
        let items = self.until(b">>")?;
        let mut dict = Dictionary::new();
        let mut items = items.into_iter();
        while let (Some(key), Some(value)) = (items.next(), items.next()) {
            if let Object::Name(key) = key {
                dict.set(key, value);
            }
        }
        Some(Object::Dictionary(dict))
    }

    fn word(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.peek().is_some_and(is_regular) {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    /// A name after its `/`, with `#xx` escapes decoded.
    fn name(&mut self) -> Vec<u8> {
        self.i += 1;
        let raw = self.word();
        let mut out = Vec::with_capacity(raw.len());
        let mut k = 0;
        while k < raw.len() {
            if raw[k] == b'#'
                && let Some(v) = raw.get(k + 1..k + 3).and_then(hex_byte)
            {
                out.push(v);
                k += 3;
                continue;
            }
            out.push(raw[k]);
            k += 1;
        }
        out
    }

    fn number(&mut self) -> Object {
        let start = self.i;
        self.i += 1;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
        {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        match text.parse::<i64>() {
            Ok(n) => Object::Integer(n),
            Err(_) => Object::Real(text.parse::<f32>().unwrap_or(0.0)),
        }
    }

    /// A literal string `( … )`: balanced parentheses, backslash escapes (7.3.4.2).
    fn literal(&mut self) -> Option<Object> {
        self.i += 1;
        let mut out = Vec::new();
        let mut depth = 0usize;
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' if depth == 0 => break,
                b')' => {
                    depth -= 1;
                    out.push(b);
                }
                b'\\' => self.escape(&mut out)?,
                b'\r' => {
                    // An end of line in a string is a line feed, whatever it was written as.
                    if self.peek() == Some(b'\n') {
                        self.i += 1;
                    }
                    out.push(b'\n');
                }
                _ => out.push(b),
            }
        }
        Some(Object::String(out, StringFormat::Literal))
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let b = self.peek()?;
        self.i += 1;
        match b {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'0'..=b'7' => {
                let mut v = u32::from(b - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.i += 1;
                }
            }
            b'\n' => {}
            other => out.push(other),
        }
        Some(())
    }

    /// A hexadecimal string `< … >`; an odd last digit counts as followed by 0.
    fn hex(&mut self) -> Option<Object> {
        self.i += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let b = self.peek()?;
            self.i += 1;
            if b == b'>' {
                break;
            }
            let Some(v) = hex_digit(b) else { continue };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        Some(Object::String(out, StringFormat::Hexadecimal))
    }

    /// After `BI`: skips the image's parameters, `ID`, its data and `EI`.
    fn skip_inline_image(&mut self) {
        while self.i + 1 < self.s.len() {
            if self.s[self.i..].starts_with(b"ID")
                && self.s.get(self.i + 2).is_none_or(|&b| is_white(b))
            {
                self.i += 3;
                break;
            }
            self.i += 1;
        }
        // The data ends at `EI` standing alone between white space.
        while self.i + 2 <= self.s.len() {
            let alone_before = self.i == 0 || is_white(self.s[self.i - 1]);
            let alone_after = self.s.get(self.i + 2).is_none_or(|&b| !is_regular(b));
            if alone_before && alone_after && self.s[self.i..].starts_with(b"EI") {
                self.i += 2;
                return;
            }
            self.i += 1;
        }
        self.i = self.s.len();
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    Some(hex_digit(*pair.first()?)? << 4 | hex_digit(*pair.get(1)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::content::Content;

    /// Every operation, as (operator, operands).
    fn operations(content: &[u8]) -> Vec<(String, Vec<Object>)> {
        let mut out = Vec::new();
        each(content, |op, operands| {
            out.push((String::from_utf8_lossy(op).into_owned(), operands.to_vec()))
        });
        out
    }

    /// Reads `content` both ways and compares: the same operators with the same operands.
    fn same_as_lopdf(content: &[u8]) {
        let theirs = Content::decode(content)
            .map(|c| c.operations)
            .unwrap_or_default();
        let theirs: Vec<(String, Vec<Object>)> = theirs
            .into_iter()
            .map(|o| (o.operator, o.operands))
            .collect();
        assert_eq!(operations(content), theirs);
    }

    #[test]
    fn reads_text_operators_like_lopdf() {
        same_as_lopdf(
            b"q 1 0 0 -1 0 595.5 cm BT /F1 9.5 Tf 1 0 0 -1 36.2 48 Tm <0012003A> Tj \
              [(Ab\\(c\\)) -250 <00ff>] TJ 0 -11.4 Td (x\\101y) Tj T* ET Q",
        );
        same_as_lopdf(b"/P <</MCID 3 /Lang (fr)>> BDC 0.5 .25 -3 re f EMC");
        same_as_lopdf(b"% a comment\n/Name#20x 12 Tz true false null 3 0 d0");
    }

    #[test]
    fn skips_inline_images_and_survives_bad_input() {
        let ops = operations(b"BI /W 2 /H 1 /BPC 8 /CS /G ID \x00EI\xff EI Q (unclosed");
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].0, "Q");
        assert!(operations(b"[1 2 (x").is_empty());
        assert!(
            operations(b"<</A [ >> ] >> ) } q")
                .iter()
                .any(|o| o.0 == "q")
        );
    }
}
