//! `ragulator report`: writes the HTML file; defaults and errors.

use std::path::PathBuf;

use assert_cmd::Command;

fn example(file: &str) -> String {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    p.push("../../examples/childrens-social-care");
    p.push(file);
    p.to_string_lossy().into_owned()
}

fn ragulator() -> Command {
    Command::cargo_bin("ragulator").expect("binary builds")
}

#[test]
fn report_writes_one_html_file_for_the_latest_month() {
    let dir = std::env::temp_dir().join(format!("ragulator-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("report.html");
    ragulator()
        .args(["report", "--scorecard", &example("scorecard.toml")])
        .args(["--data", &example("data.csv")])
        .args(["--overrides", &example("overrides.csv")])
        .args(["--narrative", &example("narrative.toml")])
        .args(["--entity", "southampton", "-o"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("June 2022"), "latest period by default");
    assert!(
        html.contains("Audit the June re-referrals"),
        "narrative printed"
    );
    assert_eq!(html.matches("<section class=\"theme\"").count(), 5);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn report_needs_an_entity_when_the_data_has_several() {
    let out = ragulator()
        .args(["report", "--scorecard", &example("scorecard.toml")])
        .args(["--data", &example("data.csv"), "-o", "unused.html"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains("southampton") && err.contains("portsmouth"),
        "{err}"
    );
    assert!(!std::path::Path::new("unused.html").exists());
}

#[test]
fn report_rejects_a_narrative_with_an_unknown_theme() {
    let dir = std::env::temp_dir().join(format!("ragulator-narrative-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let narrative = dir.join("narrative.yaml");
    std::fs::write(&narrative, "assesment:\n  \"2022-06\":\n    analysis: x\n").unwrap();
    let out = ragulator()
        .args(["report", "--scorecard", &example("scorecard.toml")])
        .args(["--data", &example("data.csv"), "--entity", "southampton"])
        .arg("--narrative")
        .arg(&narrative)
        .arg("-o")
        .arg(dir.join("r.html"))
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains("assesment: unknown theme 'assesment'"),
        "{err}"
    );
    assert!(!dir.join("r.html").exists());
    std::fs::remove_dir_all(&dir).ok();
}
