//! Keyboard accelerators (`CmdOrCtrl+Shift+S`): the one grammar for menu
//! items, `[[shortcuts]]`, `[allowlist.global-shortcut] accelerators` and
//! the accelerators pages register, so `millennium check` refuses exactly
//! what the host would.
//!
//! Parsing gives an [`Accelerator`] whose [`Accelerator::canonical`] form
//! (`Ctrl+Shift+KeyS`) is what the host hands to the menu and global
//! shortcut libraries (a host test checks both read every key listed here
//! as the same key) and what duplicates are found by.

use std::fmt;

/// A modifier key, in canonical order.
const MODIFIERS: [(&str, u8); 4] = [
    ("Ctrl", CTRL),
    ("Alt", ALT),
    ("Shift", SHIFT),
    ("Super", SUPER),
];
const CTRL: u8 = 1;
const ALT: u8 = 2;
const SHIFT: u8 = 4;
const SUPER: u8 = 8;

/// A parsed accelerator: modifiers and one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Accelerator {
    modifiers: u8,
    /// The key's code name (`KeyS`, `F5`, `ArrowUp`), as the W3C UI Events
    /// `code` values name keys.
    key: &'static str,
}

/// Why a string is not an accelerator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceleratorError {
    /// Nothing but spaces.
    #[error("an accelerator cannot be empty")]
    Empty,
    /// `Ctrl++S`, `Ctrl+`.
    #[error("`{0}` has an empty part between `+` signs")]
    EmptyPart(String),
    /// A modifier that is not one.
    #[error("`{part}` in `{accelerator}` is not a key Millennium knows{}", suggestion(.part))]
    UnknownKey {
        /// The whole accelerator.
        accelerator: String,
        /// The unknown part.
        part: String,
    },
    /// `Ctrl+Ctrl+S`.
    #[error("`{part}` appears twice in `{accelerator}`")]
    RepeatedModifier {
        /// The whole accelerator.
        accelerator: String,
        /// The modifier.
        part: String,
    },
    /// `Ctrl+Shift`: no key.
    #[error("`{0}` names only modifiers: add the key, e.g. `{0}+S`")]
    NoKey(String),
    /// `Ctrl+A+B`: two keys.
    #[error(
        "`{accelerator}` names two keys (`{first}` and `{second}`); an accelerator is modifiers and one key"
    )]
    TwoKeys {
        /// The whole accelerator.
        accelerator: String,
        /// The first key.
        first: String,
        /// The second key.
        second: String,
    },
    /// Longer than any accelerator.
    #[error("an accelerator is at most {MAX_LEN} characters")]
    TooLong,
}

/// Longer strings are refused before they are looked at.
pub const MAX_LEN: usize = 64;

fn suggestion(part: &str) -> String {
    let upper = part.to_ascii_uppercase();
    let hint = match upper.as_str() {
        "PLUS" | "+" => "; write `Shift+Equal` for `+`, or `NumpadAdd`",
        "WIN" | "WINDOWS" | "LOGO" => "; the Windows/logo key is `Super`",
        "RETURN" => "; write `Enter`",
        "ESC" => "; write `Escape`",
        "DEL" => "; write `Delete`",
        _ if upper.len() > 1 && upper.starts_with('F') => "; function keys are `F1` to `F24`",
        _ => "; see the list of key names in the README (\"Accelerators\")",
    };
    hint.to_owned()
}

impl Accelerator {
    /// Parses `text` (case-insensitive, parts joined by `+`, spaces around
    /// parts ignored).
    pub fn parse(text: &str) -> Result<Accelerator, AcceleratorError> {
        if text.len() > MAX_LEN {
            return Err(AcceleratorError::TooLong);
        }
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(AcceleratorError::Empty);
        }
        let mut modifiers = 0u8;
        let mut key: Option<(&'static str, &str)> = None;
        for raw in trimmed.split('+') {
            let part = raw.trim();
            if part.is_empty() {
                return Err(AcceleratorError::EmptyPart(trimmed.to_owned()));
            }
            if let Some(bit) = modifier(part) {
                if modifiers & bit != 0 {
                    return Err(AcceleratorError::RepeatedModifier {
                        accelerator: trimmed.to_owned(),
                        part: part.to_owned(),
                    });
                }
                modifiers |= bit;
                continue;
            }
            let Some(code) = key_code(part) else {
                return Err(AcceleratorError::UnknownKey {
                    accelerator: trimmed.to_owned(),
                    part: part.to_owned(),
                });
            };
            if let Some((_, first)) = key {
                return Err(AcceleratorError::TwoKeys {
                    accelerator: trimmed.to_owned(),
                    first: first.to_owned(),
                    second: part.to_owned(),
                });
            }
            key = Some((code, part));
        }
        match key {
            Some((key, _)) => Ok(Accelerator { modifiers, key }),
            None => Err(AcceleratorError::NoKey(trimmed.to_owned())),
        }
    }

