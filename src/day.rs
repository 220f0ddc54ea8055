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

    /// Parses a command-line date as git's `--since` reads the usual forms: an ISO date
    /// (`2025-01-31`, `2025/01/31`, `2025.01.31`, with or without a time after it),
    /// `today`, `yesterday`, or an age such as `3 months ago`, `1 year 2 weeks ago`,
    /// `2.weeks.ago`, counted back from `now` (seconds since the epoch, UTC).
    pub fn parse_git(text: &str, now: i64) -> Result<Day, String> {
        let lower = text.trim().to_ascii_lowercase();
        let today = Day::of_time(now);
        let parsed = match lower.as_str() {
            "today" | "now" => Some(today),
            "yesterday" => Some(Day(today.0 - 1)),
            _ => iso_date(&lower).or_else(|| age(&lower, now)),
        };
        parsed.ok_or_else(|| {
            format!(
                "`{text}` is not a date: write YYYY-MM-DD (e.g. 2025-01-31) or an age such as `3 months ago`"
            )
        })
    }

    /// Parses a command-line date against the clock.
    pub fn parse_arg(text: &str) -> Result<Day, String> {
        Day::parse_git(text, now())
    }

    /// Today by the clock (UTC).
    pub fn today() -> Day {
        Day::of_time(now())
    }

    /// The same day of the month `months` later (earlier when negative), or that
    /// month's last day when it is shorter.
    fn add_months(self, months: i64) -> Day {
        let (year, month, day) = self.civil();
        let index = year * 12 + (month - 1) + months;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
        Day(days_from_civil(
            year,
            month,
            day.min(days_in_month(year, month)),
        ))
    }

    /// The day `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Day {
        Day(self.0 + days)
    }

    /// Whole days from `earlier` to this day.
    pub fn days_since(self, earlier: Day) -> i64 {
        self.0 - earlier.0
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

/// Seconds since the epoch by the clock.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `YYYY-MM-DD` (or with `/` or `.`), optionally followed by a time.
fn iso_date(text: &str) -> Option<Day> {
    let date = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with(['t', ' '])) {
        return None;
    }
    let separator = date.as_bytes()[4];
    if !matches!(separator, b'-' | b'/' | b'.') || date.as_bytes()[7] != separator {
        return None;
    }
    Day::parse(&date.replace(char::from(separator), "-"))
}

/// `N unit [N unit]… ago`, words separated by spaces or dots.
fn age(text: &str, now: i64) -> Option<Day> {
    let words: Vec<&str> = text.split([' ', '.']).filter(|w| !w.is_empty()).collect();
    let (&"ago", pairs) = words.split_last()? else {
        return None;
    };
    if pairs.is_empty() || pairs.len() % 2 != 0 {
        return None;
    }
    let (mut seconds, mut months) = (0i64, 0i64);
    for pair in pairs.chunks(2) {
        let count: i64 = pair[0].parse().ok()?;
        let unit = pair[1].strip_suffix('s').unwrap_or(pair[1]);
        match unit {
            "second" => seconds = seconds.checked_add(count)?,
            "minute" => seconds = seconds.checked_add(count.checked_mul(60)?)?,
            "hour" => seconds = seconds.checked_add(count.checked_mul(3600)?)?,
            "day" => seconds = seconds.checked_add(count.checked_mul(SECONDS_PER_DAY)?)?,
            "week" => seconds = seconds.checked_add(count.checked_mul(7 * SECONDS_PER_DAY)?)?,
            "month" => months = months.checked_add(count)?,
            "year" => months = months.checked_add(count.checked_mul(12)?)?,
            _ => return None,
        }
    }
    if months.abs() > 120_000 || seconds.abs() > 400_000 * 365 * SECONDS_PER_DAY {
        return None;
    }
    Some(Day::of_time(now - seconds).add_months(-months))
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
    fn git_date_forms_count_back_from_now() {
        // 2026-05-31T12:00:00Z.
        let now = Day::parse("2026-05-31").expect("day").start() + 12 * 3600;
        for (text, expected) in [
            ("2024-01-15", "2024-01-15"),
            ("2024/01/15", "2024-01-15"),
            ("2024.01.15", "2024-01-15"),
            ("2024-01-15T10:00:00+0200", "2024-01-15"),
            ("2024-01-15 10:00", "2024-01-15"),
            ("today", "2026-05-31"),
            ("Yesterday", "2026-05-30"),
            ("3 months ago", "2026-02-28"),
            ("3.months.ago", "2026-02-28"),
            ("1 month ago", "2026-04-30"),
            ("2 weeks ago", "2026-05-17"),
            ("1 year 2 days ago", "2025-05-29"),
            ("13 hours ago", "2026-05-30"),
            ("4 years ago", "2022-05-31"),
        ] {
            assert_eq!(
                Day::parse_git(text, now).map(Day::to_date),
                Ok(expected.to_owned()),
                "{text}"
            );
        }
        for text in [
            "ago",
            "3 months",
            "three months ago",
            "3 fortnights ago",
            "2026-02-30",
            "2024-01-15x",
            "99999999999999 years ago",
        ] {
            assert!(Day::parse_git(text, now).is_err(), "{text}");
        }
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
