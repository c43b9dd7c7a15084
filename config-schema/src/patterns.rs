//! The two pattern languages inside the config's strings, compiled by one
//! function each, so `millennium check` accepts exactly what the host
//! matches with.
//!
//! # Shell validators and open patterns: [`full_match`]
//!
//! Regular expressions of the `regex-lite` crate, matched against the whole
//! string (`\A(?:pattern)\z`), as in Tauri v1. The syntax is the `regex`
//! crate's except that Unicode classes (`\p{L}`) are refused and `\w`, `\d`,
//! `\s` and `\b` are ASCII-only: `\d+` refuses `٣`. Matching takes linear
//! time whatever the pattern; a compiled program is at most 1 MiB.
//!
//! # Fs scope globs, one `/`-separated part at a time: [`GlobPart`]
//!
//! - `*` matches any run of characters in one name, `?` one character;
//! - `[abc]`, `[a-z]` a character of the class, `[!abc]` one outside it (a
//!   literal `*`, `?`, `[` or `{` is written `[*]`, `[?]`, `[[]`, `[{]`);
//! - `{md,txt}` one of the alternatives (at most [`MAX_ALTERNATIVES`] per
//!   part, not nested).
//!
//! Backslashes and `[^..]` are refused, not guessed at: in other glob
//! dialects they mean an escape and a negated class. A part that is exactly
//! `**` (any number of directories) is the scope's business, not this
//! module's. Names that are not UTF-8 are matched with each invalid byte
//! read as U+FFFD, so a wildcard covers them as it covers any character.

use std::borrow::Cow;

/// A compiled validator or open pattern.
pub use regex_lite::Regex;

/// Largest compiled regular expression, in bytes.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Most alternatives one glob part may expand to.
pub const MAX_ALTERNATIVES: usize = 64;

/// Compiles `pattern` so that it must match the whole string; `Err` holds
/// the reason, in a line.
pub fn full_match(pattern: &str) -> Result<Regex, String> {
    regex_lite::RegexBuilder::new(&format!(r"\A(?:{pattern})\z"))
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|error| {
            let text = error.to_string();
            let line = text.lines().last().unwrap_or("invalid").trim();
            line.strip_prefix("error: ").unwrap_or(line).to_owned()
        })
}

/// One part of a scope glob (no `/`), compiled.
#[derive(Debug, Clone)]
pub struct GlobPart {
    alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone)]
struct Alternative {
    pattern: glob::Pattern,
    /// Starts with a literal `.` (so may match a hidden name).
    dot: bool,
}

const OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl GlobPart {
    /// Compiles one part; `Err` says what is wrong with it.
    pub fn new(part: &str) -> Result<GlobPart, String> {
        if part.contains('/') {
            return Err("a glob part cannot contain `/`".to_owned());
        }
        if part.contains('\\') {
            return Err(
                "backslashes are not glob syntax here: write `[*]` for a literal `*`".to_owned(),
            );
        }
        let alternatives = expand(part)?
            .into_iter()
            .map(|text| {
                if text.contains("[^") {
                    return Err("`[^...]` is not a negated class here: write `[!...]`".to_owned());
                }
                let pattern = glob::Pattern::new(&text).map_err(|e| match e.msg {
                    "invalid range pattern" => {
                        "unclosed or empty character class; missing `]`".to_owned()
                    }
                    other => other.to_owned(),
                })?;
                Ok(Alternative {
                    dot: text.starts_with('.'),
                    pattern,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(GlobPart { alternatives })
    }

    /// Whether `name` (one path part) matches. With `literal_dot`, a name
    /// starting with `.` matches only an alternative that starts with `.`.
    pub fn matches(&self, name: &[u8], literal_dot: bool) -> bool {
        let text = String::from_utf8_lossy(name);
        let hidden = literal_dot && name.first() == Some(&b'.');
        self.alternatives
            .iter()
            .any(|a| (a.dot || !hidden) && a.pattern.matches_with(&text, OPTIONS))
    }
}

/// `part` with its `{a,b}` groups expanded (groups inside `[..]` are
/// literal characters of the class).
fn expand(part: &str) -> Result<Vec<String>, String> {
    let mut results = vec![String::new()];
    let mut chars = part.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                // Copy the class through its closing `]` (a `]` first, or
                // after `!`, is a member); glob reports an unclosed one.
                let mut class = String::from('[');
                if chars.peek() == Some(&'!') {
                    class.push(chars.next().unwrap_or('!'));
                }
                if chars.peek() == Some(&']') {
                    class.push(chars.next().unwrap_or(']'));
                }
                for c in chars.by_ref() {
                    class.push(c);
                    if c == ']' {
                        break;
                    }
                }
                append(&mut results, &[Cow::Owned(class)])?;
            }
            '{' => {
                let mut group = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    match c {
                        '}' => {
                            closed = true;
                            break;
                        }
                        '{' => return Err("`{...}` groups cannot be nested".to_owned()),
                        _ => group.push(c),
                    }
                }
                if !closed {
                    return Err("unclosed `{`: write `[{]` for a literal `{`".to_owned());
                }
                let choices: Vec<Cow<'_, str>> =
                    group.split(',').map(|s| Cow::Owned(s.to_owned())).collect();
                append(&mut results, &choices)?;
            }
            '}' => return Err("unmatched `}`: write `[}]` for a literal `}`".to_owned()),
            c => append(&mut results, &[Cow::Owned(c.to_string())])?,
        }
    }
    Ok(results)
}

