//! Text shared by the release renderers (Markdown and HTML): the note on how bumps are read, and
//! HTML escaping (the Markdown page escapes the `<summary>` of its folded lists too). Pure.

/// How the bump made is read (both pages print it).
pub(crate) const SEMVER_NOTE: &str = "Bumps are read as cargo reads them: the leftmost non-zero component is the major version, so in 0.x.y a new x is breaking and a new y is the minor (additive) bump, and every 0.0.z is breaking.";

/// Text safe anywhere in HTML content and in quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_content_and_attributes() {
        assert_eq!(
            escape(r#"<script>alert('x')</script> & "q""#),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
