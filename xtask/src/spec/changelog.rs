//! The CHANGELOG of `realtime-types`: `spec update` adds the change report
//! of each move of the pin to its Unreleased section, newest first.

/// Where the CHANGELOG lives, relative to the workspace root.
pub const PATH: &str = "realtime-types/CHANGELOG.md";

/// The heading of the section that collects what is not released yet.
const UNRELEASED: &str = "## Unreleased";

/// `changelog` with `section` (Markdown whose headings are below level 2)
/// added at the top of the Unreleased section, or an error when the
/// changelog has no such section.
pub fn add_to_unreleased(changelog: &str, section: &str) -> Result<String, String> {
    let changelog = changelog.replace("\r\n", "\n");
    let mut offset = 0;
    for line in changelog.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == UNRELEASED {
            let (head, rest) = changelog.split_at(offset);
            let rest = rest.trim_start_matches('\n');
            let separator = if rest.is_empty() { "" } else { "\n" };
            return Ok(format!("{head}\n{}\n{separator}{rest}", section.trim_end()));
        }
    }
    Err(format!(
        "{PATH} has no `{UNRELEASED}` section to add the spec changes to"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_goes_first_under_unreleased_and_older_text_stays() {
        let changelog = "# Changelog\n\nIntro.\n\n## Unreleased\n\nEarlier note.\n\n## 0.1.0\n";
        let updated = add_to_unreleased(changelog, "### Spec a → b\n\nChanged.\n").unwrap();
        assert_eq!(
            updated,
            "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Spec a → b\n\nChanged.\n\nEarlier note.\n\n## 0.1.0\n"
        );
    }

    #[test]
    fn an_empty_unreleased_section_at_the_end_gets_the_section() {
        let updated = add_to_unreleased("# C\n\n## Unreleased\n", "### Spec a → b\n").unwrap();
        assert_eq!(updated, "# C\n\n## Unreleased\n\n### Spec a → b\n");
    }

    #[test]
    fn a_changelog_without_unreleased_is_an_error_naming_the_file() {
        let error = add_to_unreleased("# C\n\n## 0.1.0\n", "### x\n").unwrap_err();
        assert!(
            error.contains(PATH) && error.contains("Unreleased"),
            "{error}"
        );
    }
}
