//! Calendar days (proleptic Gregorian, no time zone: callers shift times into the zone
//! they mean), for `--since`/`--until` and the dates shown in reports.

const SECONDS_PER_DAY: i64 = 86_400;

/// A day as `YYYY-MM-DD`, counted in days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(i64);

impl Day {
    pub fn of_time(seconds: i64) -> Day {
        Day(seconds.div_euclid(SECONDS_PER_DAY))
    }

    /// Parses `YYYY-MM-DD`; `None` for anything else, or a day that does not exist.
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.split('-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        let number = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| s.parse::<i64>().ok())
                .flatten()
        };
        let (year, month, day) = (number(year)?, number(month)?, number(day)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(Day(days_from_civil(year, month, day)))
    }

    /// Parses a command-line date, saying how to write one when it is not.
    pub fn parse_arg(text: &str) -> Result<Day, String> {
        Day::parse(text).ok_or_else(|| {
            format!("`{text}` is not a date: write it as YYYY-MM-DD, e.g. 2025-01-31")
        })
    }

    /// Seconds since the epoch at the start of the day.
    pub fn start(self) -> i64 {
        self.0 * SECONDS_PER_DAY
    }

    /// (year, month, day).
    pub fn civil(self) -> (i64, i64, i64) {
        civil_from_days(self.0)
    }

    /// `YYYY-MM-DD`.
    pub fn to_date(self) -> String {
        let (y, m, d) = self.civil();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// `YYYY-MM`.
    pub fn to_month(self) -> String {
        let (y, m, _) = self.civil();
        format!("{y:04}-{m:02}")
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's algorithms for converting between days and civil dates.
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
    fn dates_round_trip_through_days() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "2026-01-01",
            "2026-12-31",
            "1969-07-20",
        ] {
            let day = Day::parse(text).expect(text);
            assert_eq!(day.to_date(), text);
        }
        assert_eq!(Day::parse("1970-01-02"), Some(Day(1)));
        assert_eq!(Day::of_time(1_767_225_600).to_date(), "2026-01-01");
        assert_eq!(Day::of_time(-1).to_date(), "1969-12-31");
    }

    #[test]
    fn malformed_or_impossible_dates_are_rejected() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-01x",
            "",
            "2026-00-10",
            "+026-01-01",
        ] {
            assert_eq!(Day::parse(text), None, "{text}");
        }
    }
}
