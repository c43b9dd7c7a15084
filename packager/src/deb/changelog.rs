//! `usr/share/doc/<package>/changelog.gz`: Debian policy wants one in every
//! package; ours has a single entry for the packaged version, dated with the
//! package's timestamp so the output stays deterministic.

use std::io::Write;

use flate2::{Compression, GzBuilder};

use super::DebError;

/// The changelog text (one entry).
pub fn changelog(package: &str, version: &str, maintainer: &str, mtime: u64) -> String {
    format!(
        "{package} ({version}) unstable; urgency=medium\n\n  \
         * Packaged with Millennium.\n\n -- {maintainer}  {}\n",
        rfc2822(mtime)
    )
}

/// The changelog, gzip'd at maximum compression with a time-free header.
pub fn changelog_gz(text: &str) -> Result<Vec<u8>, DebError> {
    let mut encoder = GzBuilder::new()
        .mtime(0)
        .operating_system(3)
        .write(Vec::new(), Compression::best());
    let archive = |source| DebError::Archive {
        path: "changelog.gz".to_owned(),
        source,
    };
    encoder.write_all(text.as_bytes()).map_err(archive)?;
    encoder.finish().map_err(archive)
}

/// `Tue, 14 Nov 2023 22:13:20 +0000` for seconds since the epoch (UTC).
pub fn rfc2822(epoch: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = epoch / 86_400;
    let seconds = epoch % 86_400;
    // Civil date from a day count (Howard Hinnant's algorithm), with the era
    // shifted so March is the first month and leap days come last.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        DAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc2822_in_utc() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc2822(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 +0000");
        assert_eq!(rfc2822(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
        assert_eq!(rfc2822(4_107_542_399), "Sun, 28 Feb 2100 23:59:59 +0000");
        assert_eq!(rfc2822(4_133_980_799), "Fri, 31 Dec 2100 23:59:59 +0000");
    }

    #[test]
    fn changelog_entry_names_version_and_maintainer() {
        assert_eq!(
            changelog("demo", "1.0.0~rc.1", "A <a@example.com>", 0),
            "demo (1.0.0~rc.1) unstable; urgency=medium\n\n  * Packaged with Millennium.\n\n \
             -- A <a@example.com>  Thu, 01 Jan 1970 00:00:00 +0000\n"
        );
    }
}
