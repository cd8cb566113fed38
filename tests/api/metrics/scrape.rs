//! Scraping the metrics listener in tests: a scrape's series, deltas between two, the names the
//! README lists, and running a counting test in a process of its own.

use std::collections::BTreeMap;
use std::process::Command;

use crate::helpers::TestApp;

const ALONE: &str = "ASSENT_METRICS_TEST_ALONE";

/// True in the process of its own where `test` (its path in this binary) runs alone; elsewhere
/// runs that process, asserts that the test passed there, and returns false.
pub fn alone(test: &str) -> bool {
    if std::env::var_os(ALONE).is_some() {
        return true;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(ALONE, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test} alone: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// One scrape: every series as (name, labels) -> value.
pub struct Scrape {
    pub text: String,
    pub series: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Scrape {
    pub async fn of(app: &TestApp) -> Scrape {
        let base = app.metrics_address.as_ref().expect("metrics listener on");
        let r = reqwest::get(format!("{base}/metrics")).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        Scrape::parse(r.text().await.unwrap())
    }

    fn parse(text: String) -> Scrape {
        let series = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|line| {
                let (series, value) = line.rsplit_once(' ').unwrap();
                let value: f64 = value.parse().unwrap();
                match series.split_once('{') {
                    None => (series.to_string(), BTreeMap::new(), value),
                    Some((name, rest)) => {
                        let labels = rest.strip_suffix('}').unwrap();
                        (name.to_string(), parse_labels(labels), value)
                    }
                }
            })
            .collect();
        Scrape { text, series }
    }

    /// The sum of the series of `name` whose labels include `labels`.
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.series
            .iter()
            .filter(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| v)
            .sum()
    }

    /// Is there any series of `name` with exactly these label names?
    pub fn has(&self, name: &str) -> bool {
        self.series.iter().any(|(n, _, _)| n == name)
    }
}

/// `a="x",b="y{z}"` (values as Assent writes them: no escaped quotes).
fn parse_labels(text: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut rest = text;
    while let Some((key, after)) = rest.split_once("=\"") {
        let (value, after) = after.split_once('"').unwrap();
        labels.insert(key.trim_start_matches(',').to_string(), value.to_string());
        rest = after;
    }
    labels
}

/// What `later` counted more than `earlier`.
pub fn delta(earlier: &Scrape, later: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    later.sum(name, labels) - earlier.sum(name, labels)
}

/// The metric names of the README's table (between the `<!-- metrics -->` markers).
pub fn readme_names() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let start = readme.find("<!-- metrics -->").unwrap();
    let end = readme.find("<!-- /metrics -->").unwrap();
    readme[start..end]
        .lines()
        .filter_map(|l| l.split('|').nth(1))
        .filter_map(|c| c.trim().strip_prefix('`')?.strip_suffix('`'))
        .map(str::to_string)
        .collect()
}
