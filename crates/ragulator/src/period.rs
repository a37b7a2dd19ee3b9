//! Reporting periods: months, calendar quarters, financial years, ISO weeks,
//! days and calendar years (DESIGN.md section 3.2).
//!
//! A [`Period`] is stored as its kind plus its first day, so it is small,
//! `Copy`, and every operation is plain date arithmetic. Only periods whose
//! year (the ISO year for weeks, the starting year for financial years) lies
//! in [`MIN_YEAR`]`..=`[`MAX_YEAR`] can be built, which keeps all arithmetic
//! far from chrono's limits.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate, Weekday};

/// The earliest year a period may have.
///
/// ```
/// assert_eq!(ragulator::period::MIN_YEAR, 1900);
/// ```
pub const MIN_YEAR: i32 = 1900;

/// The latest year a period may have.
///
/// ```
/// assert_eq!(ragulator::period::MAX_YEAR, 2200);
/// ```
pub const MAX_YEAR: i32 = 2200;

/// Every accepted form, quoted in error messages so users can correct themselves.
const EXPECTED_FORMS: &str = "expected YYYY-MM (2022-06), YYYY-Qn (2022-Q2), YYYY/YY (2022/23), \
     YYYY-Www (2022-W23), YYYY-MM-DD (2022-06-30) or YYYY (2022)";

/// The kind of a [`Period`].
///
/// The declaration order is the order used between periods of different kinds.
///
/// ```
/// use ragulator::period::PeriodKind;
/// assert_eq!(PeriodKind::FinancialYear.as_str(), "financial_year");
/// assert!(PeriodKind::Month < PeriodKind::Year);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    /// A calendar month, `YYYY-MM`.
    Month,
    /// A calendar quarter, `YYYY-Qn`.
    Quarter,
    /// A financial year of twelve months, `YYYY/YY`.
    FinancialYear,
    /// An ISO 8601 week (Monday to Sunday), `YYYY-Www`.
    Week,
    /// A single day, `YYYY-MM-DD`.
    Day,
    /// A calendar year, `YYYY`.
    Year,
}

impl PeriodKind {
    /// The snake_case name of the kind.
    ///
    /// ```
    /// use ragulator::period::PeriodKind;
    /// assert_eq!(PeriodKind::Week.as_str(), "week");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::FinancialYear => "financial_year",
            PeriodKind::Week => "week",
            PeriodKind::Day => "day",
            PeriodKind::Year => "year",
        }
    }
}

/// Text that is not a valid period, and why.
///
/// ```
/// use ragulator::period::Period;
/// let err = Period::parse("2022-13", 4).unwrap_err();
/// assert_eq!(err.text, "2022-13");
/// assert!(err.to_string().starts_with("'2022-13' is not a period: "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a period: {message}")]
pub struct PeriodError {
    /// The text that was given (with surrounding whitespace removed).
    pub text: String,
    /// What was wrong and what would be valid.
    pub message: String,
}

/// A reporting period: a month, quarter, financial year, ISO week, day or year.
///
/// Ordering: periods of the same kind are ordered chronologically (financial
/// years with different start months by their first day). Periods of
/// different kinds are ordered first by [`PeriodKind`] declaration order
/// (month < quarter < financial year < week < day < year), then by first day.
///
/// ```
/// use ragulator::period::Period;
/// let p: Period = "2022-Q2".parse().unwrap();
/// assert_eq!(p.to_string(), "2022-Q2");
/// assert_eq!(p.start().to_string(), "2022-04-01");
/// assert_eq!(p.end().to_string(), "2022-06-30");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    // Field order matters: the derived `Ord` compares kind, then start date.
    kind: PeriodKind,
    // The first day; for a financial year its month is the year start month.
    start: NaiveDate,
}

impl Period {
    /// Builds a period from its kind and first day, if its year is in range.
    /// The caller guarantees `start` really is a first day of that kind.
    fn new(kind: PeriodKind, start: NaiveDate) -> Option<Period> {
        let year = match kind {
            // A week belongs to the ISO year of its Monday.
            PeriodKind::Week => start.iso_week().year(),
            _ => start.year(),
        };
        (MIN_YEAR..=MAX_YEAR)
            .contains(&year)
            .then_some(Period { kind, start })
    }

