//! Fuzz target `read_csv`: see `ragulator_fuzz::read_csv` (shared with the stable
//! regression test `crates/ragulator/tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ragulator_fuzz::read_csv(data));
