//! Signing times as numbers: a [`Timestamp`] to seconds since the Unix epoch and back, so the
//! verifier can compare a request's time with "now" (clock skew, presigned-URL expiry) and the
//! tamper corpus can move a time by a given number of seconds. Pure arithmetic on the proleptic
//! Gregorian calendar, no clock.

use super::sign::Timestamp;

/// Days from 1970-01-01 to the given civil date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Seconds since the Unix epoch of `timestamp` (a leap second counts as the next second).
pub fn unix_seconds(timestamp: &Timestamp) -> i64 {
    let t = timestamp.amz();
    let field = |range: std::ops::Range<usize>| t[range].parse::<i64>().unwrap_or(0);
    let days = days_from_civil(field(0..4), field(4..6), field(6..8));
    days * 86_400 + field(9..11) * 3600 + field(11..13) * 60 + field(13..15)
}

/// The timestamp `seconds` after the Unix epoch (years 0..=9999; others are clamped).
pub fn from_unix_seconds(seconds: i64) -> Timestamp {
    let min = days_from_civil(0, 1, 1) * 86_400;
    let max = days_from_civil(9999, 12, 31) * 86_400 + 86_399;
    let seconds = seconds.clamp(min, max);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let rest = seconds.rem_euclid(86_400);
    Timestamp(format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    ))
}

/// `timestamp` moved by `seconds` (negative: earlier).
pub fn shifted(timestamp: &Timestamp, seconds: i64) -> Timestamp {
    from_unix_seconds(unix_seconds(timestamp).saturating_add(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn known_instants() {
        assert_eq!(unix_seconds(&ts("19700101T000000Z")), 0);
        assert_eq!(unix_seconds(&ts("20150830T123600Z")), 1_440_938_160);
        assert_eq!(unix_seconds(&ts("20000229T235959Z")), 951_868_799);
        assert_eq!(from_unix_seconds(1_440_938_160).amz(), "20150830T123600Z");
    }

    #[test]
    fn shifting_crosses_days_months_and_leap_years() {
        assert_eq!(
            shifted(&ts("20150830T123600Z"), 900).amz(),
            "20150830T125100Z"
        );
        assert_eq!(
            shifted(&ts("20151231T235959Z"), 1).amz(),
            "20160101T000000Z"
        );
        assert_eq!(
            shifted(&ts("20160301T000000Z"), -1).amz(),
            "20160229T235959Z"
        );
        assert_eq!(
            shifted(&ts("20150830T123600Z"), -86_400).amz(),
            "20150829T123600Z"
        );
        for seconds in (-5_000_000_000i64..5_000_000_000).step_by(7_777_777) {
            assert_eq!(unix_seconds(&from_unix_seconds(seconds)), seconds);
        }
    }
}