    /// Parses any of the forms of DESIGN.md section 3.2, after trimming
    /// whitespace. `year_start_month` (1 to 12) is the month in which a
    /// `YYYY/YY` financial year starts; it must be valid whatever the form,
    /// so that a misconfiguration is noticed early.
    ///
    /// ```
    /// use ragulator::period::{Period, PeriodKind};
    /// let fy = Period::parse(" 2022/23 ", 4).unwrap();
    /// assert_eq!(fy.kind(), PeriodKind::FinancialYear);
    /// assert_eq!(fy.start().to_string(), "2022-04-01");
    /// assert_eq!(fy.end().to_string(), "2023-03-31");
    /// assert!(Period::parse("June 2022", 4).is_err());
    /// ```
    pub fn parse(text: &str, year_start_month: u32) -> Result<Period, PeriodError> {
        let text = text.trim();
        let fail = |message: String| PeriodError {
            text: text.to_string(),
            message,
        };
        if !(1..=12).contains(&year_start_month) {
            return Err(fail(format!(
                "the financial year start month must be 1 to 12, not {year_start_month}"
            )));
        }
        if text.is_empty() {
            return Err(fail(format!("nothing given; {EXPECTED_FORMS}")));
        }
        // Work on bytes: every valid form is ASCII, and byte slicing cannot
        // panic on multi-byte characters the way `str` slicing can.
        let bytes = text.as_bytes();
        let (year, rest) = match bytes.split_at_checked(4) {
            Some((y, rest)) => match digits(y) {
                Some(y) => (y as i32, rest),
                None => return Err(fail(EXPECTED_FORMS.to_string())),
            },
            None => return Err(fail(EXPECTED_FORMS.to_string())),
        };
        // Recognise the shape first, so range errors name the right problem.
        let shape = match *rest {
            [] => Shape::Year,
            [b'-', b'Q' | b'q', n] => Shape::Quarter(one(n)),
            [b'-', a, b] if two(a, b).is_some() => Shape::Month(two(a, b)),
            [b'/', a, b] => Shape::FinancialYear(two(a, b)),
            [b'-', b'W' | b'w', a, b] => Shape::Week(two(a, b)),
            [b'-', m1, m2, b'-', d1, d2] => Shape::Day(two(m1, m2), two(d1, d2)),
            _ => return Err(fail(EXPECTED_FORMS.to_string())),
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(fail(format!(
                "year {year} is outside the supported range {MIN_YEAR} to {MAX_YEAR}"
            )));
        }
        let start = match shape {
            Shape::Year => Some((PeriodKind::Year, ymd(year, 1, 1))),
            Shape::Month(Some(m)) if (1..=12).contains(&m) => {
                Some((PeriodKind::Month, ymd(year, m, 1)))
            }
            Shape::Month(_) => {
                return Err(fail(format!("the month must be 01 to 12, as in {year}-06")))
            }
            Shape::Quarter(Some(q)) if (1..=4).contains(&q) => {
                Some((PeriodKind::Quarter, ymd(year, 3 * q - 2, 1)))
            }
            Shape::Quarter(_) => {
                return Err(fail(format!(
                    "the quarter must be Q1 to Q4, as in {year}-Q2"
                )))
            }
            Shape::FinancialYear(yy) => {
                let expected = (year + 1) % 100;
                if yy != Some(expected as u32) {
                    return Err(fail(format!(
                        "a financial year starting in {year} is written {year}/{expected:02}"
                    )));
                }
                Some((PeriodKind::FinancialYear, ymd(year, year_start_month, 1)))
            }
            Shape::Week(w) => {
                let weeks = iso_weeks_in(year);
                match w {
                    Some(w) if (1..=weeks).contains(&w) => {
                        Some((PeriodKind::Week, iso_monday(year, w)))
                    }
                    _ => {
                        return Err(fail(format!(
                            "the week must be W01 to W{weeks}, because {year} has {weeks} ISO weeks"
                        )))
                    }
                }
            }
            Shape::Day(m, d) => match (m, d) {
                (Some(m), Some(d)) if (1..=12).contains(&m) => {
                    match NaiveDate::from_ymd_opt(year, m, d) {
                        Some(date) => Some((PeriodKind::Day, Some(date))),
                        None => {
                            return Err(fail(format!(
                                "the day must be 01 to {:02}, because {year}-{m:02} has {} days",
                                days_in_month(year, m),
                                days_in_month(year, m)
                            )))
                        }
                    }
                }
                _ => {
                    return Err(fail(format!(
                        "not a date; expected YYYY-MM-DD with month 01 to 12, as in {year}-06-30"
                    )))
                }
            },
        };
        start
            .and_then(|(kind, start)| Period::new(kind, start?))
            // Unreachable for in-range years; reported rather than panicking.
            .ok_or_else(|| fail(EXPECTED_FORMS.to_string()))
    }

