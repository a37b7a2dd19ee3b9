//! Working-day calendar: weekends, bank holidays and the financial year start
//! (domain README section 5).
//!
//! Counting is done with week arithmetic plus binary searches over the sorted
//! holiday list, so [`Calendar::working_days_between`] costs O(log h)
//! whatever the distance between the dates.

use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

pub use crate::period::parse_date;

/// The embedded England and Wales bank holidays (weekdays only, 2015-2030).
const ENGLAND_AND_WALES: &str = include_str!("../data/bank-holidays-england-and-wales.txt");

/// A calendar that cannot be built, and why.
///
/// ```
/// use ragulator::calendar::Calendar;
/// let err = Calendar::new(13, vec![]).unwrap_err();
/// assert!(err.message.contains("1 to 12"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid calendar: {message}")]
pub struct CalendarError {
    /// What was wrong.
    pub message: String,
}

/// Which days are working days, and when the financial year starts.
///
/// Working days are Monday to Friday, except holidays. The calendar is
/// immutable once built.
///
/// ```
/// use ragulator::calendar::Calendar;
/// use chrono::NaiveDate;
/// let cal = Calendar::default();
/// assert_eq!(cal.year_start_month(), 4);
/// let christmas = NaiveDate::from_ymd_opt(2024, 12, 25).unwrap();
/// assert!(!cal.is_working_day(christmas));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    year_start_month: u32,
    // Sorted and deduplicated, for binary search.
    holidays: Vec<NaiveDate>,
    // The holidays that fall on weekdays: only these reduce the weekday
    // count, so counting uses this list.
    weekday_holidays: Vec<NaiveDate>,
}

impl Calendar {
    /// Builds a calendar whose financial year starts in `year_start_month`
    /// (1 to 12). The holidays may be in any order and may repeat.
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// use chrono::NaiveDate;
    /// let day = NaiveDate::from_ymd_opt(2022, 6, 2).unwrap();
    /// let cal = Calendar::new(1, vec![day, day]).unwrap();
    /// assert_eq!(cal.holidays(), &[day]);
    /// ```
    pub fn new(
        year_start_month: u32,
        mut holidays: Vec<NaiveDate>,
    ) -> Result<Calendar, CalendarError> {
        if !(1..=12).contains(&year_start_month) {
            return Err(CalendarError {
                message: format!(
                    "the financial year start month must be 1 to 12, not {year_start_month}"
                ),
            });
        }
        holidays.sort_unstable();
        holidays.dedup();
        Ok(Calendar::from_sorted(year_start_month, holidays))
    }

    fn from_sorted(year_start_month: u32, holidays: Vec<NaiveDate>) -> Calendar {
        let weekday_holidays = holidays
            .iter()
            .copied()
            .filter(|d| is_weekday(*d))
            .collect();
        Calendar {
            year_start_month,
            holidays,
            weekday_holidays,
        }
    }

    /// A calendar with the embedded England and Wales bank holidays (2015-2030).
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// use chrono::NaiveDate;
    /// let cal = Calendar::england_and_wales(4).unwrap();
    /// let funeral = NaiveDate::from_ymd_opt(2022, 9, 19).unwrap();
    /// assert!(cal.is_holiday(funeral));
    /// ```
    pub fn england_and_wales(year_start_month: u32) -> Result<Calendar, CalendarError> {
        let holidays = england_and_wales_parsed()?.clone();
        Calendar::new(year_start_month, holidays)
    }

