//! Replays fuzz inputs on stable, through exactly the code the fuzz targets
//! run (`fuzz/src/lib.rs`, included here): every saved crash input under
//! `fuzz/regressions/<target>/`, and the seed inputs the corpora start from
//! (the fixtures' and examples' scorecards and data), so CI catches a
//! regression without nightly or cargo-fuzz.

#[allow(dead_code)]
#[path = "../../../fuzz/src/lib.rs"]
mod harness;

use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

/// Which seed files a target takes, by file name.
type Keep = &'static dyn Fn(&str) -> bool;

const TARGETS: [(&str, Target); 8] = [
    ("load_toml", harness::load_toml),
    ("load_json", harness::load_json),
    ("load_yaml", harness::load_yaml),
    ("expr", harness::expr),
    ("read_csv", harness::read_csv),
    ("read_json", harness::read_json),
    ("evaluate_arbitrary", harness::evaluate_arbitrary),
    ("spc", harness::spc),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `target` on `input`, turning a panic into a message naming the file.
fn replay(name: &str, target: Target, path: &Path) -> Option<String> {
    let input = std::fs::read(path).expect("a readable input");
    std::panic::catch_unwind(|| target(&input)).err().map(|e| {
        let why = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{name}: {}: {why}", path.display())
    })
}

#[test]
fn every_saved_crash_input_now_passes() {
    let root = repo_root().join("fuzz/regressions");
    let mut failures = Vec::new();
    for (name, target) in TARGETS {
        for path in files_in(&root.join(name)) {
            failures.extend(replay(name, target, &path));
        }
    }
    // A directory named after no target would never be replayed.
    for dir in files_in_dirs(&root) {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/regressions/{name} is not a fuzz target"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn files_in_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect()
}

/// Every file under `dir` (recursively) whose name satisfies `keep`.
fn find(dir: &Path, keep: &dyn Fn(&str) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            find(&path, keep, out);
        } else if keep(&e.file_name().to_string_lossy()) {
            out.push(path);
        }
    }
}

fn seeds(keep: &dyn Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures", "examples"] {
        find(&repo_root().join(dir), keep, &mut out);
    }
    out.sort();
    out
}

/// The seeds pass the targets' checks too: a scorecard that loads round-trips
/// and evaluates; data rows are all used or rejected.
#[test]
fn the_seed_inputs_pass_every_target() {
    let kinds: [(&str, Target, Keep); 5] = [
        ("load_toml", harness::load_toml, &|n| n.ends_with(".toml")),
        ("load_json", harness::load_json, &|n| {
            n.starts_with("scorecard") && n.ends_with(".json")
        }),
        ("load_yaml", harness::load_yaml, &|n| {
            n.ends_with(".yaml") || n.ends_with(".yml")
        }),
        ("read_csv", harness::read_csv, &|n| n.ends_with(".csv")),
        ("read_json", harness::read_json, &|n| {
            n.starts_with("data") && n.ends_with(".json")
        }),
    ];
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (name, target, keep) in kinds {
        for path in seeds(keep) {
            replayed += 1;
            failures.extend(replay(name, target, &path));
        }
    }
    assert!(replayed > 0, "no seed inputs found under examples/");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The expression target on the rule sets of the fixtures and the example.
#[test]
fn the_seed_expressions_pass_the_expr_target() {
    let mut conditions = Vec::new();
    for path in seeds(&|n| n.ends_with(".toml")) {
        let text = std::fs::read_to_string(&path).expect("readable");
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        if let Some(rules) = doc.get("rules").and_then(|r| r.as_table()) {
            for rule in rules.values() {
                for clause in rule
                    .get("when")
                    .and_then(|w| w.as_array())
                    .into_iter()
                    .flatten()
                {
                    if let Some(c) = clause.get("if").and_then(|c| c.as_str()) {
                        conditions.push(c.to_string());
                    }
                }
            }
        }
    }
    assert!(!conditions.is_empty(), "no rule-set conditions found");
    for c in &conditions {
        for selector in 0u8..8 {
            let mut input = vec![selector];
            input.extend_from_slice(c.as_bytes());
            harness::expr(&input);
        }
    }
}

/// The structured targets on fixed byte patterns (all zeros, all ones, a
/// counting sequence): cheap, deterministic, and they walk the generators.
#[test]
fn the_structured_targets_run_on_fixed_patterns() {
    let patterns: Vec<Vec<u8>> = vec![
        vec![0; 4096],
        vec![0xff; 4096],
        (0..4096u32).map(|i| (i * 7 % 251) as u8).collect(),
    ];
    for p in &patterns {
        harness::evaluate_arbitrary(p);
        harness::spc(p);
    }
}
