//! Stylesheets: compiles and minifies the theme's CSS with lightningcss, turning its errors
//! into located diagnostics.

use std::path::Path;

use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};

use crate::error::Diagnostic;

/// Minifies one stylesheet. `path` names the theme file in errors.
pub fn compile(path: &Path, source: &str) -> Result<String, Diagnostic> {
    let located = |message: String, loc: Option<(u32, u32)>| {
        let mut d = Diagnostic::file(path, crate::message::ThemeMsg::Css(message));
        if let Some((line, col)) = loc {
            // lightningcss lines are 0-based, columns 1-based.
            d.line = line as usize + 1;
            d.col = col as usize;
            d.source_line = source.lines().nth(line as usize).map(str::to_string);
        }
        d
    };
    let options = ParserOptions {
        filename: path.display().to_string(),
        ..ParserOptions::default()
    };
    let mut sheet = StyleSheet::parse(source, options).map_err(|e| {
        let loc = e.loc.as_ref().map(|l| (l.line, l.column));
        located(e.kind.to_string(), loc)
    })?;
    sheet
        .minify(MinifyOptions::default())
        .map_err(|e| located(e.kind.to_string(), None))?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .map_err(|e| located(e.kind.to_string(), None))?;
    Ok(printed.code)
}

/// The top and bottom margins of a stylesheet's first `@page` rule without a selector, in
/// points: the text area `livret pdf` measures its pages against. `None` when the rule or
/// the lengths are missing (or not absolute).
pub fn page_margins(css: &str) -> Option<(f32, f32)> {
    use lightningcss::properties::Property;
    use lightningcss::rules::CssRule;
    use lightningcss::values::length::LengthPercentageOrAuto as L;
    use lightningcss::values::percentage::DimensionPercentage as D;
    let points = |v: &L| match v {
        // CSS pixels are 0.75 pt.
        L::LengthPercentage(D::Dimension(len)) => len.to_px().map(|px| px * 0.75),
        _ => None,
    };
    let sheet = StyleSheet::parse(css, ParserOptions::default()).ok()?;
    let page = sheet.rules.0.iter().find_map(|rule| match rule {
        CssRule::Page(page) if page.selectors.is_empty() => Some(page),
        _ => None,
    })?;
    let (mut top, mut bottom) = (None, None);
    for property in &page.declarations.declarations {
        match property {
            Property::Margin(m) => (top, bottom) = (points(&m.top), points(&m.bottom)),
            Property::MarginTop(t) => top = points(t),
            Property::MarginBottom(b) => bottom = points(b),
            _ => {}
        }
    }
    Some((top?, bottom?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minifies_and_keeps_page_rules() -> crate::error::TestResult {
        let css = compile(
            Path::new("print.css"),
            "@page { size: A5; margin: 10mm }\n@page :left { @bottom-left { content: counter(page) } }\nh1 { color: #ff0000 }\n",
        )?;
        assert!(css.contains("@page{size:A5"), "{css}");
        assert!(css.contains("counter(page)"), "{css}");
        assert!(css.contains("h1{color:red}"), "{css}");
        Ok(())
    }

    #[test]
    fn errors_are_located() {
        let d = compile(Path::new("x.css"), "a { color: red }\n}\n").unwrap_err();
        assert_eq!(d.path, Path::new("x.css"));
        assert!(d.line >= 1);
    }

    #[test]
    fn page_margins_read_the_page_rule() -> crate::error::TestResult {
        let css = "@page :left { margin: 1in } @page { size: A5; margin: 15mm 13mm 16mm; }";
        let (top, bottom) = page_margins(css).ok_or("no margins read")?;
        assert!((top - 42.52).abs() < 0.01, "{top}");
        assert!((bottom - 45.35).abs() < 0.01, "{bottom}");
        assert_eq!(page_margins("@page { margin-top: 10% }"), None);
        assert_eq!(page_margins("p { margin: 0 }"), None);
        Ok(())
    }
}