    /// The embedded England and Wales bank holidays, sorted, parsed once.
    ///
    /// The embedded file is checked by the tests; were it ever unparsable this
    /// would return an empty list, and [`Calendar::england_and_wales`] the error.
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// let all = Calendar::england_and_wales_holidays();
    /// assert_eq!(all.first().unwrap().to_string(), "2015-01-01");
    /// ```
    pub fn england_and_wales_holidays() -> &'static [NaiveDate] {
        england_and_wales_parsed().map_or(&[], Vec::as_slice)
    }

    /// The month (1 to 12) in which the financial year starts.
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// assert_eq!(Calendar::new(7, vec![]).unwrap().year_start_month(), 7);
    /// ```
    pub fn year_start_month(&self) -> u32 {
        self.year_start_month
    }

    /// The holidays, sorted and without repeats.
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// assert!(Calendar::new(4, vec![]).unwrap().holidays().is_empty());
    /// ```
    pub fn holidays(&self) -> &[NaiveDate] {
        &self.holidays
    }

    /// Whether the date is one of the holidays (whatever day of the week).
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// use chrono::NaiveDate;
    /// let cal = Calendar::default();
    /// assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2022, 6, 3).unwrap()));
    /// assert!(!cal.is_holiday(NaiveDate::from_ymd_opt(2022, 6, 4).unwrap()));
    /// ```
    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.holidays.binary_search(&d).is_ok()
    }

    /// Whether the date is Monday to Friday and not a holiday.
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// use chrono::NaiveDate;
    /// let cal = Calendar::default();
    /// assert!(cal.is_working_day(NaiveDate::from_ymd_opt(2022, 6, 1).unwrap()));
    /// assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2022, 6, 4).unwrap()));
    /// ```
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        is_weekday(d) && !self.is_holiday(d)
    }

    /// The `n`-th working day after `d` (`n = 0` gives `d` itself, working
    /// day or not); `None` if that would pass chrono's last date.
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// use chrono::NaiveDate;
    /// let cal = Calendar::default();
    /// // Thursday 2 and Friday 3 June 2022 were bank holidays.
    /// let wed = NaiveDate::from_ymd_opt(2022, 6, 1).unwrap();
    /// let mon = NaiveDate::from_ymd_opt(2022, 6, 6).unwrap();
    /// assert_eq!(cal.add_working_days(wed, 1), Some(mon));
    /// ```
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        let target = i64::from(n);
        let mut at = d;
        let mut count = 0i64;
        while count < target {
            let remaining = target - count;
            if remaining > 5 {
                // Jump whole weeks: k weeks hold at most 5k working days, so
                // with 5k < remaining we never pass the target, and the
                // exact count is then cheap.
                let weeks = (remaining - 1) / 5;
                let next = at.checked_add_days(Days::new(u64::try_from(weeks * 7).ok()?))?;
                count += self.working_days_between(at, next);
                at = next;
            } else {
                at = at.succ_opt()?;
                if self.is_working_day(at) {
                    count += 1;
                }
            }
        }
        Some(at)
    }

    /// The number of working days in `(from, to]`; if `to` is before `from`,
    /// minus the number in `(to, from]`. Costs O(log h), not a day loop.
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// use chrono::NaiveDate;
    /// let cal = Calendar::default();
    /// let a = NaiveDate::from_ymd_opt(2022, 12, 23).unwrap(); // Friday
    /// let b = NaiveDate::from_ymd_opt(2022, 12, 30).unwrap(); // next Friday
    /// // 26 and 27 December 2022 were bank holidays.
    /// assert_eq!(cal.working_days_between(a, b), 3);
    /// assert_eq!(cal.working_days_between(b, a), -3);
    /// ```
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let weekdays = weekdays_up_to(to) - weekdays_up_to(from);
        let after = |d: NaiveDate| self.weekday_holidays.partition_point(|h| *h <= d);
        let holidays = after(to) - after(from);
        // At most a few thousand holidays, so the conversion cannot fail.
        weekdays - i64::try_from(holidays).unwrap_or(0)
    }

    /// Whether `end` is on or before the `n`-th working day after `start`
    /// (domain README section 5). An `end` before `start` is within; a limit
    /// past chrono's last date is treated as unbounded.
    ///
    /// ```
    /// use ragulator::calendar::Calendar;
    /// use chrono::NaiveDate;
    /// let cal = Calendar::default();
    /// let start = NaiveDate::from_ymd_opt(2022, 9, 16).unwrap();
    /// // Monday 19 September 2022 was the state funeral.
    /// assert!(cal.within_working_days(start, NaiveDate::from_ymd_opt(2022, 9, 20).unwrap(), 1));
    /// assert!(!cal.within_working_days(start, NaiveDate::from_ymd_opt(2022, 9, 21).unwrap(), 1));
    /// ```
    pub fn within_working_days(&self, start: NaiveDate, end: NaiveDate, n: u32) -> bool {
        self.add_working_days(start, n)
            .is_none_or(|limit| end <= limit)
    }
}

