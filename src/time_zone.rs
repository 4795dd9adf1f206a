//! The terminal's time zone: the transaction date and time the card signs (tags 9A and
//! 9F21 are the terminal's local date and time, Book 3 Annex A1) and the day a journal entry
//! belongs to, so that "today" at the till is the merchant's day, not UTC's.
//!
//! Configured as `app.time_zone` in terminal.toml: an IANA name (`Europe/Berlin`) or
//! `local`, the default, which follows the machine's own zone (TZ, /etc/localtime).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Where the till's day begins and ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// The machine's local zone.
    #[default]
    Local,
    /// An IANA zone.
    Named(chrono_tz::Tz),
}

impl Zone {
    /// Parses `local` or an IANA zone name.
    pub fn parse(text: &str) -> Result<Zone, String> {
        if text.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        text.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("{text:?} is not an IANA time zone (Europe/Berlin) nor `local`"))
    }

    /// `instant` as wall-clock time in this zone.
    pub fn local(self, instant: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Local => instant.with_timezone(&chrono::Local).naive_local(),
            Zone::Named(tz) => instant.with_timezone(&tz).naive_local(),
        }
    }

    /// The day `instant` falls on in this zone.
    pub fn day(self, instant: DateTime<Utc>) -> NaiveDate {
        self.local(instant).date()
    }

    /// Today in this zone.
    pub fn today(self) -> NaiveDate {
        self.day(Utc::now())
    }

    /// The zone's name as configured (`local` or the IANA name).
    pub fn name(self) -> String {
        match self {
            Zone::Local => "local".into(),
            Zone::Named(tz) => tz.name().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_day_follows_the_zone_not_utc() {
        // 23:30 UTC on 1 December is already 2 December in Berlin (UTC+1 in winter) and
        // still 1 December in New York (UTC-5).
        let instant = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let new_york = Zone::parse("America/New_York").unwrap();
        assert_eq!(
            berlin.day(instant),
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
        );
        assert_eq!(
            new_york.day(instant),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(berlin.local(instant).format("%H:%M").to_string(), "00:30");
    }

    #[test]
    fn names_parse_or_are_refused() {
        assert_eq!(Zone::parse("local"), Ok(Zone::Local));
        assert_eq!(
            Zone::parse("Asia/Tokyo").map(Zone::name),
            Ok("Asia/Tokyo".into())
        );
        assert!(Zone::parse("Mars/Olympus").is_err());
    }
}