/// Every result followed by every choice.
fn append(results: &mut Vec<String>, choices: &[Cow<'_, str>]) -> Result<(), String> {
    if choices.len() == 1 {
        for result in results.iter_mut() {
            result.push_str(&choices[0]);
        }
        return Ok(());
    }
    if results.len() * choices.len() > MAX_ALTERNATIVES {
        return Err(format!(
            "more than {MAX_ALTERNATIVES} alternatives in one part"
        ));
    }
    *results = results
        .iter()
        .flat_map(|r| choices.iter().map(move |c| format!("{r}{c}")))
        .collect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(glob: &str) -> GlobPart {
        GlobPart::new(glob).unwrap_or_else(|e| panic!("{glob}: {e}"))
    }

    #[test]
    fn glob_parts_match_names_as_documented() {
        for (glob, yes, no) in [
            ("*.md", &["a.md", ".md", "x.y.md"][..], &["a.txt", "md"][..]),
            ("?.md", &["a.md"], &["ab.md", ".md"]),
            ("[ab]*", &["a", "bcd"], &["c", ""]),
            ("[!ab]*", &["c", "ca"], &["a", "b"]),
            ("[a-c]", &["b"], &["d", "bb"]),
            ("{md,txt}", &["md", "txt"], &["mdtxt", "{md,txt}"]),
            ("note.{md,txt}", &["note.md", "note.txt"], &["note.rs"]),
            ("{a,b}{1,2}", &["a1", "b2"], &["ab", "12"]),
            ("{,x}y", &["y", "xy"], &["xxy"]),
            ("[*]", &["*"], &["a"]),
            ("[{]a[}]", &["{a}"], &["a"]),
            ("[]]", &["]"], &["a"]),
            ("[!]]", &["a"], &["]"]),
        ] {
            let compiled = part(glob);
            for name in yes {
                assert!(
                    compiled.matches(name.as_bytes(), false),
                    "{glob} should match {name:?}"
                );
            }
            for name in no {
                assert!(
                    !compiled.matches(name.as_bytes(), false),
                    "{glob} should not match {name:?}"
                );
            }
        }
    }

    #[test]
    fn hidden_names_need_a_literal_dot_when_asked() {
        assert!(!part("*").matches(b".env", true));
        assert!(part("*").matches(b".env", false));
        assert!(part(".*").matches(b".env", true));
        assert!(part("{.env,x}").matches(b".env", true));
        assert!(!part("{x,y*}").matches(b".y", true));
    }

    /// Bytes that are not UTF-8 must not slip past a deny glob's wildcard.
    #[test]
    fn names_that_are_not_utf8_are_covered_by_wildcards() {
        assert!(part("secret*").matches(b"secret\xff", false));
        assert!(part("*").matches(b"\xfe\xff", false));
        assert!(!part("a").matches(b"a\xff", false));
    }

    #[test]
    fn unclear_glob_syntax_is_refused_with_a_reason() {
        for (glob, needle) in [
            ("[abc", "missing `]`"),
            (r"\*", "backslashes"),
            ("[^a]", "[!...]"),
            ("{a,{b}}", "nested"),
            ("{a", "unclosed"),
            ("a}", "unmatched"),
            ("a**", "recursive"),
            ("{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}", "alternatives"),
        ] {
            let error = GlobPart::new(glob).unwrap_err();
            assert!(error.contains(needle), "{glob}: {error}");
        }
    }

    #[test]
    fn full_match_anchors_and_refuses_unicode_classes() {
        let digits = full_match(r"\d+").unwrap();
        assert!(digits.is_match("123"));
        assert!(!digits.is_match("12abc"));
        assert!(!digits.is_match("12\n"));
        assert!(!digits.is_match("٣"), "\\d is ASCII-only");
        let either = full_match("a|b").unwrap();
        assert!(either.is_match("a") && !either.is_match("ab"));
        assert!(
            full_match(r"\p{L}+")
                .unwrap_err()
                .contains("Unicode character classes")
        );
        assert!(full_match("(").is_err());
        assert!(full_match("a{1000}{1000}").is_err(), "over the size limit");
    }
}
