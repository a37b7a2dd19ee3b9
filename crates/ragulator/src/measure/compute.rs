//! Computing measures: which records (or ids) count in which entity and
//! period, and whether each one meets the measure.
//!
//! Each kind walks the records once (or a precomputed sorted order of them)
//! and reports every counted unit to a [`Sink`]: [`Counts`] adds them up for
//! evaluation, [`Drill`] lists the failing ones for one entity and period.
//! Working state lives in buffers reused across groups: nothing is
//! allocated per record.

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;

use crate::calendar::Calendar;
use crate::period::{Period, PeriodKind};

use super::compile::{Filter, Kind, Measure, OrderKey, Population, RateCount, Test};
use super::records::{date, day, show, Packed, Records, NO_DATE};
use super::spec::{Among, CountedBy, TimeUnit};
use super::FailingRecord;

/// The periods a measure is computed for, with their first and last days
/// and the first day of the window that ends with each.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    pub periods: Vec<Period>,
    pub starts: Vec<i32>,
    pub ends: Vec<i32>,
    pub wstarts: Vec<i32>,
    /// Lookup tables by day from `lo` to the last period end, replacing
    /// binary searches in the hot loops: for each day, the number of
    /// periods starting on or before it, ending before it, and whose window
    /// starts on or before it.
    lo: i32,
    started: Vec<u32>,
    ended: Vec<u32>,
    windowed: Vec<u32>,
}

impl Grid {
    /// The periods of `kind` from the one containing `first` (or `from`, if
    /// later) to the one containing `last`; each window is the `window`
    /// months to the period end (none: the period itself).
    pub fn new(
        kind: PeriodKind,
        first: i32,
        last: i32,
        from: Option<Period>,
        window: Option<u32>,
        year_start_month: u32,
    ) -> Grid {
        let mut g = Grid::default();
        let (Some(first), Some(last)) = (date(first), date(last)) else {
            return g;
        };
        let mut p = match Period::from_date(kind, first, year_start_month) {
            Some(p) => p,
            None => return g,
        };
        if let Some(f) = from {
            if f > p {
                p = f;
            }
        }
        while p.start() <= last {
            let end = p.end();
            let ws = match window {
                Some(w) => end
                    .succ_opt()
                    .and_then(|d| d.checked_sub_months(Months::new(w)))
                    .unwrap_or(p.start()),
                None => p.start(),
            };
            g.periods.push(p);
            g.starts.push(day(p.start()));
            g.ends.push(day(end));
            g.wstarts.push(day(ws));
            match p.next() {
                Some(n) => p = n,
                None => break,
            }
        }
        g.tables();
        g
    }

    fn tables(&mut self) {
        let (Some(&lo), Some(&hi)) = (self.wstarts.first(), self.ends.last()) else {
            return;
        };
        self.lo = lo;
        let days = usize::try_from(i64::from(hi) - i64::from(lo) + 1).unwrap_or(0);
        let count = |v: &[i32], d: i32, or_equal: bool| {
            v.partition_point(|x| if or_equal { *x <= d } else { *x < d }) as u32
        };
        // Step through the days, advancing each count as boundaries pass.
        let (mut s, mut e, mut w) = (0u32, 0u32, 0u32);
        self.started.reserve(days);
        self.ended.reserve(days);
        self.windowed.reserve(days);
        for i in 0..days {
            let d = lo + i as i32;
            if i == 0 {
                s = count(&self.starts, d, true);
                e = count(&self.ends, d, false);
                w = count(&self.wstarts, d, true);
            } else {
                while (s as usize) < self.starts.len() && self.starts[s as usize] <= d {
                    s += 1;
                }
                while (e as usize) < self.ends.len() && self.ends[e as usize] < d {
                    e += 1;
                }
                while (w as usize) < self.wstarts.len() && self.wstarts[w as usize] <= d {
                    w += 1;
                }
            }
            self.started.push(s);
            self.ended.push(e);
            self.windowed.push(w);
        }
    }

    /// The table slot of a day: `Err(false)` before the tables, `Err(true)` after.
    #[inline]
    fn slot(&self, d: i32) -> Result<usize, bool> {
        if d < self.lo {
            return Err(false);
        }
        let i = (i64::from(d) - i64::from(self.lo)) as usize;
        if i < self.started.len() {
            Ok(i)
        } else {
            Err(true)
        }
    }

