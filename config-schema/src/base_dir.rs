//! The base directory variables (`$APPDATA`, `$HOME`, ...) that scopes and
//! the fs/path APIs understand. Resolving them to real directories is the
//! host's job; this crate only knows their names, to validate scopes.

/// A base directory a scope glob or an fs call may start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseDirectory {
    /// `$AUDIO`: the user's music directory.
    Audio,
    /// `$CACHE`: the user's cache directory (`~/.cache`).
    Cache,
    /// `$CONFIG`: the user's config directory (`~/.config`).
    Config,
    /// `$DATA`: the user's data directory (`~/.local/share`).
    Data,
    /// `$LOCALDATA`: the user's local data directory (same as `$DATA` on Linux).
    LocalData,
    /// `$DESKTOP`: the user's desktop directory.
    Desktop,
    /// `$DOCUMENT`: the user's documents directory.
    Document,
    /// `$DOWNLOAD`: the user's downloads directory.
    Download,
    /// `$EXE`: the user's executables directory (`~/.local/bin`).
    Executable,
    /// `$FONT`: the user's fonts directory.
    Font,
    /// `$HOME`: the user's home directory.
    Home,
    /// `$PICTURE`: the user's pictures directory.
    Picture,
    /// `$PUBLIC`: the user's public (shared) directory.
    Public,
    /// `$RUNTIME`: the user's runtime directory (`$XDG_RUNTIME_DIR`).
    Runtime,
    /// `$TEMPLATE`: the user's templates directory.
    Template,
    /// `$VIDEO`: the user's videos directory.
    Video,
    /// `$RESOURCE`: the app's own bundled resources (read-only).
    Resource,
    /// `$TEMP`: the system's temporary directory.
    Temp,
    /// `$APPCONFIG`: `$CONFIG/<identifier>`.
    AppConfig,
    /// `$APPDATA`: `$DATA/<identifier>`.
    AppData,
    /// `$APPLOCALDATA`: `$LOCALDATA/<identifier>`.
    AppLocalData,
    /// `$APPCACHE`: `$CACHE/<identifier>`.
    AppCache,
    /// `$APPLOG`: `$DATA/<identifier>/logs`.
    AppLog,
}

impl BaseDirectory {
    /// Every base directory, in documentation order.
    pub const ALL: &'static [BaseDirectory] = &[
        BaseDirectory::Audio,
        BaseDirectory::Cache,
        BaseDirectory::Config,
        BaseDirectory::Data,
        BaseDirectory::LocalData,
        BaseDirectory::Desktop,
        BaseDirectory::Document,
        BaseDirectory::Download,
        BaseDirectory::Executable,
        BaseDirectory::Font,
        BaseDirectory::Home,
        BaseDirectory::Picture,
        BaseDirectory::Public,
        BaseDirectory::Runtime,
        BaseDirectory::Template,
        BaseDirectory::Video,
        BaseDirectory::Resource,
        BaseDirectory::Temp,
        BaseDirectory::AppConfig,
        BaseDirectory::AppData,
        BaseDirectory::AppLocalData,
        BaseDirectory::AppCache,
        BaseDirectory::AppLog,
    ];

    /// The variable as written in scopes, without the `$`.
    pub fn variable(self) -> &'static str {
        match self {
            BaseDirectory::Audio => "AUDIO",
            BaseDirectory::Cache => "CACHE",
            BaseDirectory::Config => "CONFIG",
            BaseDirectory::Data => "DATA",
            BaseDirectory::LocalData => "LOCALDATA",
            BaseDirectory::Desktop => "DESKTOP",
            BaseDirectory::Document => "DOCUMENT",
            BaseDirectory::Download => "DOWNLOAD",
            BaseDirectory::Executable => "EXE",
            BaseDirectory::Font => "FONT",
            BaseDirectory::Home => "HOME",
            BaseDirectory::Picture => "PICTURE",
            BaseDirectory::Public => "PUBLIC",
            BaseDirectory::Runtime => "RUNTIME",
            BaseDirectory::Template => "TEMPLATE",
            BaseDirectory::Video => "VIDEO",
            BaseDirectory::Resource => "RESOURCE",
            BaseDirectory::Temp => "TEMP",
            BaseDirectory::AppConfig => "APPCONFIG",
            BaseDirectory::AppData => "APPDATA",
            BaseDirectory::AppLocalData => "APPLOCALDATA",
            BaseDirectory::AppCache => "APPCACHE",
            BaseDirectory::AppLog => "APPLOG",
        }
    }

    /// The base directory named by a variable (without the `$`).
    pub fn from_variable(name: &str) -> Option<BaseDirectory> {
        Self::ALL.iter().copied().find(|dir| dir.variable() == name)
    }

    /// Splits `$VAR/rest` into the base directory and the rest.
    /// `Ok(None)` when the text does not start with `$`.
    pub fn split(text: &str) -> Result<Option<(BaseDirectory, &str)>, String> {
        let Some(after) = text.strip_prefix('$') else {
            return Ok(None);
        };
        let end = after.find(['/', '\\']).unwrap_or(after.len());
        let name = &after[..end];
        match BaseDirectory::from_variable(name) {
            Some(dir) => Ok(Some((dir, &after[end..]))),
            None => Err(name.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_round_trip_and_split() {
        for dir in BaseDirectory::ALL {
            assert_eq!(BaseDirectory::from_variable(dir.variable()), Some(*dir));
        }
        assert_eq!(
            BaseDirectory::split("$APPDATA/notes/**"),
            Ok(Some((BaseDirectory::AppData, "/notes/**")))
        );
        assert_eq!(
            BaseDirectory::split("$HOME"),
            Ok(Some((BaseDirectory::Home, "")))
        );
        assert_eq!(BaseDirectory::split("/etc"), Ok(None));
        assert_eq!(BaseDirectory::split("$APPDAT/x"), Err("APPDAT".to_owned()));
    }
}