    /// The kind of period.
    ///
    /// ```
    /// use ragulator::period::{Period, PeriodKind};
    /// assert_eq!(Period::parse("2022-W23", 4).unwrap().kind(), PeriodKind::Week);
    /// ```
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The first day of the period.
    ///
    /// ```
    /// use ragulator::period::Period;
    /// let w = Period::parse("2021-W01", 4).unwrap();
    /// assert_eq!(w.start().to_string(), "2021-01-04");
    /// ```
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the period, inclusive.
    ///
    /// ```
    /// use ragulator::period::Period;
    /// let m = Period::parse("2024-02", 4).unwrap();
    /// assert_eq!(m.end().to_string(), "2024-02-29");
    /// ```
    pub fn end(&self) -> NaiveDate {
        let next_start = match self.kind {
            PeriodKind::Day => return self.start,
            PeriodKind::Week => self.start.checked_add_days(chrono::Days::new(7)),
            PeriodKind::Month => self.start.checked_add_months(Months::new(1)),
            PeriodKind::Quarter => self.start.checked_add_months(Months::new(3)),
            PeriodKind::FinancialYear | PeriodKind::Year => {
                self.start.checked_add_months(Months::new(12))
            }
        };
        // Years are at most 2200, so neither step can fail; fall back to the
        // start rather than panic.
        next_start.and_then(|d| d.pred_opt()).unwrap_or(self.start)
    }

