//! Command-line options (`--name value` pairs after the mode) and the one way to give up.

use std::collections::HashMap;

/// Print `driver: msg` on stderr and exit with code 2.
pub fn die(msg: &str) -> ! {
    eprintln!("driver: {msg}");
    std::process::exit(2)
}

/// The `--name value` options of one invocation.
pub struct Args(HashMap<String, String>);

impl Args {
    pub fn parse(raw: &[String]) -> Args {
        let mut map = HashMap::new();
        let mut it = raw.iter();
        while let Some(k) = it.next() {
            let Some(name) = k.strip_prefix("--") else {
                die(&format!("unexpected argument {k}"))
            };
            let v = it
                .next()
                .unwrap_or_else(|| die(&format!("--{name} needs a value")));
            map.insert(name.to_string(), v.clone());
        }
        Args(map)
    }

    /// A required option.
    pub fn get(&self, k: &str) -> String {
        self.0
            .get(k)
            .cloned()
            .unwrap_or_else(|| die(&format!("--{k} is required")))
    }

    /// An option with a default.
    pub fn or(&self, k: &str, default: &str) -> String {
        self.0
            .get(k)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    /// A numeric option with a default.
    pub fn num(&self, k: &str, default: f64) -> f64 {
        self.0.get(k).map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| die(&format!("--{k} must be a number")))
        })
    }

    /// An option that may be absent.
    pub fn maybe(&self, k: &str) -> Option<&String> {
        self.0.get(k)
    }
}
