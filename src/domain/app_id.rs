//! Identifiers: the application id (16 upper-case hex digits) and the user's location id (16
//! lower-case hex digits).

use crate::crypto::{random_bytes, RngError};

/// An application id, e.g. `000000004C00C9B8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppId(String);

impl AppId {
    /// Parse exactly 16 hex digits; lower-case input is upper-cased.
    pub fn parse(input: &str) -> Option<AppId> {
        (input.len() == 16 && input.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| AppId(input.to_ascii_uppercase()))
    }

    /// A random 64-bit application id.
    pub fn generate() -> Result<AppId, RngError> {
        Ok(AppId(hex::encode_upper(random_bytes::<8>()?)))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user's location id, e.g. `6a9e4d31496a894d`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lid(String);

impl Lid {
    /// Parse exactly 16 hex digits; upper-case input is lower-cased.
    pub fn parse(input: &str) -> Option<Lid> {
        (input.len() == 16 && input.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Lid(input.to_ascii_lowercase()))
    }

    /// A random location id.
    pub fn generate() -> Result<Lid, RngError> {
        Ok(Lid(hex::encode(random_bytes::<8>()?)))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_app_id_is_sixteen_upper_case_hex_digits() {
        let id = AppId::generate().unwrap();
        assert_eq!(id.as_str().len(), 16);
        assert!(id
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        assert_eq!(AppId::parse(&id.as_str().to_lowercase()), Some(id));
    }

    #[test]
    fn a_malformed_app_id_is_rejected() {
        assert!(AppId::parse("000000004C00C9B").is_none());
        assert!(AppId::parse("000000004C00C9BZ").is_none());
    }

    #[test]
    fn a_lid_is_lower_case() {
        let lid = Lid::generate().unwrap();
        assert!(lid
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    }
}
