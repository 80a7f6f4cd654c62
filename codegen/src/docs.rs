//! Conversion of spec `description` strings into warning-free rustdoc.
//!
//! The descriptions in OpenAI's OpenAPI document are CommonMark-ish prose
//! written for a web page, not for rustdoc. Used verbatim they trigger
//! rustdoc lints (`bare_urls`, `broken_intra_doc_links`, `invalid_html_tags`)
//! and, worse, indented or unlabelled code blocks become doctests that fail
//! to compile. [`doc_lines`] rewrites a description so that it renders
//! (nearly) the same but is safe to put in `#[doc]` attributes.

/// Code block languages kept as they are: rustdoc never compiles them.
///
/// Any other info string (none, `rust`, `ignore`, an unknown word, several
/// words, ...) is replaced by `text`.
const KEPT_LANGUAGES: &[&str] = &[
    "bash",
    "console",
    "css",
    "csv",
    "curl",
    "diff",
    "go",
    "graphql",
    "html",
    "http",
    "java",
    "javascript",
    "js",
    "json",
    "json5",
    "jsonc",
    "jsonl",
    "markdown",
    "md",
    "ndjson",
    "plaintext",
    "powershell",
    "py",
    "python",
    "sh",
    "shell",
    "sql",
    "text",
    "toml",
    "ts",
    "txt",
    "typescript",
    "xml",
    "yaml",
    "yml",
    "zsh",
];

