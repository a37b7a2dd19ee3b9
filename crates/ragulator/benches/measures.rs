//! Measures from case records (see benches/README.md, "Measures"):
//! 1,000,000 records, 24 monthly periods, five measures (one of each kind).
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ragulator::measure::RecordSet;
use ragulator::{EvaluateOptions, Scorecard};

const RECORDS: usize = 1_000_000;
const CHILDREN: u64 = 50_000;

const SCORECARD: &str = r#"
ragulator = 1
[sources.events]
columns = { child_id = "id", team = "category", started_on = "date", ended_on = "date", date_of_birth = "date" }
entity = "team"

[[indicator]]
id = "timely"
name = "Completed within 45 working days"
unit = "percent"
polarity = "higher_is_better"
decimals = 1
target = 85
rag = { rule = "target", amber = 5 }
measure = { kind = "timeliness", source = "events", start = "started_on", end = "ended_on", within = 45, unit = "working_days", filter = [{ column = "date_of_birth", age_below = 18 }] }

[[indicator]]
id = "recurring"
name = "Within 12 months of a previous one"
unit = "percent"
polarity = "lower_is_better"
decimals = 1
target = 20
rag = { rule = "target", amber = 2 }
measure = { kind = "recurrence", source = "events", id = "child_id", date = "started_on", within_months = 12 }

[[indicator]]
id = "gaps"
name = "Never more than 6 weeks apart"
unit = "percent"
polarity = "higher_is_better"
decimals = 1
target = 95
rag = { rule = "target", amber = 5 }
measure = { kind = "interval", source = "events", id = "child_id", date = "started_on", max_gap = 42, window_months = 12 }

[[indicator]]
id = "three_plus"
name = "3 or more in 12 months"
unit = "percent"
polarity = "lower_is_better"
decimals = 1
rag = { rule = "bands", thresholds = [10, 12] }
measure = { kind = "rolling_count", source = "events", id = "child_id", date = "started_on", end = "ended_on", at_least = 3, among = "open_at_end" }

[[indicator]]
id = "rate"
name = "Open per 10,000"
unit = "per_10k"
polarity = "lower_is_better"
decimals = 0
rag = { rule = "bands", thresholds = [90, 110] }
measure = { kind = "rate", source = "events", id = "child_id", start = "started_on", end = "ended_on", population = 5000000 }
"#;

/// A deterministic generator (SplitMix64), so every run reads the same records.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// 1,000,000 records from 2021-01-01 to 2022-12-31 (24 months), 50,000
/// children in 4 teams; a tenth still open.
fn csv() -> Vec<u8> {
    use chrono::{Days, NaiveDate};
    let base = NaiveDate::from_ymd_opt(2021, 1, 1).expect("date");
    let last = NaiveDate::from_ymd_opt(2022, 12, 31).expect("date");
    let mut rng = Rng(42);
    let mut out = Vec::with_capacity(RECORDS * 60);
    out.extend_from_slice(b"child_id,team,started_on,ended_on,date_of_birth\n");
    for _ in 0..RECORDS {
        let child = rng.below(CHILDREN);
        let start = base + Days::new(rng.below(730));
        // Open a tenth of the time, and when the end would be after the
        // extract (31 December 2022), as in a real export.
        let end = start + Days::new(rng.below(120));
        let end = if rng.below(10) == 0 || end > last {
            String::new()
        } else {
            end.to_string()
        };
        // The child's birth date is fixed by its id.
        let dob = NaiveDate::from_ymd_opt(2004 + (child % 18) as i32, 1 + (child % 12) as u32, 1)
            .expect("date");
        out.extend_from_slice(
            format!("C{child:06},team{},{start},{end},{dob}\n", child % 4).as_bytes(),
        );
    }
    out
}

fn measures(c: &mut Criterion) {
    let scorecard = Scorecard::from_toml(SCORECARD).expect("valid");
    let bytes = csv();
    let mut g = c.benchmark_group("measures_1m");
    g.sample_size(10);
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("read_records_csv", |b| {
        b.iter(|| black_box(scorecard.read_records("events", black_box(&bytes))))
    });
    let records = scorecard.read_records("events", &bytes).expect("reads");
    assert_eq!(records.len(), RECORDS);
    let mut set = RecordSet::new();
    set.insert(records).expect("inserts");
    let obs = scorecard.measure_observations(&set).expect("measures");
    // 5 measures x 4 teams x 24 months.
    assert_eq!(obs.len(), 5 * 4 * 24);
    g.bench_function("measure_observations_5_measures_24_months", |b| {
        b.iter(|| black_box(scorecard.measure_observations(black_box(&set))))
    });
    g.bench_function("measure_and_evaluate", |b| {
        b.iter(|| {
            let obs = scorecard.measure_observations(&set).expect("measures");
            black_box(scorecard.evaluate(&obs, &EvaluateOptions::default()))
        })
    });
    g.bench_function("failing_records_one_month_all_kinds", |b| {
        b.iter(|| {
            for id in ["timely", "recurring", "gaps", "three_plus", "rate"] {
                black_box(
                    scorecard
                        .failing_records(&set, id, Some("team1"), "2022-06")
                        .expect("drills"),
                );
            }
        })
    });
    g.finish();
}

criterion_group!(benches, measures);
criterion_main!(benches);