    /// Whether the date falls within the period (both ends included).
    ///
    /// ```
    /// use ragulator::period::Period;
    /// use chrono::NaiveDate;
    /// let fy = Period::parse("2022/23", 4).unwrap();
    /// assert!(fy.contains(NaiveDate::from_ymd_opt(2023, 3, 31).unwrap()));
    /// assert!(!fy.contains(NaiveDate::from_ymd_opt(2023, 4, 1).unwrap()));
    /// ```
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end()
    }

    /// Whether `earlier` is the period just before this one (same kind):
    /// `p.follows(&q)` is `p.previous() == Some(q)`, without date arithmetic
    /// for the common kinds, because evaluation asks it for every result.
    ///
    /// ```
    /// use ragulator::period::Period;
    /// let may = Period::parse("2022-05", 4).unwrap();
    /// let june = Period::parse("2022-06", 4).unwrap();
    /// assert!(june.follows(&may) && !may.follows(&june));
    /// ```
    pub fn follows(&self, earlier: &Period) -> bool {
        if self.kind != earlier.kind {
            return false;
        }
        // Both starts are first days of months. Two of those are one, three
        // or twelve months apart exactly when the days between them fall in
        // these ranges (no other month count gives such a span), and a day
        // count is cheaper than calendar months.
        // Year and ordinal day are plain fields of chrono's date; a
        // duration or the month would need calendar arithmetic.
        let (year, earlier_year) = (self.start.year(), earlier.start.year());
        let before = match year - earlier_year {
            0 => 0,
            1 => {
                let y = earlier_year;
                365 + i32::from(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
            }
            _ => return false,
        };
        let days = before + self.start.ordinal() as i32 - earlier.start.ordinal() as i32;
        match self.kind {
            PeriodKind::Month => (28..=31).contains(&days),
            PeriodKind::Quarter => (89..=92).contains(&days),
            PeriodKind::FinancialYear | PeriodKind::Year => (365..=366).contains(&days),
            PeriodKind::Week => days == 7,
            PeriodKind::Day => days == 1,
        }
    }

    /// The period of the same kind just before this one; `None` before 1900.
    ///
    /// ```
    /// use ragulator::period::Period;
    /// let p = Period::parse("2021-W01", 4).unwrap();
    /// assert_eq!(p.previous().unwrap().to_string(), "2020-W53");
    /// assert_eq!(Period::parse("1900-01", 4).unwrap().previous(), None);
    /// ```
    pub fn previous(&self) -> Option<Period> {
        let start = match self.kind {
            PeriodKind::Day => self.start.pred_opt(),
            PeriodKind::Week => self.start.checked_sub_days(chrono::Days::new(7)),
            PeriodKind::Month => self.start.checked_sub_months(Months::new(1)),
            PeriodKind::Quarter => self.start.checked_sub_months(Months::new(3)),
            PeriodKind::FinancialYear | PeriodKind::Year => {
                self.start.checked_sub_months(Months::new(12))
            }
        }?;
        Period::new(self.kind, start)
    }

    /// The period of the same kind just after this one; `None` after 2200.
    ///
    /// ```
    /// use ragulator::period::Period;
    /// let p = Period::parse("2021-12", 4).unwrap();
    /// assert_eq!(p.next().unwrap().to_string(), "2022-01");
    /// ```
    pub fn next(&self) -> Option<Period> {
        let start = self.end().succ_opt()?;
        Period::new(self.kind, start)
    }

    /// The same period one year earlier; `None` before 1900.
    ///
    /// A week maps to the same week number of the previous ISO year, or to
    /// that year's last week if it has no such week; 29 February maps to
    /// 28 February.
    ///
    /// ```
    /// use ragulator::period::Period;
    /// let w = Period::parse("2020-W53", 4).unwrap();
    /// assert_eq!(w.last_year().unwrap().to_string(), "2019-W52");
    /// let d = Period::parse("2024-02-29", 4).unwrap();
    /// assert_eq!(d.last_year().unwrap().to_string(), "2023-02-28");
    /// ```
    pub fn last_year(&self) -> Option<Period> {
        let start = match self.kind {
            PeriodKind::Week => {
                let week = self.start.iso_week();
                let year = week.year() - 1;
                iso_monday(year, week.week().min(iso_weeks_in(year)))
            }
            // chrono clamps 29 February to 28 February here.
            PeriodKind::Day => self.start.checked_sub_months(Months::new(12)),
            // The first of a month: the same month a year before, by ordinal
            // day (cheap fields of chrono's date; evaluation asks this for
            // every result). After February a leap day shifts the ordinal.
            PeriodKind::Month
            | PeriodKind::Quarter
            | PeriodKind::FinancialYear
            | PeriodKind::Year => {
                let (year, ordinal) = (self.start.year(), self.start.ordinal());
                let leap = |y: i32| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
                let after_february = ordinal > 59 + u32::from(leap(year));
                let ordinal = ordinal - u32::from(after_february && leap(year))
                    + u32::from(after_february && leap(year - 1));
                NaiveDate::from_yo_opt(year - 1, ordinal)
            }
        }?;
        Period::new(self.kind, start)
    }

    /// The month (1 to 12) in which a financial year starts; 1 for other kinds.
    ///
    /// ```
    /// use ragulator::period::Period;
    /// assert_eq!(Period::parse("2022/23", 7).unwrap().year_start_month(), 7);
    /// assert_eq!(Period::parse("2022-06", 7).unwrap().year_start_month(), 1);
    /// ```
    pub fn year_start_month(&self) -> u32 {
        match self.kind {
            PeriodKind::FinancialYear => self.start.month(),
            _ => 1,
        }
    }

    /// The period of the given kind that contains `date`. `None` if
    /// `year_start_month` is not 1 to 12 (checked for every kind) or the
    /// period's year is outside 1900 to 2200.
    ///
    /// ```
    /// use ragulator::period::{Period, PeriodKind};
    /// use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 2, 14).unwrap();
    /// let fy = Period::from_date(PeriodKind::FinancialYear, d, 4).unwrap();
    /// assert_eq!(fy.to_string(), "2022/23");
    /// let w = Period::from_date(PeriodKind::Week, d, 4).unwrap();
    /// assert_eq!(w.to_string(), "2023-W07");
    /// ```
    pub fn from_date(kind: PeriodKind, date: NaiveDate, year_start_month: u32) -> Option<Period> {
        if !(1..=12).contains(&year_start_month) {
            return None;
        }
        let (year, month) = (date.year(), date.month());
        let start = match kind {
            PeriodKind::Day => Some(date),
            PeriodKind::Week => date.checked_sub_days(chrono::Days::new(u64::from(
                date.weekday().num_days_from_monday(),
            ))),
            PeriodKind::Month => ymd(year, month, 1),
            PeriodKind::Quarter => ymd(year, (month - 1) / 3 * 3 + 1, 1),
            PeriodKind::FinancialYear => {
                let start_year = if month >= year_start_month {
                    year
                } else {
                    year - 1
                };
                ymd(start_year, year_start_month, 1)
            }
            PeriodKind::Year => ymd(year, 1, 1),
        }?;
        Period::new(kind, start)
    }
}