/// Converts a spec `description` (CommonMark-ish) into rustdoc lines, one per `#[doc]` attribute, without the leading space (the caller adds `" "`).
///
/// The output never produces rustdoc warnings nor doctests:
/// - line endings are normalised, trailing whitespace and trailing
///   backslashes (markdown hard breaks) are removed, leading/trailing blank
///   lines are dropped and runs of blank lines collapse into one;
/// - outside fenced code, leading indentation is stripped (no indented code
///   blocks) and runs of spaces/tabs collapse into one space (outside code
///   spans);
/// - fenced code blocks keep their content verbatim; their language is kept
///   only when it is a known non-Rust language, otherwise it becomes `text`;
///   an unclosed fence is closed at the end;
/// - outside code, bare `http(s)://` URLs are wrapped in `<...>`, `[` and `]`
///   are escaped unless they form an inline link `[text](url)`, and `<` is
///   written `&lt;` unless it starts an autolink.
pub fn doc_lines(description: &str) -> Vec<String> {
    let text = description.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<OutLine> = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut fence: Option<Fence> = None;

    for raw in text.split('\n') {
        if let Some(open) = &fence {
            let content = open.content(raw);
            if open.is_closed_by(content) {
                lines.push(OutLine::code(open.marker()));
                fence = None;
            } else {
                lines.push(OutLine::code(content.trim_end().to_owned()));
            }
            continue;
        }
        let line = raw.trim_start_matches([' ', '\t']).trim_end();
        if let Some((open, prefix, info)) = Fence::open(raw) {
            flush_paragraph(&mut paragraph, &mut lines);
            if !prefix.is_empty() {
                lines.push(OutLine::prose(prefix));
            }
            lines.push(OutLine::code(format!(
                "{}{}",
                open.marker(),
                code_language(&info)
            )));
            fence = Some(open);
        } else if line.is_empty() {
            flush_paragraph(&mut paragraph, &mut lines);
            lines.push(OutLine::prose(String::new()));
        } else {
            if starts_block(line) {
                flush_paragraph(&mut paragraph, &mut lines);
            }
            paragraph.push(line);
        }
    }
    flush_paragraph(&mut paragraph, &mut lines);
    if let Some(open) = fence {
        while lines.last().is_some_and(|l| l.text.is_empty()) {
            lines.pop();
        }
        lines.push(OutLine::code(open.marker()));
    }

    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        let blank_prose = !line.code && line.text.is_empty();
        if blank_prose && out.last().is_none_or(String::is_empty) {
            continue;
        }
        out.push(line.text);
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// One output line, remembering whether it belongs to a fenced code block
/// (blank lines there are content and must not be collapsed).
struct OutLine {
    text: String,
    code: bool,
}

impl OutLine {
    fn prose(text: String) -> Self {
        Self { text, code: false }
    }

    fn code(text: String) -> Self {
        Self { text, code: true }
    }
}

/// Renders the pending prose lines (already trimmed) as one inline unit, so
/// that code spans and link texts may span several lines, then splits the
/// result back into lines.
fn flush_paragraph(paragraph: &mut Vec<&str>, lines: &mut Vec<OutLine>) {
    if paragraph.is_empty() {
        return;
    }
    // Lines continuing a list item are indented under its text, so that
    // markdown (and clippy's `doc_lazy_continuation`) see them as part of it.
    let continuation = list_marker_len(paragraph[0]).map_or(0, |marker| marker + 1);
    let chars: Vec<char> = paragraph.join("\n").chars().collect();
    paragraph.clear();
    let mut rendered = String::with_capacity(chars.len() + 16);
    render_inline(&chars, false, &mut rendered);
    for (index, line) in rendered.split('\n').enumerate() {
        let mut line = line.trim_end();
        // A trailing backslash is a hard line break in markdown.
        while let Some(stripped) = line.strip_suffix('\\') {
            line = stripped.trim_end();
        }
        let indent = if index > 0 && !line.is_empty() {
            continuation
        } else {
            0
        };
        lines.push(OutLine::prose(format!("{:indent$}{line}", "")));
    }
}

/// Whether a trimmed prose line starts a new block (list item, heading or
/// block quote), which ends the current inline unit.
fn starts_block(line: &str) -> bool {
    line.starts_with('#') || line.starts_with('>') || list_marker_len(line).is_some()
}

/// Length in bytes of the list marker (`-`, `*`, `+`, `1.`, `1)`) at the
/// start of `line`, when it is followed by a space, a tab or the line end.
fn list_marker_len(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let marker = match bytes.first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 9 || !matches!(bytes.get(digits), Some(b'.' | b')')) {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    match bytes.get(marker) {
        None | Some(b' ' | b'\t') => Some(marker),
        Some(_) => None,
    }
}

/// An open fenced code block.
struct Fence {
    /// `` ` `` or `~`.
    ch: char,
    /// Number of fence characters of the opening fence.
    len: usize,
    /// Number of `>` block quote markers before the opening fence.
    quotes: usize,
    /// Indentation of the opening fence after its block quote markers; as
    /// much is removed from the content lines.
    indent: usize,
}

impl Fence {
    /// Recognises an opening fence, possibly inside list items or block
    /// quotes (their markers are returned, normalised, as the prefix, without
    /// `>` markers), and returns it with its info string.
    fn open(raw: &str) -> Option<(Self, String, String)> {
        let mut pos = 0;
        let mut quotes = 0;
        let mut after_quotes = 0;
        let mut prefix = String::new();
        loop {
            pos += leading_blanks(&raw[pos..]);
            let rest = &raw[pos..];
            if rest.starts_with('>') {
                quotes += 1;
                pos += 1;
                if raw[pos..].starts_with(' ') {
                    pos += 1;
                }
                after_quotes = pos;
            } else if let Some(marker) = list_marker_len(rest) {
                if !prefix.is_empty() {
                    prefix.push(' ');
                }
                prefix.push_str(&rest[..marker]);
                pos += marker;
            } else {
                break;
            }
        }
        let rest = &raw[pos..];
        let ch = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
        let len = rest.chars().take_while(|&c| c == ch).count();
        if len < 3 {
            return None;
        }
        let info = rest[len..].trim();
        if ch == '`' && info.contains('`') {
            return None;
        }
        let fence = Self {
            ch,
            len,
            quotes,
            indent: pos - after_quotes,
        };
        Some((fence, prefix, info.to_owned()))
    }

    /// The fence line (without info string) that opens or closes this block.
    fn marker(&self) -> String {
        std::iter::repeat_n(self.ch, self.len).collect()
    }

    /// A content line with the block quote markers and the indentation of
    /// the opening fence removed.
    fn content<'a>(&self, raw: &'a str) -> &'a str {
        let mut line = raw;
        for _ in 0..self.quotes {
            match line.trim_start_matches([' ', '\t']).strip_prefix('>') {
                Some(rest) => line = rest.strip_prefix(' ').unwrap_or(rest),
                None => break,
            }
        }
        let blanks = leading_blanks(line).min(self.indent);
        &line[blanks..]
    }

    /// Whether `content` (see [`Fence::content`]) closes this block.
    fn is_closed_by(&self, content: &str) -> bool {
        let line = content.trim();
        let run = line.chars().take_while(|&c| c == self.ch).count();
        run >= self.len && line[run * self.ch.len_utf8()..].trim().is_empty()
    }
}