    pub fn len(&self) -> usize {
        self.periods.len()
    }

    /// The period containing a day.
    #[inline]
    pub fn index_of(&self, d: i32) -> Option<usize> {
        let i = self.slot(d).ok()?;
        let p = (*self.started.get(i)? as usize).checked_sub(1)?;
        (d <= *self.ends.get(p)?).then_some(p)
    }

    /// The first period ending on or after a day.
    #[inline]
    pub fn first_ending_from(&self, d: i32) -> usize {
        match self.slot(d) {
            Ok(i) => self.ended.get(i).map_or(self.len(), |x| *x as usize),
            Err(after) => {
                if after {
                    self.len()
                } else {
                    0
                }
            }
        }
    }

    /// The first period whose window starts after a day (so a record on
    /// that day is in the windows of the periods before it).
    #[inline]
    pub fn past_window(&self, d: i32) -> usize {
        match self.slot(d) {
            Ok(i) => self.windowed.get(i).map_or(self.len(), |x| *x as usize),
            Err(after) => {
                if after {
                    self.len()
                } else {
                    0
                }
            }
        }
    }

    pub fn index_of_period(&self, p: Period) -> Option<usize> {
        self.periods.binary_search(&p).ok()
    }
}

/// Receives every counted unit (a record, or an id for a period).
pub(crate) trait Sink {
    /// `hit`: in the numerator. `detail` lists the records behind a failing unit.
    fn add(
        &mut self,
        entity: u32,
        p: usize,
        hit: bool,
        detail: impl FnOnce(&mut Vec<FailingRecord>),
    );
}

/// Numerators and denominators by entity and period.
pub(crate) struct Counts {
    pub periods: usize,
    pub num: Vec<u64>,
    pub den: Vec<u64>,
}

impl Counts {
    pub fn new(entities: usize, periods: usize) -> Counts {
        Counts {
            periods,
            num: vec![0; entities * periods],
            den: vec![0; entities * periods],
        }
    }
    pub fn get(&self, entity: usize, p: usize) -> (u64, u64) {
        let i = entity * self.periods + p;
        (
            self.num.get(i).copied().unwrap_or(0),
            self.den.get(i).copied().unwrap_or(0),
        )
    }
}

impl Sink for Counts {
    #[inline]
    fn add(&mut self, entity: u32, p: usize, hit: bool, _: impl FnOnce(&mut Vec<FailingRecord>)) {
        let i = entity as usize * self.periods + p;
        if let Some(d) = self.den.get_mut(i) {
            *d += 1;
        }
        if hit {
            if let Some(n) = self.num.get_mut(i) {
                *n += 1;
            }
        }
    }
}

/// The failing units of one period (and entity).
pub(crate) struct Drill {
    pub p: usize,
    pub entity: Option<u32>,
    /// List units in the numerator (re-referrals, 3+ placements, counted
    /// records) rather than those outside it (late, long gaps).
    pub list_hits: bool,
    pub out: Vec<FailingRecord>,
}

impl Sink for Drill {
    fn add(
        &mut self,
        entity: u32,
        p: usize,
        hit: bool,
        detail: impl FnOnce(&mut Vec<FailingRecord>),
    ) {
        if p == self.p && self.entity.is_none_or(|e| e == entity) && hit == self.list_hits {
            detail(&mut self.out);
        }
    }
}

/// A lazily filled table of a function of a day over a range of days.
struct DayCache {
    base: i32,
    values: Vec<i32>,
}

const UNSET: i32 = i32::MIN + 1;

impl DayCache {
    fn new(lo: i32, hi: i32) -> DayCache {
        let n = if hi >= lo { (hi - lo) as usize + 1 } else { 0 };
        DayCache {
            base: lo,
            values: vec![UNSET; n],
        }
    }
    #[inline]
    fn get(&mut self, d: i32, f: impl Fn(i32) -> i32) -> i32 {
        let i = d.wrapping_sub(self.base);
        match usize::try_from(i).ok().and_then(|i| self.values.get_mut(i)) {
            Some(v) if *v != UNSET => *v,
            Some(v) => {
                *v = f(d);
                *v
            }
            None => f(d),
        }
    }
}

