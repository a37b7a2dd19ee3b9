//! Fuzz target `spc`: see `ragulator_fuzz::spc` (shared with the stable
//! regression test `crates/ragulator/tests/fuzz_regressions.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ragulator_fuzz::spc(data));