/// Number of leading spaces and tabs (bytes) of `s`.
fn leading_blanks(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// The info string to write after an opening fence.
fn code_language(info: &str) -> &'static str {
    let lower = info.to_ascii_lowercase();
    KEPT_LANGUAGES
        .iter()
        .find(|lang| **lang == lower)
        .copied()
        .unwrap_or("text")
}

/// Renders inline markdown `src` into `out`, escaping what rustdoc would warn
/// about. `in_link` is set inside the text of a link, where no other link
/// (nor autolink) may start.
fn render_inline(src: &[char], in_link: bool, out: &mut String) {
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        match c {
            '\\' => match src.get(i + 1) {
                Some(&next) if next.is_ascii_punctuation() => {
                    out.push(c);
                    out.push(next);
                    i += 2;
                }
                _ => {
                    out.push(c);
                    i += 1;
                }
            },
            '`' => {
                let run = run_len(src, i, '`');
                let end = code_span_end(src, i, run).unwrap_or(i + run);
                out.extend(&src[i..end]);
                i = end;
            }
            '[' => match (!in_link).then(|| inline_link(src, i)).flatten() {
                Some(link) => {
                    out.push('[');
                    render_inline(&src[i + 1..link.text_end], true, out);
                    out.extend(&src[link.text_end..link.end]);
                    i = link.end;
                }
                None => {
                    out.push_str("\\[");
                    i += 1;
                }
            },
            ']' => {
                out.push_str("\\]");
                i += 1;
            }
            '<' => match (!in_link).then(|| autolink_end(src, i)).flatten() {
                Some(end) => {
                    out.extend(&src[i..end]);
                    i = end;
                }
                None => {
                    out.push_str("&lt;");
                    i += 1;
                }
            },
            ' ' | '\t' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
                i += 1;
            }
            'h' => match (!in_link).then(|| bare_url_end(src, i)).flatten() {
                Some(end) => {
                    out.push('<');
                    out.extend(&src[i..end]);
                    out.push('>');
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            },
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
}

/// Number of consecutive `ch` starting at `start`.
fn run_len(src: &[char], start: usize, ch: char) -> usize {
    src[start..].iter().take_while(|&&c| c == ch).count()
}

/// End (exclusive) of the code span opened by the `run` backticks at
/// `start`, if a closing run of exactly the same length exists.
fn code_span_end(src: &[char], start: usize, run: usize) -> Option<usize> {
    let mut j = start + run;
    while j < src.len() {
        if src[j] == '`' {
            let closing = run_len(src, j, '`');
            if closing == run {
                return Some(j + closing);
            }
            j += closing;
        } else {
            j += 1;
        }
    }
    None
}

/// Positions of an inline link `[text](destination "title")`.
struct InlineLink {
    /// Index of the `]` closing the link text.
    text_end: usize,
    /// Index just after the closing `)`.
    end: usize,
}

/// Recognises an inline link starting at the `[` at `start`. Links whose
/// destination rustdoc would try to resolve as an intra-doc link (it looks
/// like a Rust path) are rejected, so their brackets get escaped.
fn inline_link(src: &[char], start: usize) -> Option<InlineLink> {
    let text_end = matching_bracket(src, start)?;
    if src.get(text_end + 1) != Some(&'(') {
        return None;
    }
    let mut j = skip_blanks(src, text_end + 2);
    let destination: String;
    if src.get(j) == Some(&'<') {
        let close = j
            + 1
            + src[j + 1..]
                .iter()
                .position(|&c| matches!(c, '>' | '<' | '\n'))?;
        if src[close] != '>' {
            return None;
        }
        destination = src[j + 1..close].iter().collect();
        j = close + 1;
    } else {
        let dest_start = j;
        let mut depth = 0usize;
        while let Some(&c) = src.get(j) {
            match c {
                '\\' => j += 1,
                '(' => depth += 1,
                ')' if depth == 0 => break,
                ')' => depth -= 1,
                c if c.is_whitespace() || c.is_control() => break,
                _ => {}
            }
            j += 1;
        }
        destination = src[dest_start..j.min(src.len())].iter().collect();
    }
    j = skip_blanks(src, j);
    if let Some(&quote @ ('"' | '\'')) = src.get(j) {
        j += 1;
        while let Some(&c) = src.get(j) {
            if c == '\\' {
                j += 1;
            } else if c == quote {
                break;
            }
            j += 1;
        }
        j = skip_blanks(src, j + 1);
    }
    if src.get(j) != Some(&')') || !is_plain_link_destination(&destination) {
        return None;
    }
    Some(InlineLink {
        text_end,
        end: j + 1,
    })
}

/// Index of the `]` matching the `[` at `start`, skipping escapes and code
/// spans.
fn matching_bracket(src: &[char], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = start;
    while j < src.len() {
        match src[j] {
            '\\' => j += 1,
            '`' => {
                let run = run_len(src, j, '`');
                j = code_span_end(src, j, run).unwrap_or(j + run);
                continue;
            }
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// Index of the first character at or after `j` that is not a space or tab.
fn skip_blanks(src: &[char], mut j: usize) -> usize {
    while matches!(src.get(j), Some(' ' | '\t')) {
        j += 1;
    }
    j
}

/// Whether rustdoc leaves a link destination alone (an URL, a relative path,
/// a page anchor) instead of resolving it as an intra-doc link.
fn is_plain_link_destination(destination: &str) -> bool {
    if destination.is_empty() || destination.contains('/') {
        return true;
    }
    let mut parts = destination.split('#');
    let path = parts.next().unwrap_or_default().trim();
    if path.is_empty() {
        return true;
    }
    if parts.count() > 1 {
        return false;
    }
    // Mirrors rustdoc's `should_ignore_link`: anything but these characters
    // means "not a Rust path".
    path.chars()
        .any(|c| !(c.is_alphanumeric() || ":_<>, !*&;@()".contains(c)))
}

/// End (exclusive) of the CommonMark autolink (`<scheme:...>` or
/// `<user@host>`) starting at the `<` at `start`.
fn autolink_end(src: &[char], start: usize) -> Option<usize> {
    let body = &src[start + 1..];
    let close = body.iter().position(|&c| c == '>')?;
    let inner = &body[..close];
    let end = start + 1 + close + 1;
    // URI autolink: scheme of 2 to 32 characters, `:`, no spaces, `<` or controls.
    if let Some(colon) = inner.iter().position(|&c| c == ':') {
        let scheme = &inner[..colon];
        let scheme_ok = (2..=32).contains(&scheme.len())
            && scheme[0].is_ascii_alphabetic()
            && scheme
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
        let rest_ok = inner[colon + 1..]
            .iter()
            .all(|&c| !(c.is_ascii_control() || c == ' ' || c == '<'));
        if scheme_ok && rest_ok {
            return Some(end);
        }
    }
    // Email autolink.
    let at = inner.iter().position(|&c| c == '@')?;
    let local_ok = at > 0
        && inner[..at]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let domain = &inner[at + 1..];
    let domain_ok = !domain.is_empty()
        && domain
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        && domain.first().is_some_and(char::is_ascii_alphanumeric)
        && domain.last().is_some_and(char::is_ascii_alphanumeric);
    (local_ok && domain_ok).then_some(end)
}

/// End (exclusive) of the bare `http://` or `https://` URL starting at
/// `start`, without trailing punctuation that belongs to the sentence.
fn bare_url_end(src: &[char], start: usize) -> Option<usize> {
    let starts_with = |prefix: &str| {
        prefix
            .chars()
            .enumerate()
            .all(|(k, p)| src.get(start + k) == Some(&p))
    };
    let scheme_len = if starts_with("https://") {
        8
    } else if starts_with("http://") {
        7
    } else {
        return None;
    };
    let mut end = start + scheme_len;
    while let Some(&c) = src.get(end) {
        if c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '`' | '"' | '|' | '\\') {
            break;
        }
        end += 1;
    }
    // Trailing punctuation and unbalanced closing brackets belong to the prose.
    while end > start + scheme_len {
        let last = src[end - 1];
        let url = &src[start..end];
        let count = |ch: char| url.iter().filter(|&&c| c == ch).count();
        let unbalanced = match last {
            ')' => count(')') > count('('),
            ']' => count(']') > count('['),
            '}' => count('}') > count('{'),
            _ => false,
        };
        let sentence_punctuation = matches!(
            last,
            '.' | ',' | ':' | ';' | '!' | '?' | '*' | '\'' | '_' | '~'
        );
        if !(sentence_punctuation || unbalanced) {
            break;
        }
        end -= 1;
    }
    let host_ok = src[start + scheme_len..end]
        .first()
        .is_some_and(|c| c.is_alphanumeric());
    host_ok.then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &str) -> Vec<String> {
        doc_lines(input)
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(lines("The event type."), ["The event type."]);
    }

    #[test]
    fn line_endings_and_trailing_whitespace() {
        assert_eq!(lines("a  \r\nb\t\rc \n"), ["a", "b", "c"]);
    }

    #[test]
    fn spaces_and_tabs_collapse_in_prose() {
        assert_eq!(
            lines("two  spaces\tand\t\ttabs  `keep  code`"),
            ["two spaces and tabs `keep  code`"]
        );
    }

    #[test]
    fn blank_lines_are_trimmed_and_collapsed() {
        assert_eq!(
            lines("\n \n first\n\n\n \nsecond\n\n\n"),
            ["first", "", "second"]
        );
        assert!(lines(" \n\t\n").is_empty());
        assert!(lines("").is_empty());
    }

    #[test]
    fn leading_indentation_is_stripped() {
        assert_eq!(
            lines("Intro:\n    indented code?\n\tand tab\n  - item\n      continued"),
            [
                "Intro:",
                "indented code?",
                "and tab",
                "- item",
                "  continued"
            ]
        );
    }

    #[test]
    fn list_markers_are_kept_and_not_code() {
        assert_eq!(
            lines("Cases:\n- one\n*   two\n1.     three\n>     quoted"),
            ["Cases:", "- one", "* two", "1. three", "> quoted"]
        );
    }

    #[test]
    fn fenced_code_is_verbatim() {
        assert_eq!(
            lines("Example:\n  ```json\n  {\n      \"a\":  [1]\n  }\n\n\n  ```\nafter"),
            [
                "Example:",
                "```json",
                "{",
                "    \"a\":  [1]",
                "}",
                "",
                "",
                "```",
                "after"
            ]
        );
    }

    #[test]
    fn fence_without_language_becomes_text() {
        assert_eq!(
            lines("```\nlet x = 1;\n```"),
            ["```text", "let x = 1;", "```"]
        );
    }

    #[test]
    fn rust_and_unknown_fences_become_text() {
        assert_eq!(lines("```rust\nfn main() {}\n```")[0], "```text");
        assert_eq!(lines("```rust,ignore\nx\n```")[0], "```text");
        assert_eq!(lines("```no_run\nx\n```")[0], "```text");
        assert_eq!(lines("```json rust\nx\n```")[0], "```text");
        assert_eq!(lines("~~~foo\nx\n~~~")[0], "~~~text");
    }

    #[test]
    fn known_language_fences_are_kept() {
        for lang in [
            "json",
            "python",
            "bash",
            "javascript",
            "shell",
            "sh",
            "http",
            "text",
        ] {
            let out = lines(&format!("```{lang}\nx\n```"));
            assert_eq!(out, [format!("```{lang}"), "x".into(), "```".into()]);
        }
        assert_eq!(lines("```JSON\nx\n```")[0], "```json");
    }

    #[test]
    fn unclosed_fence_is_closed() {
        assert_eq!(
            lines("Example:\n```python\nprint('hi')\n\n"),
            ["Example:", "```python", "print('hi')", "```"]
        );
    }

    #[test]
    fn longer_fences_and_tildes() {
        assert_eq!(
            lines("````\n```\ninner\n```\n````"),
            ["````text", "```", "inner", "```", "````"]
        );
        assert_eq!(lines("~~~json\n```\n~~~"), ["~~~json", "```", "~~~"]);
    }

    #[test]
    fn fence_in_list_item_is_lifted_out() {
        assert_eq!(
            lines("- Example:\n- ```\n  code\n  ```"),
            ["- Example:", "-", "```text", "code", "```"]
        );
        assert_eq!(
            lines("> ```rust\n> let x = 1;\n> ```"),
            ["```text", "let x = 1;", "```"]
        );
    }

    #[test]
    fn bare_urls_are_wrapped() {
        assert_eq!(
            lines(
                "See https://platform.openai.com/docs. Or http://x.io/a_(b), then (https://y.io)."
            ),
            [
                "See <https://platform.openai.com/docs>. Or <http://x.io/a_(b)>, then (<https://y.io>)."
            ]
        );
    }

    #[test]
    fn bare_url_with_brackets_and_query() {
        assert_eq!(
            lines("Use https://a.io/x?y=[1]&z={2} or [https://b.io] or {https://c.io}."),
            ["Use <https://a.io/x?y=[1]&z={2}> or \\[<https://b.io>\\] or {<https://c.io>}."]
        );
        assert_eq!(
            lines("not URLs: HTTPS://UPPER.IO www.a.io https:// https://."),
            ["not URLs: HTTPS://UPPER.IO www.a.io https:// https://."]
        );
    }

    #[test]
    fn existing_links_and_autolinks_are_kept() {
        let input = "The [Traces Dashboard](https://platform.openai.com/logs?api=traces) and <https://example.com/a> and <me@example.com>.";
        assert_eq!(lines(input), [input]);
        let relative = "[Learn more](/docs/guides/realtime#events).";
        assert_eq!(lines(relative), [relative]);
        let code_text = "a [`create client secret`](/docs/api-reference/create) call";
        assert_eq!(lines(code_text), [code_text]);
        let titled = "[x](https://a.io \"Title\")";
        assert_eq!(lines(titled), [titled]);
    }

    #[test]
    fn link_spanning_lines_is_kept() {
        assert_eq!(
            lines("through [the /audio/transcriptions\nendpoint](https://a.io/x) runs"),
            [
                "through [the /audio/transcriptions",
                "endpoint](https://a.io/x) runs"
            ]
        );
    }

    #[test]
    fn urls_in_code_and_link_text_are_not_wrapped() {
        assert_eq!(
            lines("`https://a.io` and [https://a.io](https://a.io)"),
            ["`https://a.io` and [https://a.io](https://a.io)"]
        );
    }

    #[test]
    fn brackets_are_escaped_outside_links() {
        assert_eq!(
            lines("limited to [0.6, 1.2]. Set this to [\"text\"] or [Foo] or [a][b]."),
            [
                "limited to \\[0.6, 1.2\\]. Set this to \\[\"text\"\\] or \\[Foo\\] or \\[a\\]\\[b\\]."
            ]
        );
        assert_eq!(lines("`[\"audio\"]`"), ["`[\"audio\"]`"]);
        assert_eq!(lines("already \\[escaped\\]"), ["already \\[escaped\\]"]);
    }

    #[test]
    fn links_that_look_like_rust_paths_are_escaped() {
        assert_eq!(lines("[Foo](Foo)"), ["\\[Foo\\](Foo)"]);
        assert_eq!(lines("[x](a#b#c)"), ["\\[x\\](a#b#c)"]);
        assert_eq!(lines("[x](#anchor)"), ["[x](#anchor)"]);
    }

    #[test]
    fn html_like_angle_brackets_are_escaped() {
        assert_eq!(lines("<voice>"), ["&lt;voice>"]);
        assert_eq!(lines("a <b> c"), ["a &lt;b> c"]);
        assert_eq!(lines("List<String>"), ["List&lt;String>"]);
        assert_eq!(lines("x < y and `Vec<u8>`"), ["x &lt; y and `Vec<u8>`"]);
        assert_eq!(lines("<br/> <!-- c -->"), ["&lt;br/> &lt;!-- c -->"]);
    }

    #[test]
    fn trailing_backslash_is_removed() {
        assert_eq!(
            lines("hard break\\\nnext \\\\\nlast\\"),
            ["hard break", "next", "last"]
        );
    }

    #[test]
    fn unmatched_backtick_does_not_hide_the_rest() {
        assert_eq!(lines("a ` b <c> [d]"), ["a ` b &lt;c> \\[d\\]"]);
    }

    #[test]
    fn code_span_across_lines_is_verbatim() {
        assert_eq!(
            lines("see `a <b>\nc [d]` end"),
            ["see `a <b>", "c [d]` end"]
        );
    }

    #[test]
    fn list_item_continuation_lines_are_indented_under_the_item() {
        assert_eq!(
            lines("- first item\n  goes on here\n- second\n10. tenth\ncontinued"),
            [
                "- first item",
                "  goes on here",
                "- second",
                "10. tenth",
                "    continued"
            ]
        );
    }

    #[test]
    fn real_spec_list_description() {
        let input = "Returned when a conversation item is created. There are several scenarios that produce this event:\n  - The server is generating a Response, which if successful will produce\n    either one or two Items, which will be of type `message`\n    (role `assistant`) or type `function_call`.\n  - The client has sent a `conversation.item.create` event to add a new Item\n    to the Conversation.\n";
        assert_eq!(
            lines(input),
            [
                "Returned when a conversation item is created. There are several scenarios that produce this event:",
                "- The server is generating a Response, which if successful will produce",
                "  either one or two Items, which will be of type `message`",
                "  (role `assistant`) or type `function_call`.",
                "- The client has sent a `conversation.item.create` event to add a new Item",
                "  to the Conversation.",
            ]
        );
    }
}
