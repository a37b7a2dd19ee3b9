//! SPC benchmarks: one 120-point chart, and 10,000 charts of 36 points.
use std::hint::black_box;
use std::str::FromStr;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ragulator::spc::{chart, ChartOptions, Improvement};
use rust_decimal::Decimal;

/// A deterministic series with some drift and noise, one decimal place.
fn series(seed: u64, n: usize) -> Vec<Decimal> {
    let mut x = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (0..n)
        .map(|i| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let noise = (x >> 33) % 100;
            Decimal::from_str(&format!(
                "{}.{}",
                70 + (i / 12) + (noise / 10) as usize,
                noise % 10
            ))
            .unwrap_or_default()
        })
        .collect()
}

fn spc(c: &mut Criterion) {
    let options = ChartOptions::default();
    let target = Some(Decimal::from(75));
    let one = series(1, 120);
    c.bench_function("spc_chart_120_points", |b| {
        b.iter(|| {
            black_box(chart(
                black_box(&one),
                &[],
                &options,
                Improvement::Increase,
                target,
            ))
        })
    });
    let many: Vec<Vec<Decimal>> = (0..10_000).map(|s| series(s, 36)).collect();
    let mut g = c.benchmark_group("spc_10000_series");
    g.sample_size(10);
    g.throughput(Throughput::Elements(many.len() as u64));
    g.bench_function("36_points_each", |b| {
        b.iter(|| {
            for s in &many {
                black_box(chart(s, &[], &options, Improvement::Decrease, target));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, spc);
criterion_main!(benches);
