//! The body of `POST /tokens`, parsed at the edge: a form or a JSON object with `email`,
//! `password`, `manufacturerId` and an optional `deviceType`.

use serde::Deserialize;

use super::DeviceError;

/// Longest accepted `email`, `password`, `manufacturerId` and `deviceType` (bytes).
const MAX_EMAIL: usize = 320;
const MAX_MANUFACTURER_ID: usize = 200;
const MAX_DEVICE_TYPE: usize = 64;

/// The fields of `POST /tokens` as sent (form or JSON).
#[derive(Deserialize)]
struct RawTokenRequest {
    email: String,
    password: String,
    #[serde(rename = "manufacturerId", alias = "manufacturer_id")]
    manufacturer_id: String,
    #[serde(default, rename = "deviceType", alias = "device_type")]
    device_type: Option<String>,
}

/// A parsed `POST /tokens` body. `Debug` never shows the password.
pub struct TokenRequest {
    /// The email as typed (matched lower-cased).
    pub email: String,
    /// Only the sign-in reads it.
    pub(super) password: String,
    /// The client's own device identifier.
    pub manufacturer_id: String,
    /// E.g. `phone`; absent when not given or empty.
    pub device_type: Option<String>,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("email", &self.email)
            .field("manufacturer_id", &self.manufacturer_id)
            .field("device_type", &self.device_type)
            .finish_non_exhaustive()
    }
}

fn clean(value: &str, max: usize) -> Option<&str> {
    let value = value.trim();
    (value.len() <= max && !value.chars().any(char::is_control)).then_some(value)
}

impl TokenRequest {
    /// Parse a form (`application/x-www-form-urlencoded`) or JSON body; without a content type, a
    /// body starting with `{` is JSON. Anything else, or a missing or oversized field, is
    /// `invalid_request`.
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<TokenRequest, DeviceError> {
        let mime = content_type
            .and_then(|c| c.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let json = match mime.as_str() {
            "application/json" => true,
            m if m.ends_with("+json") => true,
            "application/x-www-form-urlencoded" => false,
            "" => body.trim_ascii_start().starts_with(b"{"),
            _ => {
                return Err(DeviceError::InvalidRequest(
                    "send email, password and manufacturerId as a form or as a JSON object",
                ))
            }
        };
        let raw: RawTokenRequest = if json {
            serde_json::from_slice(body).map_err(|_| {
                DeviceError::InvalidRequest(
                    "the body must be a JSON object with string fields email, password and \
                     manufacturerId",
                )
            })?
        } else {
            serde_urlencoded::from_bytes(body).map_err(|_| {
                DeviceError::InvalidRequest("the form needs email, password and manufacturerId")
            })?
        };
        let email = clean(&raw.email, MAX_EMAIL)
            .filter(|e| !e.is_empty())
            .ok_or(DeviceError::InvalidRequest("email is empty or too long"))?;
        if raw.password.len() > crate::domain::password::MAX_PASSWORD_BYTES {
            return Err(DeviceError::InvalidRequest("password is too long"));
        }
        let manufacturer_id = clean(&raw.manufacturer_id, MAX_MANUFACTURER_ID)
            .filter(|m| !m.is_empty())
            .ok_or(DeviceError::InvalidRequest(
                "manufacturerId must be 1 to 200 characters without control characters",
            ))?;
        let device_type = match raw
            .device_type
            .as_deref()
            .map(|t| clean(t, MAX_DEVICE_TYPE))
        {
            None => None,
            Some(Some(t)) => Some(t).filter(|t| !t.is_empty()).map(str::to_string),
            Some(None) => {
                return Err(DeviceError::InvalidRequest(
                    "deviceType must be at most 64 characters without control characters",
                ))
            }
        };
        Ok(TokenRequest {
            email: email.to_string(),
            password: raw.password,
            manufacturer_id: manufacturer_id.to_string(),
            device_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(ct: Option<&str>, body: &str) -> Result<TokenRequest, DeviceError> {
        TokenRequest::parse(ct, body.as_bytes())
    }

    #[test]
    fn a_form_and_a_json_body_parse_alike() {
        let form = parse(
            Some("application/x-www-form-urlencoded"),
            "email=a%40x.io&password=pw&manufacturerId=iPhone-1&deviceType=phone",
        )
        .unwrap();
        let json = parse(
            Some("application/json; charset=utf-8"),
            r#"{"email":"a@x.io","password":"pw","manufacturerId":"iPhone-1","deviceType":"phone"}"#,
        )
        .unwrap();
        for r in [&form, &json] {
            assert_eq!(r.email, "a@x.io");
            assert_eq!(r.password, "pw");
            assert_eq!(r.manufacturer_id, "iPhone-1");
            assert_eq!(r.device_type.as_deref(), Some("phone"));
        }
        let sniffed = parse(
            None,
            r#" {"email":"a@x.io","password":"","manufacturerId":"m"}"#,
        );
        assert_eq!(sniffed.unwrap().device_type, None);
        assert!(
            !format!("{form:?}").contains("pw"),
            "Debug hides the password"
        );
    }

    #[test]
    fn malformed_or_incomplete_bodies_are_invalid_requests() {
        let json = Some("application/json");
        let form = Some("application/x-www-form-urlencoded");
        let long = "m".repeat(201);
        for (ct, body) in [
            (json, "{\"email\":"),
            (json, "[]"),
            (json, r#"{"email":5,"password":"p","manufacturerId":"m"}"#),
            (json, r#"{"email":"a@x.io","password":"p"}"#),
            (
                json,
                r#"{"email":"a@x.io","password":"p","manufacturerId":"  "}"#,
            ),
            (json, r#"{"email":"","password":"p","manufacturerId":"m"}"#),
            (form, "email=a%40x.io&password=p"),
            (form, &format!("email=a&password=p&manufacturerId={long}")),
            (form, "email=a&password=p&manufacturerId=m&deviceType=a%0Ab"),
            (Some("text/plain"), "email=a&password=p&manufacturerId=m"),
        ] {
            assert!(
                matches!(parse(ct, body), Err(DeviceError::InvalidRequest(_))),
                "{body}"
            );
        }
    }
}