/// The last day allowed after `d`: `d` plus `n` units; `i32::MAX` past
/// chrono's range (no limit).
fn add_span(cal: &Calendar, d: i32, n: u32, unit: TimeUnit) -> i32 {
    let Some(start) = date(d) else {
        return i32::MAX;
    };
    let end = match unit {
        TimeUnit::WorkingDays => cal.add_working_days(start, n),
        TimeUnit::Days => start.checked_add_days(Days::new(u64::from(n))),
        TimeUnit::Weeks => start.checked_add_days(Days::new(u64::from(n) * 7)),
        TimeUnit::Months => start.checked_add_months(Months::new(n)),
    };
    end.map(day).unwrap_or(i32::MAX)
}

/// `d` minus `n` months (31 March − 1 month is 28 or 29 February).
fn sub_months(d: i32, n: u32) -> i32 {
    date(d)
        .and_then(|x| x.checked_sub_months(Months::new(n)))
        .map(day)
        .unwrap_or(i32::MIN)
}

/// The day someone born on `dob` turns `n`; a 29 February birthday falls on
/// 1 March in other years.
pub(crate) fn birthday(dob: NaiveDate, n: u32) -> Option<NaiveDate> {
    let year = dob.year().checked_add(i32::try_from(n).ok()?)?;
    NaiveDate::from_ymd_opt(year, dob.month(), dob.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// A filter resolved against one table's dictionaries.
enum Resolved {
    Code(usize, Option<u32>, bool),
    Codes(usize, Vec<bool>),
    Below(usize, Decimal),
    AtLeast(usize, Decimal),
}

/// The records taking part in a measure: static filters applied; ages
/// turned into a range of period ends each record is counted for.
pub(crate) struct Prep<'r> {
    pub rec: &'r Records,
    pass: Vec<bool>,
    /// `[from, until)` of period-end days, when the measure has age filters.
    elig: Option<Vec<(i32, i32)>>,
    /// Entities with at least one record taking part.
    pub seen: Vec<bool>,
}

impl<'r> Prep<'r> {
    pub fn new(rec: &'r Records, filters: &[Filter]) -> Prep<'r> {
        let n = rec.len();
        let resolved: Vec<Resolved> = filters
            .iter()
            .filter_map(|f| {
                let col = rec.columns.get(f.column)?;
                let code = |v: &str| col.values().iter().position(|x| x == v).map(|c| c as u32);
                Some(match &f.test {
                    Test::Equals(v) => Resolved::Code(f.column, code(v), true),
                    Test::NotEquals(v) => Resolved::Code(f.column, code(v), false),
                    Test::OneOf(vs) => {
                        let mut mask = vec![false; col.values().len()];
                        for v in vs {
                            if let Some(c) = code(v) {
                                mask[c as usize] = true;
                            }
                        }
                        Resolved::Codes(f.column, mask)
                    }
                    Test::Below(x) => Resolved::Below(f.column, *x),
                    Test::AtLeast(x) => Resolved::AtLeast(f.column, *x),
                    Test::AgeBelow(_) | Test::AgeAtLeast(_) => return None,
                })
            })
            .collect();
        let mut pass = vec![true; n];
        for rf in &resolved {
            match rf {
                Resolved::Code(c, code, eq) => {
                    let codes = rec.columns[*c].codes();
                    for (p, x) in pass.iter_mut().zip(codes) {
                        *p &= (Some(*x) == *code) == *eq;
                    }
                }
                Resolved::Codes(c, mask) => {
                    let codes = rec.columns[*c].codes();
                    for (p, x) in pass.iter_mut().zip(codes) {
                        *p &= mask.get(*x as usize).copied().unwrap_or(false);
                    }
                }
                Resolved::Below(c, t) | Resolved::AtLeast(c, t) => {
                    let below = matches!(rf, Resolved::Below(..));
                    let nums = rec.columns[*c].numbers();
                    for (p, x) in pass.iter_mut().zip(nums) {
                        *p &= x.is_some_and(|x| (x < *t) == below);
                    }
                }
            }
        }
        let ages: Vec<&Filter> = filters.iter().filter(|f| f.test.at_period_end()).collect();
        let elig = (!ages.is_empty()).then(|| {
            let mut e = vec![(i32::MIN, i32::MAX); n];
            for f in &ages {
                let dobs = rec.columns.get(f.column).map(|c| c.dates()).unwrap_or(&[]);
                let (below, age) = match f.test {
                    Test::AgeBelow(a) => (true, a),
                    Test::AgeAtLeast(a) => (false, a),
                    _ => continue,
                };
                // Birthdays by date of birth: far fewer dates than records.
                let mut ext = Extent::new();
                dobs.iter().for_each(|d| ext.add(*d));
                let mut cache = DayCache::new(ext.0, ext.1);
                let turns = |d: i32| {
                    date(d)
                        .and_then(|dob| birthday(dob, age))
                        .map(day)
                        .unwrap_or(i32::MAX)
                };
                for (range, &dob) in e.iter_mut().zip(dobs) {
                    if dob == NO_DATE {
                        *range = (i32::MAX, i32::MIN);
                        continue;
                    }
                    let b = cache.get(dob, turns);
                    if below {
                        range.1 = range.1.min(b);
                    } else {
                        range.0 = range.0.max(b);
                    }
                }
            }
            e
        });
        let mut seen = vec![false; rec.entity_count()];
        for (r, ok) in pass.iter().enumerate() {
            if *ok {
                if let Some(s) = seen.get_mut(rec.entity_of(r) as usize) {
                    *s = true;
                }
            }
        }
        Prep {
            rec,
            pass,
            elig,
            seen,
        }
    }

    #[inline]
    pub fn passes(&self, r: usize) -> bool {
        self.pass.get(r).copied().unwrap_or(false)
    }

    /// Whether record `r` is counted for a period ending on `end`.
    #[inline]
    pub fn eligible(&self, r: usize, end: i32) -> bool {
        match &self.elig {
            None => true,
            Some(e) => e
                .get(r)
                .is_some_and(|(from, until)| *from <= end && end < *until),
        }
    }
}

/// Everything one measure's computation needs.
pub(crate) struct Run<'a> {
    pub m: &'a Measure,
    pub prep: Prep<'a>,
    pub cal: &'a Calendar,
    pub year_start_month: u32,
}

fn dates(rec: &Records, col: usize) -> &[i32] {
    rec.columns.get(col).map(|c| c.dates()).unwrap_or(&[])
}

/// Min and max of some days, skipping missing ones.
#[derive(Clone, Copy)]
struct Extent(i32, i32);

impl Extent {
    fn new() -> Extent {
        Extent(i32::MAX, i32::MIN)
    }
    #[inline]
    fn add(&mut self, d: i32) {
        if d != NO_DATE && d != i32::MAX {
            self.0 = self.0.min(d);
            self.1 = self.1.max(d);
        }
    }
}

impl Run<'_> {
    fn failing(&self, r: usize, id: Option<usize>, reason: String) -> FailingRecord {
        let rec = self.prep.rec;
        FailingRecord {
            source: rec.source.name.clone(),
            row: rec.rows.get(r).map(|x| *x as usize).unwrap_or(0),
            entity: rec
                .source
                .entity
                .map(|e| rec.text(e, r).to_string())
                .filter(|e| !e.is_empty()),
            id: id
                .or_else(|| rec.source.sole_id_column())
                .map(|c| rec.text(c, r).to_string())
                .filter(|id| !id.is_empty()),
            reason,
        }
    }

    fn col(&self, c: usize) -> &str {
        self.prep.rec.source.column_name(c)
    }

    /// The periods to compute, from the records' dates.
    pub fn grid(&self) -> Grid {
        let rec = self.prep.rec;
        let mut ext = Extent::new();
        let mut window = None;
        let n = rec.len();
        let each = |col: usize, ext: &mut Extent| {
            let ds = dates(rec, col);
            for (r, d) in ds.iter().enumerate().take(n) {
                if self.prep.passes(r) {
                    ext.add(*d);
                }
            }
        };
        match &self.m.kind {
            Kind::Timeliness {
                start,
                end,
                within,
                unit,
                counted_by,
            } => match counted_by {
                CountedBy::End => each(*end, &mut ext),
                CountedBy::Due => {
                    let mut cache = self.day_cache(*start);
                    let ds = dates(rec, *start);
                    for (r, d) in ds.iter().enumerate() {
                        if self.prep.passes(r) {
                            ext.add(cache.get(*d, |d| add_span(self.cal, d, *within, *unit)));
                        }
                    }
                }
            },
            Kind::Recurrence { date, .. } => each(*date, &mut ext),
            Kind::Interval {
                date,
                window_months,
                ..
            } => {
                each(*date, &mut ext);
                window = Some(*window_months);
            }
            Kind::RollingCount {
                date,
                end,
                window_months,
                ..
            } => {
                each(*date, &mut ext);
                if let Some(e) = end {
                    each(*e, &mut ext);
                }
                window = Some(*window_months);
            }
            Kind::Rate { count, .. } => match count {
                RateCount::Events {
                    date,
                    window_months,
                } => {
                    each(*date, &mut ext);
                    window = *window_months;
                }
                RateCount::Open { start, end } => {
                    each(*start, &mut ext);
                    if let Some(e) = end {
                        each(*e, &mut ext);
                    }
                }
            },
        }
        if ext.0 > ext.1 {
            return Grid::default();
        }
        Grid::new(
            self.m.period,
            ext.0,
            ext.1,
            self.m.from,
            window,
            self.year_start_month,
        )
    }

    fn day_cache(&self, col: usize) -> DayCache {
        let mut ext = Extent::new();
        for d in dates(self.prep.rec, col) {
            ext.add(*d);
        }
        DayCache::new(ext.0, ext.1)
    }

    /// Reports every counted unit of the grid's periods to the sink.
    pub fn run(&self, grid: &Grid, sink: &mut impl Sink) {
        if grid.len() == 0 {
            return;
        }
        match self.m.kind {
            Kind::Timeliness {
                start,
                end,
                within,
                unit,
                counted_by,
            } => self.timeliness(grid, sink, start, end, within, unit, counted_by),
            Kind::Recurrence {
                id,
                date,
                within_months,
            } => self.recurrence(grid, sink, id, date, within_months),
            Kind::Interval {
                id,
                date,
                max_gap,
                unit,
                ..
            } => self.interval(grid, sink, id, date, max_gap, unit),
            Kind::RollingCount {
                id,
                date,
                end,
                at_least,
                among,
                ..
            } => self.rolling(grid, sink, id, date, end, at_least, among),
            Kind::Rate { id, count, .. } => self.rate(grid, sink, id, count),
        }
    }

    fn span_words(&self, n: u32, unit: TimeUnit) -> String {
        format!("{n} {}", unit.words(n))
    }

    /// How far apart two days are, in the unit's own terms where that is exact.
    fn distance(&self, from: i32, to: i32, unit: TimeUnit) -> String {
        match (unit, date(from), date(to)) {
            (TimeUnit::WorkingDays, Some(a), Some(b)) => {
                let n = self.cal.working_days_between(a, b);
                format!("{n} working day{}", if n == 1 { "" } else { "s" })
            }
            _ => {
                let n = i64::from(to) - i64::from(from);
                format!("{n} day{}", if n == 1 { "" } else { "s" })
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn timeliness(
        &self,
        grid: &Grid,
        sink: &mut impl Sink,
        start: usize,
        end: usize,
        within: u32,
        unit: TimeUnit,
        counted_by: CountedBy,
    ) {
        let rec = self.prep.rec;
        let starts = dates(rec, start);
        let ends = dates(rec, end);
        let mut cache = self.day_cache(start);
        for (r, (&s, &e)) in starts.iter().zip(ends).enumerate() {
            if !self.prep.passes(r) || s == NO_DATE {
                continue;
            }
            let limit = cache.get(s, |d| add_span(self.cal, d, within, unit));
            let key = match counted_by {
                CountedBy::End => e,
                CountedBy::Due => limit,
            };
            if key == NO_DATE {
                continue;
            }
            let Some(p) = grid.index_of(key) else {
                continue;
            };
            if !self.prep.eligible(r, grid.ends[p]) {
                continue;
            }
            let hit = e != NO_DATE && e <= limit;
            sink.add(rec.entity_of(r), p, hit, |out| {
                let reason = if e == NO_DATE {
                    format!(
                        "{} {} was due by {} ({} later) and has no {}",
                        self.col(start),
                        show(s),
                        show(limit),
                        self.span_words(within, unit),
                        self.col(end)
                    )
                } else {
                    format!(
                        "{} {} is {} after {} {}; the limit was {} ({})",
                        self.col(end),
                        show(e),
                        self.distance(s, e, unit),
                        self.col(start),
                        show(s),
                        self.span_words(within, unit),
                        show(limit)
                    )
                };
                out.push(self.failing(r, None, reason));
            });
        }
    }

    fn recurrence(
        &self,
        grid: &Grid,
        sink: &mut impl Sink,
        id: usize,
        date_col: usize,
        months: u32,
    ) {
        let rec = self.prep.rec;
        let mut cache = self.day_cache(date_col);
        let key = OrderKey {
            by_entity: false,
            id,
            date: date_col,
        };
        self.groups(key, |g| {
            // The latest member, and the latest on an earlier day.
            let mut last: Option<Member> = None;
            let mut before: Option<Member> = None;
            for &m in g {
                if let Some(l) = last {
                    if m.d > l.d {
                        before = last;
                    }
                }
                last = Some(m);
                let Some(p) = grid.index_of(m.d) else {
                    continue;
                };
                let r = m.r as usize;
                if !self.prep.eligible(r, grid.ends[p]) {
                    continue;
                }
                let bound = cache.get(m.d, |d| sub_months(d, months));
                let hit = before.is_some_and(|b| b.d >= bound);
                sink.add(rec.entity_of(r), p, hit, |out| {
                    if let Some(b) = before {
                        let reason = format!(
                            "{} {} is within {months} {} of the previous one on {} (row {})",
                            self.col(date_col),
                            show(m.d),
                            TimeUnit::Months.words(months),
                            show(b.d),
                            rec.rows.get(b.r as usize).copied().unwrap_or(0)
                        );
                        out.push(self.failing(r, Some(id), reason));
                    }
                });
            }
        });
    }

    /// Calls `f` with each group of an order: the records of one (entity
    /// and) id that take part in the measure and have a date, by date.
    /// Reads the packed order sequentially; one buffer serves every group.
    fn groups(&self, key: OrderKey, mut f: impl FnMut(&[Member])) {
        let order = self.prep.rec.order(key);
        let mut buf: Vec<Member> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let group = Packed(order[i]).group();
            buf.clear();
            let mut j = i;
            while j < order.len() && Packed(order[j]).group() == group {
                let k = Packed(order[j]);
                let (r, d) = (k.record(), k.date());
                if d != NO_DATE && self.prep.passes(r) {
                    buf.push(Member { r: r as u32, d });
                }
                j += 1;
            }
            if !buf.is_empty() {
                f(&buf);
            }
            i = j.max(i + 1);
        }
    }

    fn interval(
        &self,
        grid: &Grid,
        sink: &mut impl Sink,
        id: usize,
        date_col: usize,
        max_gap: u32,
        unit: TimeUnit,
    ) {
        let rec = self.prep.rec;
        let mut cache = self.day_cache(date_col);
        // fails[k]: the gap ending at the group's k-th record was too long;
        // pre[k]: fails before k.
        let mut fails: Vec<bool> = Vec::new();
        let mut pre: Vec<u32> = Vec::new();
        let key = OrderKey {
            by_entity: true,
            id,
            date: date_col,
        };
        self.groups(key, |g| {
            fails.clear();
            pre.clear();
            pre.push(0);
            let mut prev: Option<i32> = None;
            for m in g {
                let f = prev.is_some_and(|p| {
                    m.d > cache.get(p, |x| add_span(self.cal, x, max_gap, unit))
                });
                fails.push(f);
                let last = pre.last().copied().unwrap_or(0);
                pre.push(last + u32::from(f));
                prev = Some(m.d);
            }
            let entity = rec.entity_of(g[0].r as usize);
            let (first, last) = (g[0].d, g[g.len() - 1].d);
            let (mut lo, mut hi) = (0usize, 0usize);
            for p in grid.first_ending_from(first)..grid.past_window(last).min(grid.len()) {
                let (ws, e) = (grid.wstarts[p], grid.ends[p]);
                while hi < g.len() && g[hi].d <= e {
                    hi += 1;
                }
                while lo < hi && g[lo].d < ws {
                    lo += 1;
                }
                if lo >= hi || !self.prep.eligible(g[hi - 1].r as usize, e) {
                    continue;
                }
                let hit = pre[hi] == pre[lo];
                sink.add(entity, p, hit, |out| {
                    for k in (lo..hi).filter(|&k| k > 0 && fails[k]) {
                        let (now, before) = (g[k], g[k - 1]);
                        let reason = format!(
                            "{} {} is {} after the previous one on {} (row {}); the longest gap allowed is {}",
                            self.col(date_col),
                            show(now.d),
                            self.distance(before.d, now.d, unit),
                            show(before.d),
                            rec.rows.get(before.r as usize).copied().unwrap_or(0),
                            self.span_words(max_gap, unit)
                        );
                        out.push(self.failing(now.r as usize, Some(id), reason));
                    }
                });
            }
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn rolling(
        &self,
        grid: &Grid,
        sink: &mut impl Sink,
        id: usize,
        date_col: usize,
        end: Option<usize>,
        at_least: u32,
        among: Among,
    ) {
        let rec = self.prep.rec;
        let ends = end.map(|e| dates(rec, e));
        // (start, end, record) of the group; end i32::MAX when open.
        let mut spans: Vec<(i32, i32, usize)> = Vec::new();
        // Differences by period: records entering and leaving the window,
        // and records open at the period end.
        let mut in_window: Vec<i32> = vec![0; grid.len() + 1];
        let mut open_at: Vec<i32> = vec![0; grid.len() + 1];
        let key = OrderKey {
            by_entity: true,
            id,
            date: date_col,
        };
        self.groups(key, |g| {
            spans.clear();
            let mut reach = i32::MIN;
            for m in g {
                let r = m.r as usize;
                let en = match ends {
                    Some(ends) => match ends.get(r).copied() {
                        Some(NO_DATE) | None => i32::MAX,
                        Some(en) => en,
                    },
                    // Without an end, a record lasts its day.
                    None => m.d,
                };
                reach = reach.max(en);
                spans.push((m.d, en, r));
            }
            let entity = rec.entity_of(g[0].r as usize);
            let stop = if reach == i32::MAX {
                grid.len()
            } else {
                grid.past_window(reach).min(grid.len())
            };
            // Each record is in the windows of a run of periods and open at
            // the ends of another: add both runs as differences, then sweep.
            let first = grid.first_ending_from(g[0].d);
            if first >= stop {
                return;
            }
            in_window[first..=stop].iter_mut().for_each(|x| *x = 0);
            open_at[first..=stop].iter_mut().for_each(|x| *x = 0);
            for &(s, en, _) in &spans {
                let from = grid.first_ending_from(s).max(first);
                let to = if en == i32::MAX {
                    stop
                } else {
                    grid.past_window(en).min(stop)
                };
                if from < to {
                    in_window[from] += 1;
                    in_window[to] -= 1;
                }
                let to = if en == i32::MAX {
                    stop
                } else {
                    grid.first_ending_from(en).min(stop)
                };
                if from < to {
                    open_at[from] += 1;
                    open_at[to] -= 1;
                }
            }
            let (mut count, mut open, mut k) = (0i32, 0i32, 0usize);
            for p in first..stop {
                let (ws, e) = (grid.wstarts[p], grid.ends[p]);
                count += in_window[p];
                open += open_at[p];
                while k < spans.len() && spans[k].0 <= e {
                    k += 1;
                }
                let Some(&(_, _, latest)) = k.checked_sub(1).and_then(|k| spans.get(k)) else {
                    continue;
                };
                let counted = match among {
                    Among::ActiveInWindow => count > 0,
                    Among::OpenAtEnd => open > 0 && ends.is_some(),
                };
                if !counted || !self.prep.eligible(latest, e) {
                    continue;
                }
                let hit = count >= at_least as i32;
                sink.add(entity, p, hit, |out| {
                    let rows: Vec<String> = spans
                        .iter()
                        .take_while(|(s, _, _)| *s <= e)
                        .filter(|(_, en, _)| *en >= ws)
                        .map(|(s, _, r)| {
                            format!(
                                "row {} ({})",
                                rec.rows.get(*r).copied().unwrap_or(0),
                                show(*s)
                            )
                        })
                        .collect();
                    let reason = format!(
                        "{count} records from {} to {}: {}",
                        show(ws),
                        show(e),
                        rows.join(", ")
                    );
                    out.push(self.failing(latest, Some(id), reason));
                });
            }
        });
    }

    fn rate(&self, grid: &Grid, sink: &mut impl Sink, id: Option<usize>, count: RateCount) {
        let rec = self.prep.rec;
        let (date_col, end_col) = match count {
            RateCount::Events { date, .. } => (date, None),
            RateCount::Open { start, end } => (start, end),
        };
        let ends = end_col.map(|e| dates(rec, e));
        // The periods a record dated `d` counts in: [lo, hi).
        let span = |r: usize, d: i32| -> (usize, usize) {
            match count {
                RateCount::Events { .. } => (
                    grid.first_ending_from(d),
                    grid.past_window(d).min(grid.len()),
                ),
                RateCount::Open { .. } => {
                    let hi = match ends.and_then(|es| es.get(r).copied()) {
                        Some(e) if e != NO_DATE => grid.first_ending_from(e),
                        _ => grid.len(),
                    };
                    (grid.first_ending_from(d), hi)
                }
            }
        };
        let why = |r: usize, d: i32, p: usize| -> String {
            match count {
                RateCount::Events { window_months, .. } => match window_months {
                    Some(w) => format!(
                        "{} {} is in {} to {}",
                        self.col(date_col),
                        show(d),
                        super::the_months(w),
                        show(grid.ends[p])
                    ),
                    None => format!(
                        "{} {} is in {}",
                        self.col(date_col),
                        show(d),
                        grid.periods[p]
                    ),
                },
                RateCount::Open { end, .. } => {
                    let ended = match (end, ends.and_then(|es| es.get(r).copied())) {
                        (Some(e), Some(NO_DATE)) => format!(", no {}", self.col(e)),
                        (Some(e), Some(en)) => format!(", {} {}", self.col(e), show(en)),
                        _ => String::new(),
                    };
                    format!(
                        "{} {}{ended}: open at {}",
                        self.col(date_col),
                        show(d),
                        show(grid.ends[p])
                    )
                }
            }
        };
        match id {
            None => {
                let ds = dates(rec, date_col);
                for (r, &d) in ds.iter().enumerate() {
                    if d == NO_DATE || !self.prep.passes(r) {
                        continue;
                    }
                    let (lo, hi) = span(r, d);
                    let entity = rec.entity_of(r);
                    for p in lo..hi {
                        if self.prep.eligible(r, grid.ends[p]) {
                            sink.add(entity, p, true, |out| {
                                out.push(self.failing(r, None, why(r, d, p)))
                            });
                        }
                    }
                }
            }
            Some(id) => {
                let mut mark: Vec<bool> = vec![false; grid.len()];
                let key = OrderKey {
                    by_entity: true,
                    id,
                    date: date_col,
                };
                self.groups(key, |g| {
                    mark.iter_mut().for_each(|m| *m = false);
                    let entity = rec.entity_of(g[0].r as usize);
                    // Latest records first, so an id is shown by its latest record.
                    for m in g.iter().rev() {
                        let r = m.r as usize;
                        let (lo, hi) = span(r, m.d);
                        for (p, seen) in mark.iter_mut().enumerate().take(hi).skip(lo) {
                            if !*seen && self.prep.eligible(r, grid.ends[p]) {
                                *seen = true;
                                sink.add(entity, p, true, |out| {
                                    out.push(self.failing(r, Some(id), why(r, m.d, p)))
                                });
                            }
                        }
                    }
                });
            }
        }
    }
}

/// A record of a group: its index and the order's date.
#[derive(Clone, Copy)]
struct Member {
    r: u32,
    d: i32,
}

/// Populations by entity of the measured source, for each period of a grid.
pub(crate) fn populations(
    population: Population,
    measured: &Records,
    pop: Option<&Records>,
    grid: &Grid,
) -> Vec<Vec<Option<Decimal>>> {
    let entities = measured.entities();
    match population {
        Population::Constant(c) => vec![vec![Some(c); grid.len()]; entities.len()],
        Population::Source {
            date: dcol, value, ..
        } => {
            let Some(pop) = pop else {
                return vec![vec![None; grid.len()]; entities.len()];
            };
            let ds = dates(pop, dcol);
            let vs = pop.columns.get(value).map(|c| c.numbers()).unwrap_or(&[]);
            let pop_entities = pop.entities();
            entities
                .iter()
                .map(|name| {
                    // (day, value) of this entity's rows, by day.
                    let mut rows: Vec<(i32, Decimal)> = (0..pop.len())
                        .filter(|&r| {
                            pop.source.entity.is_none()
                                || pop_entities.get(pop.entity_of(r) as usize) == Some(name)
                        })
                        .filter_map(|r| Some((ds[r], vs.get(r).copied().flatten()?)))
                        .collect();
                    rows.sort_by_key(|(d, _)| *d);
                    grid.ends
                        .iter()
                        .map(|e| {
                            let k = rows.partition_point(|(d, _)| d <= e);
                            k.checked_sub(1).map(|k| rows[k].1)
                        })
                        .collect()
                })
                .collect()
        }
    }
}
