//! The benchmark's command-line options, parsed by hand: `--name value`
//! pairs after a subcommand.

use std::collections::HashMap;
use std::str::FromStr;

/// The options given to a subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options<'a> {
    values: HashMap<&'a str, &'a str>,
}

impl<'a> Options<'a> {
    /// Reads `--name value` pairs, each name one of `allowed`.
    pub fn parse(args: &'a [String], allowed: &[&str]) -> Result<Self, String> {
        let mut values = HashMap::new();
        let mut args = args.iter();
        while let Some(name) = args.next() {
            let name = name
                .strip_prefix("--")
                .filter(|name| allowed.contains(name))
                .ok_or_else(|| format!("unexpected argument `{name}`"))?;
            let value = args
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            values.insert(name, value.as_str());
        }
        Ok(Options { values })
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.values.get(name).copied()
    }

    /// The value of `--name`, if given, else `default`; required when
    /// `default` is `None`.
    pub fn number<T: FromStr>(&self, name: &str, default: Option<T>) -> Result<T, String> {
        match self.get(name) {
            Some(value) => value
                .parse()
                .map_err(|_| format!("--{name} needs a number, not `{value}`")),
            None => default.ok_or_else(|| format!("--{name} is required")),
        }
    }

    /// As [`Options::number`], and at least 1.
    pub fn count(&self, name: &str, default: Option<usize>) -> Result<usize, String> {
        match self.number(name, default)? {
            0 => Err(format!("--{name} must be at least 1")),
            count => Ok(count),
        }
    }

    /// `--name N[,N...]`: a required list of counts, each at least 1.
    pub fn counts(&self, name: &str) -> Result<Vec<usize>, String> {
        self.get(name)
            .ok_or_else(|| format!("--{name} is required"))?
            .split(',')
            .map(|n| n.trim().parse().ok().filter(|&n| n > 0))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| format!("--{name} is a list of counts like 100,500"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn values_and_defaults() {
        let given = args("--rounds 3");
        let options = Options::parse(&given, &["rounds", "frames"]).unwrap();
        assert_eq!(options.count("rounds", Some(11)), Ok(3));
        assert_eq!(options.count("frames", Some(20_000)), Ok(20_000));
        assert!(
            options
                .number::<u16>("port", None)
                .unwrap_err()
                .contains("required")
        );
    }

    #[test]
    fn unknown_names_missing_values_and_bad_numbers_are_refused() {
        assert!(Options::parse(&args("--round 3"), &["rounds"]).is_err());
        assert!(Options::parse(&args("rounds 3"), &["rounds"]).is_err());
        assert!(Options::parse(&args("--rounds"), &["rounds"]).is_err());
        let given = args("--rounds x");
        let options = Options::parse(&given, &["rounds"]).unwrap();
        assert!(options.count("rounds", Some(1)).is_err());
        let given = args("--rounds 0");
        let options = Options::parse(&given, &["rounds"]).unwrap();
        assert!(options.count("rounds", Some(1)).is_err());
    }

    #[test]
    fn counts_are_comma_separated_and_positive() {
        let given = args("--sessions 100,500,1000");
        let options = Options::parse(&given, &["sessions"]).unwrap();
        assert_eq!(options.counts("sessions"), Ok(vec![100, 500, 1000]));
        for bad in ["--sessions 100,,5", "--sessions 0", "--sessions a"] {
            let given = args(bad);
            let options = Options::parse(&given, &["sessions"]).unwrap();
            assert!(options.counts("sessions").is_err(), "{bad}");
        }
    }
}
