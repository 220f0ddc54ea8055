//! Calendar dates in UTC, for `--since` and the evidence shown with each suggestion.

const DAY: i64 = 86_400;

/// Seconds since the epoch at 00:00 UTC of a `YYYY-MM-DD` date.
pub fn parse(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not a date: write it as YYYY-MM-DD, e.g. 2025-01-31");
    let mut parts = text.trim().splitn(3, '-');
    let mut next = |len: std::ops::RangeInclusive<usize>| {
        parts
            .next()
            .filter(|p| len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<i64>().ok())
            .ok_or_else(bad)
    };
    let (year, month, day) = (next(4..=4)?, next(1..=2)?, next(1..=2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(bad());
    }
    Ok(days_from_civil(year, month, day) * DAY)
}

/// The UTC date of a time in seconds since the epoch, as `YYYY-MM-DD`.
pub fn format(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(DAY));
    format!("{year:04}-{month:02}-{day:02}")
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_epoch_seconds() {
        assert_eq!(parse("1970-01-01"), Ok(0));
        assert_eq!(parse("2026-01-01"), Ok(1_767_225_600));
        for date in ["2024-02-29", "2000-12-31", "1999-03-01", "2026-11-25"] {
            assert_eq!(format(parse(date).expect("valid")), date);
        }
        assert_eq!(format(1_767_225_600 + 86_399), "2026-01-01");
    }

    #[test]
    fn malformed_dates_say_how_to_write_one() {
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "25-01-01",
            "yesterday",
            "2025-01-01x",
        ] {
            let error = parse(bad).expect_err(bad);
            assert!(error.contains("YYYY-MM-DD"), "{error}");
        }
    }
}