    /// `Ctrl+Shift+KeyS`: modifiers in a fixed order, then the key's code
    /// name. Two spellings of one accelerator have the same canonical form.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        for (name, bit) in MODIFIERS {
            if self.modifiers & bit != 0 {
                out.push_str(name);
                out.push('+');
            }
        }
        out.push_str(self.key);
        out
    }

    /// Whether it has no modifier but Shift (a plain key): as a global
    /// shortcut it would take that key from every program.
    pub fn is_plain_key(&self) -> bool {
        let function_key = self.key.len() > 1
            && self.key.starts_with('F')
            && self.key[1..].bytes().all(|b| b.is_ascii_digit());
        let media = self.key.starts_with("Media") || self.key.starts_with("Audio");
        self.modifiers & !SHIFT == 0 && !function_key && !media
    }

    /// Every key name [`Accelerator::parse`] accepts, by canonical code.
    pub fn key_codes() -> impl Iterator<Item = &'static str> {
        KEYS.iter().map(|(code, _)| *code)
    }
}

/// As people read it: `Ctrl+Shift+S`.
impl fmt::Display for Accelerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, bit) in MODIFIERS {
            if self.modifiers & bit != 0 {
                write!(f, "{name}+")?;
            }
        }
        let key = self
            .key
            .strip_prefix("Key")
            .or_else(|| self.key.strip_prefix("Digit"))
            .or_else(|| self.key.strip_prefix("Arrow"))
            .unwrap_or(self.key);
        f.write_str(key)
    }
}

fn modifier(part: &str) -> Option<u8> {
    Some(match part.to_ascii_uppercase().as_str() {
        "CTRL" | "CONTROL" | "CMDORCTRL" | "CMDORCONTROL" | "COMMANDORCTRL"
        | "COMMANDORCONTROL" => CTRL,
        "ALT" | "OPTION" => ALT,
        "SHIFT" => SHIFT,
        "SUPER" | "CMD" | "COMMAND" | "META" => SUPER,
        _ => return None,
    })
}

/// Canonical code, then the other names it may be written as (besides the
/// code itself, which is always accepted).
const KEYS: &[(&str, &[&str])] = &[
    ("KeyA", &["A"]),
    ("KeyB", &["B"]),
    ("KeyC", &["C"]),
    ("KeyD", &["D"]),
    ("KeyE", &["E"]),
    ("KeyF", &["F"]),
    ("KeyG", &["G"]),
    ("KeyH", &["H"]),
    ("KeyI", &["I"]),
    ("KeyJ", &["J"]),
    ("KeyK", &["K"]),
    ("KeyL", &["L"]),
    ("KeyM", &["M"]),
    ("KeyN", &["N"]),
    ("KeyO", &["O"]),
    ("KeyP", &["P"]),
    ("KeyQ", &["Q"]),
    ("KeyR", &["R"]),
    ("KeyS", &["S"]),
    ("KeyT", &["T"]),
    ("KeyU", &["U"]),
    ("KeyV", &["V"]),
    ("KeyW", &["W"]),
    ("KeyX", &["X"]),
    ("KeyY", &["Y"]),
    ("KeyZ", &["Z"]),
    ("Digit0", &["0"]),
    ("Digit1", &["1"]),
    ("Digit2", &["2"]),
    ("Digit3", &["3"]),
    ("Digit4", &["4"]),
    ("Digit5", &["5"]),
    ("Digit6", &["6"]),
    ("Digit7", &["7"]),
    ("Digit8", &["8"]),
    ("Digit9", &["9"]),
    ("F1", &[]),
    ("F2", &[]),
    ("F3", &[]),
    ("F4", &[]),
    ("F5", &[]),
    ("F6", &[]),
    ("F7", &[]),
    ("F8", &[]),
    ("F9", &[]),
    ("F10", &[]),
    ("F11", &[]),
    ("F12", &[]),
    ("F13", &[]),
    ("F14", &[]),
    ("F15", &[]),
    ("F16", &[]),
    ("F17", &[]),
    ("F18", &[]),
    ("F19", &[]),
    ("F20", &[]),
    ("F21", &[]),
    ("F22", &[]),
    ("F23", &[]),
    ("F24", &[]),
    ("Space", &[]),
    ("Tab", &[]),
    ("Enter", &[]),
    ("Escape", &[]),
    ("Backspace", &[]),
    ("Delete", &[]),
    ("Insert", &[]),
    ("Home", &[]),
    ("End", &[]),
    ("PageUp", &[]),
    ("PageDown", &[]),
    ("ArrowUp", &["Up"]),
    ("ArrowDown", &["Down"]),
    ("ArrowLeft", &["Left"]),
    ("ArrowRight", &["Right"]),
    ("Minus", &["-"]),
    ("Equal", &["="]),
    ("Comma", &[","]),
    ("Period", &["."]),
    ("Slash", &["/"]),
    ("Backslash", &["\\"]),
    ("Semicolon", &[";"]),
    ("Quote", &["'"]),
    ("Backquote", &["`"]),
    ("BracketLeft", &["["]),
    ("BracketRight", &["]"]),
    ("Numpad0", &[]),
    ("Numpad1", &[]),
    ("Numpad2", &[]),
    ("Numpad3", &[]),
    ("Numpad4", &[]),
    ("Numpad5", &[]),
    ("Numpad6", &[]),
    ("Numpad7", &[]),
    ("Numpad8", &[]),
    ("Numpad9", &[]),
    ("NumpadAdd", &[]),
    ("NumpadSubtract", &[]),
    ("NumpadMultiply", &[]),
    ("NumpadDivide", &[]),
    ("NumpadDecimal", &[]),
    ("NumpadEnter", &[]),
    ("PrintScreen", &[]),
    ("Pause", &[]),
    ("ScrollLock", &[]),
    ("MediaPlayPause", &[]),
    ("MediaStop", &[]),
    ("MediaTrackNext", &[]),
    ("MediaTrackPrevious", &[]),
    ("AudioVolumeUp", &[]),
    ("AudioVolumeDown", &[]),
    ("AudioVolumeMute", &[]),
];