/// April financial year start and the England and Wales bank holidays.
///
/// ```
/// use ragulator::calendar::Calendar;
/// let cal = Calendar::default();
/// assert_eq!(cal.holidays(), Calendar::england_and_wales_holidays());
/// ```
impl Default for Calendar {
    fn default() -> Calendar {
        Calendar::from_sorted(4, Calendar::england_and_wales_holidays().to_vec())
    }
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Weekdays from Monday 0001-01-01 up to and including `d` (negative before
/// it); only differences are used, so the origin does not matter.
fn weekdays_up_to(d: NaiveDate) -> i64 {
    // num_days_from_ce is 1 on 0001-01-01, a Monday; x = 0 means Monday.
    let x = i64::from(d.num_days_from_ce()) - 1;
    x.div_euclid(7) * 5 + (x.rem_euclid(7) + 1).min(5)
}

/// Parses the embedded list once; the result lives for the program.
fn england_and_wales_parsed() -> Result<&'static Vec<NaiveDate>, CalendarError> {
    static PARSED: OnceLock<Result<Vec<NaiveDate>, CalendarError>> = OnceLock::new();
    PARSED
        .get_or_init(|| parse_holidays(ENGLAND_AND_WALES))
        .as_ref()
        .map_err(Clone::clone)
}

/// Parses a holiday list: `#` lines are comments, other lines hold
/// space-separated `YYYY-MM-DD` dates. Any bad token is an error, so a
/// typo cannot silently drop a holiday. The result is sorted and deduplicated.
fn parse_holidays(text: &str) -> Result<Vec<NaiveDate>, CalendarError> {
    let mut dates = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for token in line.split_whitespace() {
            let date = parse_date(token).map_err(|e| CalendarError {
                message: format!("holiday list line {}: {e}", number + 1),
            })?;
            dates.push(date);
        }
    }
    dates.sort_unstable();
    dates.dedup();
    Ok(dates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> NaiveDate {
        match parse_date(text) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn embedded_list_parses_fully() {
        let all = Calendar::england_and_wales_holidays();
        let tokens = ENGLAND_AND_WALES
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(str::split_whitespace)
            .count();
        // 16 years of 8 days, plus the one-offs: 2022 has 10 and 2023 has 9.
        assert_eq!(tokens, 131);
        assert_eq!(all.len(), 131);
        assert_eq!(england_and_wales_parsed().map(Vec::len), Ok(131));
        assert!(all.iter().all(|h| is_weekday(*h)));
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(all.first(), Some(&d("2015-01-01")));
        assert_eq!(all.last(), Some(&d("2030-12-26")));
        for year in 2015..=2030 {
            let n = all.iter().filter(|h| h.year() == year).count();
            let want = match year {
                2022 => 10,
                2023 => 9,
                _ => 8,
            };
            assert_eq!(n, want, "{year}");
        }
    }

    #[test]
    fn bad_holiday_lists_are_errors() {
        assert!(parse_holidays("# c\n2022-01-03 2022-13-01\n")
            .unwrap_err()
            .message
            .contains("line 2"));
        assert_eq!(
            parse_holidays("2022-01-03\n\n  # x\n2022-01-03"),
            Ok(vec![d("2022-01-03")])
        );
    }

    #[test]
    fn construction() {
        assert!(Calendar::new(0, vec![]).is_err());
        assert!(Calendar::new(13, vec![]).is_err());
        assert!(Calendar::england_and_wales(0).is_err());
        let cal = Calendar::new(1, vec![d("2022-01-05"), d("2022-01-03"), d("2022-01-05")]);
        assert_eq!(
            cal.map(|c| c.holidays().to_vec()),
            Ok(vec![d("2022-01-03"), d("2022-01-05")])
        );
        assert_eq!(Calendar::england_and_wales(4), Ok(Calendar::default()));
    }

    #[test]
    fn adding_working_days() {
        let cal = Calendar::default();
        let add = |from: &str, n| cal.add_working_days(d(from), n);
        // Platinum Jubilee: Thursday 2 and Friday 3 June 2022.
        assert_eq!(add("2022-06-01", 1), Some(d("2022-06-06")));
        // State funeral, Monday 19 September 2022.
        assert_eq!(add("2022-09-16", 1), Some(d("2022-09-20")));
        // Christmas 2022: Monday 26 and Tuesday 27 December.
        assert_eq!(add("2022-12-23", 1), Some(d("2022-12-28")));
        assert_eq!(add("2022-12-24", 1), Some(d("2022-12-28")));
        // Across a month end.
        assert_eq!(add("2022-06-29", 3), Some(d("2022-07-04")));
        // Saturday start: zero days is the day itself.
        assert_eq!(add("2022-06-04", 0), Some(d("2022-06-04")));
        // Hand-checked: from Thu 2022-04-07, 10 working days skip Good Friday
        // 15 Apr and Easter Monday 18 Apr: 8,11,12,13,14,19,20,21,22,25.
        assert_eq!(add("2022-04-07", 10), Some(d("2022-04-25")));
        // Hand-checked over Christmas 2022 and New Year (2 Jan 2023 holiday):
        // 21,22,23,28,29,30, 3,4,5,6 January.
        assert_eq!(add("2022-12-20", 10), Some(d("2023-01-06")));
        // Long jumps agree with counting.
        assert_eq!(
            add("2015-01-01", 1000).map(|e| cal.working_days_between(d("2015-01-01"), e)),
            Some(1000)
        );
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 1), None);
        assert_eq!(cal.add_working_days(NaiveDate::MIN, u32::MAX), None);
    }

