//! Fuzz target `load_yaml`: see `ragulator_fuzz::load_yaml` (shared with the stable
//! regression test `crates/ragulator/tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ragulator_fuzz::load_yaml(data));
