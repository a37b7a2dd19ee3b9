//! Fuzz target `load_toml`: see `ragulator_fuzz::load_toml` (shared with the stable
//! regression test `crates/ragulator/tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ragulator_fuzz::load_toml(data));