    #[test]
    fn within_boundary() {
        let cal = Calendar::default();
        let start = d("2022-12-20");
        assert!(cal.within_working_days(start, d("2023-01-06"), 10));
        assert!(!cal.within_working_days(start, d("2023-01-07"), 10));
        assert!(!cal.within_working_days(start, d("2023-01-09"), 10));
        assert!(cal.within_working_days(start, d("2022-12-01"), 10));
        assert!(cal.within_working_days(start, start, 0));
        assert!(!cal.within_working_days(start, d("2022-12-21"), 0));
        assert!(cal.within_working_days(NaiveDate::MAX, NaiveDate::MAX, 5));
    }

    #[test]
    fn weekend_holidays_do_not_count_twice() {
        let cal = Calendar::new(4, vec![d("2022-06-04"), d("2022-06-06")]);
        let cal = cal.unwrap_or_default();
        assert!(cal.is_holiday(d("2022-06-04")));
        // (Fri 3, Fri 10]: Mon 6 is a holiday, weekends never count.
        assert_eq!(
            cal.working_days_between(d("2022-06-03"), d("2022-06-10")),
            4
        );
    }

    fn naive_between(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        sign * lo
            .iter_days()
            .skip(1)
            .take_while(|x| *x <= hi)
            .filter(|x| cal.is_working_day(*x))
            .count() as i64
    }

    fn date_in_range() -> impl Strategy<Value = NaiveDate> {
        // 2014-12-01 to 2031-01-31, a little beyond the holiday list.
        (735_568i32..=741_473).prop_filter_map("date", NaiveDate::from_num_days_from_ce_opt)
    }

    proptest! {
        #[test]
        fn between_matches_day_loop(a in date_in_range(), b in date_in_range()) {
            let cal = Calendar::default();
            prop_assert_eq!(cal.working_days_between(a, b), naive_between(&cal, a, b));
        }

        #[test]
        fn add_matches_between(a in date_in_range(), n in 0u32..400) {
            let cal = Calendar::default();
            let end = cal.add_working_days(a, n);
            prop_assert!(end.is_some());
            let end = end.unwrap_or(a);
            prop_assert_eq!(cal.working_days_between(a, end), i64::from(n));
            prop_assert!(n == 0 || cal.is_working_day(end));
            prop_assert!(cal.within_working_days(a, end, n));
            prop_assert!(!cal.within_working_days(a, end.succ_opt().unwrap_or(end), n) || end == NaiveDate::MAX);
        }
    }
}
