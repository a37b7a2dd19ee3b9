//! Evaluates the 1,000,000-observation benchmark batch once, for measuring
//! peak memory (see benches/README.md, "Memory"):
//!
//! ```sh
//! cargo build --release -p ragulator --example million
//! /usr/bin/time -v target/release/examples/million [statuses|quiet|explain]
//! ```
//!
//! The batch (1,000 entities × 50 indicators × 20 months; 40% target rule,
//! 30% bands, 20% rule sets, 10% comparator) is the criterion bench's,
//! from `benches/common/mod.rs`. The mode picks the evaluation:
//! `statuses` (compact status rows), `quiet` (`evaluate` without
//! explanations, the default) or `explain` (with explanations and traces).

#[path = "../benches/common/mod.rs"]
mod common;

use ragulator::EvaluateOptions;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "quiet".into());
    let (scorecard, data) = common::batch(1_000, 50, 20);
    let options = EvaluateOptions {
        explain: mode == "explain",
        ..EvaluateOptions::default()
    };
    let start = std::time::Instant::now();
    let results = match mode.as_str() {
        "statuses" => scorecard
            .evaluate_statuses(&data, &options)
            .map(|t| t.results.len()),
        "quiet" | "explain" => scorecard.evaluate(&data, &options).map(|e| e.results.len()),
        other => {
            eprintln!("unknown mode '{other}': use statuses, quiet or explain");
            std::process::exit(2);
        }
    };
    match results {
        Ok(n) => println!(
            "{mode}: {} observations, {n} results in {:.2?}",
            data.len(),
            start.elapsed()
        ),
        Err(e) => {
            eprintln!("evaluation failed: {e}");
            std::process::exit(1);
        }
    }
}
