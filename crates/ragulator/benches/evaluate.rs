//! Evaluation benchmarks (see benches/README.md for the figures).
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ragulator::{EvaluateOptions, Scorecard};

mod common;

fn one_target_rule(c: &mut Criterion) {
    let scorecard = Scorecard::from_toml(
        "ragulator = 1\n[[indicator]]\nid = \"re_referrals\"\nname = \"Re-referrals within 12 months\"\n\
         unit = \"percent\"\npolarity = \"lower_is_better\"\ndecimals = 1\ntarget = 20\nrag = { rule = \"target\", amber = 2 }\n",
    )
    .expect("valid");
    let data = scorecard
        .read_csv(b"indicator,period,value\nre_referrals,2022-06,24.08\n")
        .expect("reads");
    let mut g = c.benchmark_group("one_result");
    g.bench_function("target_rule_with_explanation", |b| {
        b.iter(|| black_box(scorecard.evaluate(black_box(&data), &EvaluateOptions::default())))
    });
    let quiet = EvaluateOptions {
        explain: false,
        ..EvaluateOptions::default()
    };
    g.bench_function("target_rule_without_explanation", |b| {
        b.iter(|| black_box(scorecard.evaluate(black_box(&data), &quiet)))
    });
    g.finish();
}

fn million(c: &mut Criterion) {
    let (scorecard, data) = common::batch(1_000, 50, 20);
    let mut g = c.benchmark_group("batch_1m");
    g.sample_size(10);
    g.throughput(Throughput::Elements(data.len() as u64));
    let quiet = EvaluateOptions {
        explain: false,
        ..EvaluateOptions::default()
    };
    g.bench_function("evaluate_without_explanations", |b| {
        b.iter_batched(
            || (),
            |_| black_box(scorecard.evaluate(&data, &quiet)),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("evaluate_statuses", |b| {
        b.iter_batched(
            || (),
            |_| black_box(scorecard.evaluate_statuses(&data, &quiet)),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("evaluate_with_explanations", |b| {
        b.iter_batched(
            || (),
            |_| black_box(scorecard.evaluate(&data, &EvaluateOptions::default())),
            BatchSize::PerIteration,
        )
    });
    let csv = common::data_csv(1_000, 50, 20);
    g.bench_function("read_csv", |b| {
        b.iter(|| black_box(scorecard.read_csv(csv.as_bytes())))
    });
    drop(csv);
    // The same rows as JSON objects: each key matched as a CSV header is
    // (ignoring case and spaces), per row, since objects need not share keys.
    let json = common::data_json(1_000, 50, 20);
    let read = scorecard.read_json(json.as_bytes()).expect("reads");
    assert_eq!((read.len(), read.rejected().len()), (data.len(), 0));
    g.bench_function("read_json", |b| {
        b.iter(|| black_box(scorecard.read_json(json.as_bytes())))
    });
    g.finish();
}

fn load_200(c: &mut Criterion) {
    let text = common::scorecard_toml(200);
    c.bench_function("load_200_indicator_scorecard", |b| {
        b.iter(|| black_box(Scorecard::from_toml(black_box(&text))))
    });
}

criterion_group!(benches, one_target_rule, million, load_200);
criterion_main!(benches);