/// The canonical text: `2022-06`, `2022-Q2`, `2022/23`, `2022-W05`,
/// `2022-06-30` or `2022`. A financial year's text does not say its start
/// month; parse it back with [`Period::year_start_month`].
///
/// ```
/// use ragulator::period::Period;
/// assert_eq!(Period::parse("2022-w5", 4).is_err(), true);
/// assert_eq!(Period::parse("2022-w05", 4).unwrap().to_string(), "2022-W05");
/// ```
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m) = (self.start.year(), self.start.month());
        match self.kind {
            PeriodKind::Year => write!(f, "{y:04}"),
            PeriodKind::Month => write!(f, "{y:04}-{m:02}"),
            PeriodKind::Quarter => write!(f, "{y:04}-Q{}", (m - 1) / 3 + 1),
            PeriodKind::FinancialYear => write!(f, "{y:04}/{:02}", (y + 1) % 100),
            PeriodKind::Week => {
                let w = self.start.iso_week();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            // NaiveDate's Display is `%Y-%m-%d` (signed beyond 0..=9999 too),
            // without linking chrono's strftime formatter (8 KB of WASM).
            PeriodKind::Day => write!(f, "{}", self.start),
        }
    }
}

/// Parses with an April financial year start (the UK default); use
/// [`Period::parse`] to choose another.
///
/// ```
/// use ragulator::period::Period;
/// let fy: Period = "2022/23".parse().unwrap();
/// assert_eq!(fy.year_start_month(), 4);
/// ```
impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Period, PeriodError> {
        Period::parse(text, 4)
    }
}

/// Serialises as the canonical text.
///
/// ```
/// use ragulator::period::Period;
/// let p: Period = "2022-Q2".parse().unwrap();
/// let mut out = Vec::new();
/// serde::Serialize::serialize(&p, &mut serde_json::Serializer::new(&mut out)).unwrap();
/// assert_eq!(out, b"\"2022-Q2\"");
/// ```
impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Parses a `YYYY-MM-DD` date (surrounding whitespace ignored), with a
/// message that says the valid form when it fails.
///
/// ```
/// use ragulator::period::parse_date;
/// assert_eq!(parse_date("2022-06-30").unwrap().to_string(), "2022-06-30");
/// assert!(parse_date("30/06/2022").unwrap_err().contains("YYYY-MM-DD"));
/// ```
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let trimmed = text.trim();
    let date = match *trimmed.as_bytes() {
        [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] => digits(&[y1, y2, y3, y4])
            .zip(two(m1, m2))
            .zip(two(d1, d2))
            .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y as i32, m, d)),
        _ => None,
    };
    date.ok_or_else(|| {
        format!("'{trimmed}' is not a date: expected a real date written YYYY-MM-DD (2022-06-30)")
    })
}

/// The recognised shape of a period's text after the year, digits parsed.
enum Shape {
    Year,
    Month(Option<u32>),
    Quarter(Option<u32>),
    FinancialYear(Option<u32>),
    Week(Option<u32>),
    Day(Option<u32>, Option<u32>),
}

/// The value of a run of ASCII digits; `None` if empty or any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

fn one(a: u8) -> Option<u32> {
    digits(&[a])
}

fn two(a: u8, b: u8) -> Option<u32> {
    digits(&[a, b])
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    ymd(year, month, 1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day())
}

/// The Monday of ISO week `week` of ISO year `year`.
fn iso_monday(year: i32, week: u32) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
}

