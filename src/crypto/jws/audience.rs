//! The `aud` claim (RFC 7519 section 4.1.3): one string when the token is for one resource
//! provider, an array when it is for several (docs/protocol.md section 5).

use serde::{Deserialize, Serialize};

/// A token's audience: resource indicators (RFC 8707), one per resource provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// One audience, written as a string.
    One(String),
    /// Several (or none), written as an array.
    Many(Vec<String>),
}

impl Audience {
    /// The audience of `values`, in their order: a string for exactly one, an array otherwise.
    pub fn of(mut values: Vec<String>) -> Audience {
        if values.len() == 1 {
            Audience::One(values.remove(0))
        } else {
            Audience::Many(values)
        }
    }

    /// Every value.
    pub fn values(&self) -> &[String] {
        match self {
            Audience::One(one) => std::slice::from_ref(one),
            Audience::Many(many) => many,
        }
    }

    /// True when `value` is the audience or one of its values (compared exactly).
    pub fn names(&self, value: &str) -> bool {
        self.values().iter().any(|v| v == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_audience_is_a_string_and_several_an_array() {
        let one = Audience::of(vec!["https://a.example/resources/assent".into()]);
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            r#""https://a.example/resources/assent""#
        );
        let two = Audience::of(vec!["x".into(), "y".into()]);
        assert_eq!(serde_json::to_string(&two).unwrap(), r#"["x","y"]"#);
        for json in [r#""x""#, r#"["x","y"]"#] {
            let read: Audience = serde_json::from_str(json).unwrap();
            assert!(read.names("x") && !read.names("z") && !read.names("X"));
        }
        assert!(serde_json::from_str::<Audience>("7").is_err());
    }
}