fn key_code(part: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|(code, aliases)| {
            code.eq_ignore_ascii_case(part) || aliases.iter().any(|a| a.eq_ignore_ascii_case(part))
        })
        .map(|(code, _)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_accelerator_have_one_canonical_form() {
        for text in [
            "CmdOrCtrl+Shift+S",
            "shift+ctrl+s",
            " Control + Shift + KeyS ",
            "COMMANDORCONTROL+SHIFT+s",
        ] {
            let parsed = Accelerator::parse(text).unwrap();
            assert_eq!(parsed.canonical(), "Ctrl+Shift+KeyS", "{text}");
            assert_eq!(parsed.to_string(), "Ctrl+Shift+S", "{text}");
        }
        assert_eq!(
            Accelerator::parse("Super+Up").unwrap().canonical(),
            "Super+ArrowUp"
        );
        assert_eq!(Accelerator::parse("F11").unwrap().canonical(), "F11");
        assert_eq!(
            Accelerator::parse("Alt+1").unwrap().canonical(),
            "Alt+Digit1"
        );
        assert_eq!(
            Accelerator::parse("Ctrl+-").unwrap().canonical(),
            "Ctrl+Minus"
        );
    }

    #[test]
    fn garbage_gets_a_specific_error() {
        use AcceleratorError as E;
        assert_eq!(Accelerator::parse("  "), Err(E::Empty));
        assert!(matches!(
            Accelerator::parse("Ctrl++S"),
            Err(E::EmptyPart(_))
        ));
        assert!(matches!(Accelerator::parse("Ctrl+"), Err(E::EmptyPart(_))));
        assert!(matches!(Accelerator::parse("Ctrl+Shift"), Err(E::NoKey(_))));
        assert!(matches!(
            Accelerator::parse("Ctrl+Ctrl+S"),
            Err(E::RepeatedModifier { .. })
        ));
        assert!(matches!(
            Accelerator::parse("Ctrl+A+B"),
            Err(E::TwoKeys { .. })
        ));
        assert!(matches!(
            Accelerator::parse(&"Ctrl+".repeat(100)),
            Err(E::TooLong)
        ));
        let unknown = Accelerator::parse("Hyper+Banana").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "`Hyper` in `Hyper+Banana` is not a key Millennium knows; see the list of key names in the README (\"Accelerators\")"
        );
        assert!(
            Accelerator::parse("Ctrl+Plus")
                .unwrap_err()
                .to_string()
                .contains("Shift+Equal")
        );
        assert!(
            Accelerator::parse("Ctrl+F25")
                .unwrap_err()
                .to_string()
                .contains("F1` to `F24")
        );
        assert!(Accelerator::parse("\u{0}+\u{7f}").is_err());
    }

    #[test]
    fn plain_keys_are_told_apart_from_chords() {
        assert!(Accelerator::parse("A").unwrap().is_plain_key());
        assert!(Accelerator::parse("Shift+A").unwrap().is_plain_key());
        assert!(!Accelerator::parse("Ctrl+A").unwrap().is_plain_key());
        assert!(!Accelerator::parse("F9").unwrap().is_plain_key());
        assert!(!Accelerator::parse("MediaPlayPause").unwrap().is_plain_key());
    }
}
