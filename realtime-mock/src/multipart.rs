//! `multipart/form-data` bodies (RFC 7578), as HTTP clients send them: the
//! parts of a body by their names.

/// One part: its name and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub(crate) name: String,
    pub(crate) value: Vec<u8>,
}

/// Why a body is not `multipart/form-data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MultipartError {
    /// The content type names no boundary.
    NoBoundary,
    /// The body does not start with the boundary, or a part is cut short
    /// (at this byte offset).
    Malformed { offset: usize },
    /// A part has no `Content-Disposition: form-data; name=...` (at this
    /// byte offset).
    Unnamed { offset: usize },
}

impl std::fmt::Display for MultipartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MultipartError::NoBoundary => f.write_str("the content type names no boundary"),
            MultipartError::Malformed { offset } => {
                write!(f, "the multipart body is malformed at byte {offset}")
            }
            MultipartError::Unnamed { offset } => {
                write!(f, "the part at byte {offset} has no form-data name")
            }
        }
    }
}

/// The boundary of a `multipart/form-data; boundary=...` content type.
pub(crate) fn boundary(content_type: &str) -> Result<String, MultipartError> {
    content_type
        .split(';')
        .skip(1)
        .filter_map(|parameter| parameter.trim().split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
        .filter(|boundary| !boundary.is_empty())
        .ok_or(MultipartError::NoBoundary)
}

/// The parts of `body`, delimited by `boundary`.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, MultipartError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0).ok_or(MultipartError::Malformed { offset: 0 })?;
    let mut parts = Vec::new();
    loop {
        at += delimiter.len();
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        let start = skip_line_break(body, at).ok_or(MultipartError::Malformed { offset: at })?;
        let headers_end =
            find(body, b"\r\n\r\n", start).ok_or(MultipartError::Malformed { offset: start })?;
        let headers = String::from_utf8_lossy(&body[start..headers_end]);
        let name = part_name(&headers).ok_or(MultipartError::Unnamed { offset: start })?;
        let value_start = headers_end + 4;
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(delimiter);
        let value_end = find(body, &closing, value_start).ok_or(MultipartError::Malformed {
            offset: value_start,
        })?;
        parts.push(Part {
            name,
            value: body[value_start..value_end].to_vec(),
        });
        at = value_end + 2;
    }
}

/// The `name` of a part's `Content-Disposition: form-data; name="..."`.
fn part_name(headers: &str) -> Option<String> {
    let disposition = headers.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(value)
    })?;
    disposition
        .split(';')
        .filter_map(|parameter| parameter.trim().split_once('='))
        .find(|(key, _)| key.trim() == "name")
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
}

fn skip_line_break(body: &[u8], at: usize) -> Option<usize> {
    body[at..].starts_with(b"\r\n").then_some(at + 2)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|position| from + position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_of_a_form_are_read_by_name() {
        let body = b"--xyz\r\nContent-Disposition: form-data; name=\"sdp\"\r\n\r\nv=0\r\no=- 1\r\n--xyz\r\nContent-Disposition: form-data; name=\"session\"\r\nContent-Type: application/json\r\n\r\n{\"type\":\"realtime\"}\r\n--xyz--\r\n";
        let parts = parse(body, "xyz").unwrap();
        assert_eq!(
            parts,
            [
                Part {
                    name: "sdp".into(),
                    value: b"v=0\r\no=- 1".to_vec()
                },
                Part {
                    name: "session".into(),
                    value: b"{\"type\":\"realtime\"}".to_vec()
                },
            ]
        );
    }

    #[test]
    fn the_boundary_comes_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").unwrap(),
            "abc"
        );
        assert_eq!(
            boundary("multipart/form-data"),
            Err(MultipartError::NoBoundary)
        );
    }

    #[test]
    fn a_cut_or_unnamed_part_is_an_error_with_its_offset() {
        assert_eq!(
            parse(
                b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
                "xyz"
            ),
            Err(MultipartError::Malformed { offset: 51 })
        );
        assert_eq!(
            parse(
                b"--xyz\r\nContent-Type: text/plain\r\n\r\nx\r\n--xyz--",
                "xyz"
            ),
            Err(MultipartError::Unnamed { offset: 7 })
        );
        assert!(parse(b"nothing", "xyz").is_err());
    }
}
