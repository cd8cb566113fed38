//! `[metrics]`: where the Prometheus metrics are served (a listener of their own, never the public one).

use serde::Deserialize;

/// `[metrics]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// `bind` (`ASSENT_METRICS_BIND`): the address of the metrics listener, which serves only
    /// `GET /metrics` (default `127.0.0.1:9464`, reachable from this host alone; port 0 picks a
    /// free port; `off` or empty: no listener).
    pub bind: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            bind: "127.0.0.1:9464".into(),
        }
    }
}

impl MetricsConfig {
    /// The address to listen on, or None when metrics are turned off.
    pub fn listen_on(&self) -> Option<&str> {
        let bind = self.bind.trim();
        (!bind.is_empty() && !bind.eq_ignore_ascii_case("off")).then_some(bind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_or_empty_turns_the_metrics_listener_off() {
        let with = |bind: &str| MetricsConfig { bind: bind.into() };
        assert_eq!(MetricsConfig::default().listen_on(), Some("127.0.0.1:9464"));
        assert_eq!(with("off").listen_on(), None);
        assert_eq!(with("OFF").listen_on(), None);
        assert_eq!(with(" ").listen_on(), None);
        assert_eq!(with("[::1]:0").listen_on(), Some("[::1]:0"));
    }
}
