//! Small HTML helpers: escaping and a self-contained page with a readable print style.

/// Escapes text for HTML content and attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes `&`, `<` and `>` only: for text inside Markdown, which passes raw HTML through to the page
/// it becomes (so a `<script>` in a quote would run), while quotes and apostrophes stay readable.
#[must_use]
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
blockquote{margin:1rem 0 .25rem;padding:.25rem 1rem;border-left:4px solid #999;background:#f6f6f6}\
.cite{margin:0 0 .5rem 1rem;color:#444}.memo{margin:0 0 1rem 1rem;color:#555}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}\
td.n{text-align:right}";

/// A whole HTML page around `body` (already HTML).
#[must_use]
pub fn page(title: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert!(page("T&C", "<p>x</p>").contains("<h1>T&amp;C</h1>"));
        assert_eq!(
            escape_markdown("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"y\""
        );
    }
}
