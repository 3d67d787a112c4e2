//! The guard in front of every Rust parse: a linear, non-recursive scan of the source text that
//! refuses what would exhaust the parser's stack (delimiters or generic arguments nested deeper
//! than [`MAX_NESTING`]) and explains what the tokenizer would only call "cannot parse string into
//! token stream" (an unclosed or mismatched delimiter, an unterminated string or comment), with
//! the line it starts at. Pure: text in, verdict out.

/// Deepest nesting of `(`, `[`, `{` (and separately of generic `<`) a file may have. Real code
/// stays far below; hostile files with thousands of levels are refused instead of aborting.
pub(crate) const MAX_NESTING: usize = 256;

/// Why a file is refused before parsing, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Parses `text` as a Rust file after [`check`]: a refusal becomes a `syn::Error` whose message
/// carries the position (`line:column: ...`).
pub(crate) fn parse_file(text: &str) -> syn::Result<syn::File> {
    if let Err(refusal) = check(text) {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            refusal.to_string(),
        ));
    }
    syn::parse_file(text)
}

/// Checks nesting depth and lexical balance. `Ok` does not mean the file parses, only that parsing
/// it is safe and that a tokenizer error, if any, is not one of the kinds explained here.
pub(crate) fn check(text: &str) -> Result<(), Refusal> {
    let chars: Vec<char> = text.chars().collect();
    let mut scan = Scanner {
        chars: &chars,
        at: 0,
        line: 1,
        column: 1,
    };
    // Open delimiters: (char, line, column).
    let mut open: Vec<(char, usize, usize)> = Vec::new();
    let mut generics = 0usize;
    while let Some(c) = scan.peek(0) {
        let (line, column) = (scan.line, scan.column);
        match c {
            '/' if scan.peek(1) == Some('/') => scan.skip_line(),
            '/' if scan.peek(1) == Some('*') => {
                if !scan.skip_block_comment() {
                    return Err(refuse(
                        line,
                        column,
                        "unterminated block comment `/*`: add the closing `*/`",
                    ));
                }
            }
            '"' => {
                scan.bump();
                if !scan.skip_quoted('"') {
                    return Err(refuse(
                        line,
                        column,
                        "unterminated string literal: add the closing `\"`",
                    ));
                }
            }
            'r' | 'b' | 'c' if starts_raw_or_prefixed_string(&scan) => {
                if !scan.skip_prefixed_string() {
                    return Err(refuse(
                        line,
                        column,
                        "unterminated string literal: add the closing quote",
                    ));
                }
            }
            '\'' => scan.skip_char_or_lifetime(),
            '(' | '[' | '{' => {
                open.push((c, line, column));
                if open.len() > MAX_NESTING {
                    return Err(too_deep(line, column, "delimiters `(`, `[`, `{`"));
                }
                if c == '{' {
                    generics = 0;
                }
                scan.bump();
            }
            ')' | ']' | '}' => {
                let expected = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match open.pop() {
                    Some((opener, ..)) if opener == expected => {}
                    Some((opener, open_line, open_column)) => {
                        return Err(refuse(
                            line,
                            column,
                            &format!(
                                "`{c}` does not match the `{opener}` opened at {open_line}:{open_column}"
                            ),
                        ))
                    }
                    None => {
                        return Err(refuse(line, column, &format!("unexpected closing `{c}`: nothing is open here")))
                    }
                }
                if c == '}' {
                    generics = 0;
                }
                scan.bump();
            }
            '<' => {
                generics += 1;
                if generics > MAX_NESTING {
                    return Err(too_deep(line, column, "generic arguments `<`"));
                }
                scan.bump();
            }
            '>' => {
                let arrow = matches!(scan.before(), Some('-' | '='));
                if !arrow {
                    generics = generics.saturating_sub(1);
                }
                scan.bump();
            }
            ';' => {
                generics = 0;
                scan.bump();
            }
            _ => scan.bump(),
        }
    }
    match open.last() {
        Some(&(opener, line, column)) => Err(refuse(
            line,
            column,
            &format!("unclosed `{opener}`: the file ends before it is closed"),
        )),
        None => Ok(()),
    }
}

fn refuse(line: usize, column: usize, message: &str) -> Refusal {
    Refusal {
        line,
        column,
        message: message.to_owned(),
    }
}

fn too_deep(line: usize, column: usize, what: &str) -> Refusal {
    refuse(
        line,
        column,
        &format!(
            "nesting deeper than {MAX_NESTING} levels of {what}: driftgate refuses to parse it \
             (no real crate nests this deep; check the file for generated or hostile code)"
        ),
    )
}

