//! Fuzz target `load_json`: see `ragulator_fuzz::load_json` (shared with the stable
//! regression test `crates/ragulator/tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ragulator_fuzz::load_json(data));