/// 52 or 53: an ISO year has week 53 exactly when 28 December falls in it.
fn iso_weeks_in(year: i32) -> u32 {
    ymd(year, 12, 28).map_or(52, |d| d.iso_week().week())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(text: &str) -> Period {
        match Period::parse(text, 4) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn d(text: &str) -> NaiveDate {
        match parse_date(text) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        }
    }

    fn err(text: &str) -> String {
        match Period::parse(text, 4) {
            Ok(p) => panic!("{text} parsed as {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn round_trips_every_form() {
        for (text, kind) in [
            ("2022-06", PeriodKind::Month),
            ("2022-Q2", PeriodKind::Quarter),
            ("2022/23", PeriodKind::FinancialYear),
            ("2099/00", PeriodKind::FinancialYear),
            ("2022-W05", PeriodKind::Week),
            ("2020-W53", PeriodKind::Week),
            ("2022-06-30", PeriodKind::Day),
            ("2024-02-29", PeriodKind::Day),
            ("2022", PeriodKind::Year),
            ("1900", PeriodKind::Year),
            ("2200-12-31", PeriodKind::Day),
        ] {
            let period = p(text);
            assert_eq!(period.kind(), kind, "{text}");
            assert_eq!(period.to_string(), text);
        }
        assert_eq!(p("2022-q2").to_string(), "2022-Q2");
        assert_eq!(p("2022-w23").to_string(), "2022-W23");
        assert_eq!(p("  2022-06\n").to_string(), "2022-06");
    }

    #[test]
    fn a_day_is_written_as_strftime_would() {
        for (y, m, day) in [
            (2022, 6, 30),
            (1900, 1, 1),
            (2200, 12, 31),
            (999, 1, 2),
            (0, 12, 31),
            (-1, 3, 4),
            (10000, 5, 6),
        ] {
            let Some(date) = NaiveDate::from_ymd_opt(y, m, day) else {
                panic!("{y}-{m}-{day}");
            };
            let strftime = date.format("%Y-%m-%d").to_string();
            // Display is what a day period writes, for the dates it takes.
            assert_eq!(date.to_string(), strftime);
            if let Some(period) = Period::from_date(PeriodKind::Day, date, 4) {
                assert_eq!(period.to_string(), strftime);
            }
        }
        assert_eq!(p("2022-06-30").to_string(), "2022-06-30");
    }

    #[test]
    fn invalid_inputs_explain_themselves() {
        let cases = [
            ("2022-13", "month must be 01 to 12"),
            ("2022-00", "month must be 01 to 12"),
            ("2022-Q5", "quarter must be Q1 to Q4"),
            ("2022-Q0", "quarter must be Q1 to Q4"),
            ("2022/24", "is written 2022/23"),
            ("2099/01", "is written 2099/00"),
            ("2021-W53", "W01 to W52, because 2021 has 52 ISO weeks"),
            ("2022-W00", "W01 to W52"),
            ("2022-02-30", "2022-02 has 28 days"),
            ("2023-02-29", "2023-02 has 28 days"),
            ("2022-13-01", "month 01 to 12"),
            ("1899-12", "outside the supported range 1900 to 2200"),
            ("2201", "outside the supported range 1900 to 2200"),
            ("", "nothing given; expected YYYY-MM (2022-06)"),
            ("   ", "nothing given"),
            ("June 2022", "expected YYYY-MM (2022-06), YYYY-Qn (2022-Q2)"),
            ("2022-6", "expected YYYY-MM"),
            ("2022-W5", "expected YYYY-MM"),
            ("+022", "expected YYYY-MM"),
            ("2022-ÄÖ", "expected YYYY-MM"),
            ("20€2", "expected YYYY-MM"),
        ];
        for (text, want) in cases {
            let message = err(text);
            assert!(message.contains(want), "{text}: {message}");
            assert!(message.starts_with(&format!("'{}' is not a period: ", text.trim())));
        }
        assert!(Period::parse("2022-06", 13)
            .unwrap_err()
            .message
            .contains("1 to 12"));
    }

    #[test]
    fn ordering() {
        assert!(p("2021-12") < p("2022-01"));
        assert!(p("2021-Q4") < p("2022-Q1"));
        assert!(p("2020-W53") < p("2021-W01"));
        assert!(p("2021/22") < p("2022/23"));
        assert!(p("2021") < p("2022"));
        assert!(p("2021-12-31") < p("2022-01-01"));
        // Across kinds: by kind first, whatever the dates.
        assert!(p("2030-12") < p("2000-Q1"));
        assert!(p("2030-Q1") < p("2000/01"));
        assert!(p("2030/31") < p("2000-W01"));
        assert!(p("2030-W01") < p("2000-01-01"));
        assert!(p("2030-01-01") < p("2000"));
        // Financial years with different start months: by first day.
        let jan = Period::parse("2022/23", 1).unwrap();
        let jul = Period::parse("2022/23", 7).unwrap();
        assert!(jan < p("2022/23") && p("2022/23") < jul);
    }

    #[test]
    fn follows_agrees_with_previous() {
        // Every kind, leap years, and financial years of different start
        // months (which must never follow each other).
        let mut all: Vec<Period> = Vec::new();
        for start_month in [1, 4, 7] {
            for year in 2019..2026 {
                all.push(
                    Period::parse(&format!("{year}/{:02}", (year + 1) % 100), start_month).unwrap(),
                );
            }
        }
        for year in 2019..2026 {
            all.push(p(&year.to_string()));
            for q in 1..=4 {
                all.push(p(&format!("{year}-Q{q}")));
            }
            for m in 1..=12 {
                all.push(p(&format!("{year}-{m:02}")));
            }
            for w in 1..=53 {
                if let Ok(week) = Period::parse(&format!("{year}-W{w:02}"), 4) {
                    all.push(week);
                }
            }
        }
        let mut day = Period::parse("2023-12-25", 4).unwrap();
        for _ in 0..70 {
            all.push(day);
            day = day.next().unwrap();
        }
        for a in &all {
            for b in &all {
                assert_eq!(a.follows(b), a.previous() == Some(*b), "{a} follows {b}");
            }
        }
    }

    #[test]
    fn last_year_is_twelve_months_back_for_every_month() {
        for year in 1901..=2200 {
            for month in 1..=12 {
                let text = format!("{year}-{month:02}");
                let want = NaiveDate::from_ymd_opt(year - 1, month, 1)
                    .and_then(|d| Period::new(PeriodKind::Month, d));
                assert_eq!(p(&text).last_year(), want, "{text}");
            }
            let fy = Period::parse(&format!("{year}/{:02}", (year + 1) % 100), 4).unwrap();
            assert_eq!(
                fy.last_year().map(|p| p.start()),
                NaiveDate::from_ymd_opt(year - 1, 4, 1)
            );
        }
    }

    #[test]
    fn previous_next_and_last_year() {
        let prev = |t: &str| p(t).previous().map(|x| x.to_string());
        let last = |t: &str| p(t).last_year().map(|x| x.to_string());
        assert_eq!(prev("2022-01").as_deref(), Some("2021-12"));
        assert_eq!(prev("2022-04").as_deref(), Some("2022-03"));
        assert_eq!(prev("2022-Q1").as_deref(), Some("2021-Q4"));
        assert_eq!(prev("2022/23").as_deref(), Some("2021/22"));
        assert_eq!(prev("2000/01").as_deref(), Some("1999/00"));
        assert_eq!(prev("2021-W01").as_deref(), Some("2020-W53"));
        assert_eq!(prev("2022-01-01").as_deref(), Some("2021-12-31"));
        assert_eq!(prev("2024-03-01").as_deref(), Some("2024-02-29"));
        assert_eq!(prev("2022").as_deref(), Some("2021"));
        assert_eq!(prev("1900"), None);
        assert_eq!(prev("1900-W01"), None);
        assert_eq!(prev("1900/01"), None);
        assert_eq!(p("2200-12").next(), None);
        assert_eq!(p("2200/01").next(), None);
        assert_eq!(
            p("2020-W53").next().map(|x| x.to_string()).as_deref(),
            Some("2021-W01")
        );

        assert_eq!(last("2022-01").as_deref(), Some("2021-01"));
        assert_eq!(last("2022-Q1").as_deref(), Some("2021-Q1"));
        assert_eq!(last("2022/23").as_deref(), Some("2021/22"));
        assert_eq!(last("2022-W23").as_deref(), Some("2021-W23"));
        assert_eq!(last("2021-W52").as_deref(), Some("2020-W52"));
        assert_eq!(last("2020-W53").as_deref(), Some("2019-W52"));
        assert_eq!(last("2024-02-29").as_deref(), Some("2023-02-28"));
        assert_eq!(last("2022-03-01").as_deref(), Some("2021-03-01"));
        assert_eq!(last("2022").as_deref(), Some("2021"));
        assert_eq!(last("1900-06"), None);

        // Financial years keep their start month.
        let jul = Period::parse("2022/23", 7).unwrap();
        assert_eq!(jul.previous().map(|x| x.start()), Some(d("2021-07-01")));
        assert_eq!(jul.last_year().map(|x| x.year_start_month()), Some(7));
    }

    #[test]
    fn financial_years() {
        let april = p("2022/23");
        assert_eq!(
            (april.start(), april.end()),
            (d("2022-04-01"), d("2023-03-31"))
        );
        let jan = Period::parse("2022/23", 1).unwrap();
        assert_eq!((jan.start(), jan.end()), (d("2022-01-01"), d("2022-12-31")));
        assert_eq!(jan.year_start_month(), 1);
        let jul = Period::parse("2022/23", 7).unwrap();
        assert_eq!((jul.start(), jul.end()), (d("2022-07-01"), d("2023-06-30")));
        assert_eq!(Period::parse(&jul.to_string(), 7), Ok(jul));
        let from = |t: &str, m| Period::from_date(PeriodKind::FinancialYear, d(t), m);
        assert_eq!(from("2023-03-31", 4), Some(april));
        assert_eq!(from("2022-04-01", 4), Some(april));
        assert_eq!(
            from("2022-06-30", 7).map(|x| x.to_string()).as_deref(),
            Some("2021/22")
        );
        assert_eq!(from("2022-12-31", 1), Some(jan));
        assert_eq!(from("2022-12-31", 0), None);
        assert_eq!(from("2022-12-31", 13), None);
        assert_eq!(from("1900-03-31", 4), None);
    }

    #[test]
    fn contains_and_iso_week_edges() {
        assert!(p("2020-W53").contains(d("2021-01-03")));
        assert!(!p("2020-W53").contains(d("2021-01-04")));
        assert!(p("2026-W53").contains(d("2026-12-31")));
        let week = |t: &str| Period::from_date(PeriodKind::Week, d(t), 4).map(|x| x.to_string());
        assert_eq!(week("2021-01-03").as_deref(), Some("2020-W53"));
        assert_eq!(week("2026-12-31").as_deref(), Some("2026-W53"));
        assert_eq!(week("2024-12-30").as_deref(), Some("2025-W01"));
        assert!(p("2022-06").contains(d("2022-06-30")));
        assert!(!p("2022-06").contains(d("2022-07-01")));
        assert!(p("2022-Q2").contains(d("2022-04-01")));
        assert!(!p("2022-Q2").contains(d("2022-03-31")));
        assert!(p("2024").contains(d("2024-12-31")));
        assert!(p("2022-06-30").contains(d("2022-06-30")));
        assert!(!p("2022-06-30").contains(d("2022-07-01")));
    }

    #[test]
    fn parse_date_messages() {
        assert_eq!(parse_date(" 2024-02-29 "), Ok(d("2024-02-29")));
        for bad in ["2023-02-29", "2022-6-30", "", "2022-06-30x", "२०२२-06-30"] {
            let message = parse_date(bad).unwrap_err();
            assert!(message.contains("YYYY-MM-DD (2022-06-30)"), "{message}");
        }
    }

    #[test]
    fn serializes_as_text() {
        assert_eq!(
            serde_json::to_string(&p("2022/23")).ok().as_deref(),
            Some("\"2022/23\"")
        );
    }

    fn any_kind() -> impl Strategy<Value = PeriodKind> {
        prop_oneof![
            Just(PeriodKind::Month),
            Just(PeriodKind::Quarter),
            Just(PeriodKind::FinancialYear),
            Just(PeriodKind::Week),
            Just(PeriodKind::Day),
            Just(PeriodKind::Year),
        ]
    }

    fn any_period() -> impl Strategy<Value = Period> {
        // Days between 1902-01-01 and 2199-12-31, away from the range edges.
        (any_kind(), 694_326i32..=803_168, 1u32..=12).prop_filter_map(
            "in range",
            |(kind, days, month)| {
                let date = NaiveDate::from_num_days_from_ce_opt(days)?;
                Period::from_date(kind, date, month)
            },
        )
    }

    proptest! {
        #[test]
        fn period_laws(period in any_period()) {
            let prev = period.previous();
            prop_assert!(prev.is_some());
            let prev = prev.unwrap_or(period);
            prop_assert_eq!(prev.next(), Some(period));
            prop_assert_eq!(period.next().and_then(|n| n.previous()), Some(period));
            prop_assert!(prev < period);
            prop_assert_eq!(prev.end().succ_opt(), Some(period.start()));
            prop_assert_eq!(
                Period::parse(&period.to_string(), period.year_start_month()),
                Ok(period)
            );
            prop_assert!(period.start() <= period.end());
            prop_assert!(period.contains(period.start()));
            prop_assert!(period.contains(period.end()));
            prop_assert!(!period.contains(prev.end()));
            prop_assert_eq!(
                Period::from_date(period.kind(), period.end(), period.year_start_month()),
                Some(period)
            );
            let last = period.last_year();
            prop_assert!(last.is_some_and(|l| l < period && l.kind() == period.kind()));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,12}", month in 0u32..=14) {
            let _ = Period::parse(&text, month);
            let _ = parse_date(&text);
        }
    }
}