/// `r"`, `r#"`, `b"`, `br"`, `br#"`, `c"`, `cr#"` (but not an identifier such as `bar` or `r#ident`).
fn starts_raw_or_prefixed_string(scan: &Scanner<'_>) -> bool {
    if scan
        .before()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
    {
        return false;
    }
    let mut i = 0;
    if matches!(scan.peek(0), Some('b' | 'c')) {
        i += 1;
    }
    if scan.peek(i) == Some('r') {
        i += 1;
        while scan.peek(i) == Some('#') {
            i += 1;
        }
        return scan.peek(i) == Some('"');
    }
    i > 0 && scan.peek(i) == Some('"')
}

struct Scanner<'a> {
    chars: &'a [char],
    at: usize,
    line: usize,
    column: usize,
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn before(&self) -> Option<char> {
        self.at.checked_sub(1).map(|i| self.chars[i])
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek(0) {
            self.at += 1;
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                break;
            }
            self.bump();
        }
    }

    /// Nested block comments, as Rust has them. `false` when the file ends inside one.
    fn skip_block_comment(&mut self) -> bool {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            if c == '/' && self.peek(1) == Some('*') {
                depth += 1;
                self.bump();
            } else if c == '*' && self.peek(1) == Some('/') {
                depth -= 1;
                self.bump();
                if depth == 0 {
                    self.bump();
                    return true;
                }
            }
            self.bump();
        }
        false
    }

    /// After the opening quote: up to and including the closing one, honouring backslash escapes.
    fn skip_quoted(&mut self, quote: char) -> bool {
        while let Some(c) = self.peek(0) {
            self.bump();
            if c == '\\' {
                self.bump();
            } else if c == quote {
                return true;
            }
        }
        false
    }

    /// At `r`, `b` or `c` of a prefixed or raw string literal.
    fn skip_prefixed_string(&mut self) -> bool {
        if matches!(self.peek(0), Some('b' | 'c')) {
            self.bump();
        }
        if self.peek(0) != Some('r') {
            self.bump(); // the opening quote
            return self.skip_quoted('"');
        }
        self.bump();
        let mut hashes = 0;
        while self.peek(0) == Some('#') {
            hashes += 1;
            self.bump();
        }
        self.bump(); // the opening quote
        while let Some(c) = self.peek(0) {
            self.bump();
            if c == '"' && (0..hashes).all(|i| self.peek(i) == Some('#')) {
                for _ in 0..hashes {
                    self.bump();
                }
                return true;
            }
        }
        false
    }

    /// `'a'`, `'\n'`, `'\u{1F600}'` are skipped whole; a lifetime `'a` only its quote.
    fn skip_char_or_lifetime(&mut self) {
        self.bump();
        match (self.peek(0), self.peek(1)) {
            (Some('\\'), _) => {
                let start = self.at;
                if !self.skip_quoted('\'') {
                    // Not a char literal after all: let the parser report it.
                    self.at = start;
                }
            }
            (Some(_), Some('\'')) => {
                self.bump();
                self.bump();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_code_passes() {
        let text = r####"
            //! doc with ( unbalanced [ in a comment
            /* nested /* block */ with { */
            pub fn f<'a, T: Into<Vec<Option<u8>>>>(x: &'a str) -> Result<(), ()> {
                let _ = "a string with ) and \" quote";
                let _ = r#"raw with "quotes" and ]"#;
                let _ = b'{'; let _ = '\''; let _ = '\u{7b}'; let _ = br"}";
                if 1 < 2 && 3 >= 2 { Ok(()) } else { Err(()) }
            }
        "####;
        assert_eq!(check(text), Ok(()));
        assert!(parse_file(text).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_with_its_position() {
        for text in [
            "mod m { ".repeat(2000) + &"}".repeat(2000),
            format!(
                "fn f() {{ let _ = {}1{}; }}",
                "(".repeat(3000),
                ")".repeat(3000)
            ),
            format!("type T = {}u8{};", "Vec<".repeat(1500), ">".repeat(1500)),
        ] {
            let refusal = check(&text).unwrap_err();
            assert!(
                refusal.message.contains("nesting deeper than 256"),
                "{refusal}"
            );
            assert_eq!(refusal.line, 1);
        }
    }

    #[test]
    fn lexical_errors_are_explained() {
        let unclosed = check("fn f() {\n    let x = (1;\n}\n").unwrap_err();
        assert_eq!((unclosed.line, unclosed.column), (3, 1), "{unclosed}");
        assert!(unclosed
            .message
            .contains("does not match the `(` opened at 2:13"));
        let string = check("fn f() {\n  let s = \"abc;\n}\n").unwrap_err();
        assert_eq!(string.line, 2);
        assert!(string.message.contains("unterminated string"));
        let comment = check("/* open").unwrap_err();
        assert!(comment.message.contains("unterminated block comment"));
        let eof = check("fn f() {").unwrap_err();
        assert!(eof.message.contains("unclosed `{`"), "{eof}");
    }
}
