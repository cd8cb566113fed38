//! The error answers of the token, revocation and introspection endpoints, written by Assent
//! itself (oxide-auth writes the others): `{"error":<code>,"error_description":..}`.

/// One error answer; its code is the protocol's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthError {
    /// `invalid_request`, 400: "The request is missing a required parameter, includes an
    /// unsupported parameter value ..., repeats a parameter, ... or is otherwise malformed"
    /// (RFC 6749 section 5.2).
    InvalidRequest(&'static str),
    /// `invalid_client`, 401: "Client authentication failed (e.g., unknown client, no client
    /// authentication included, or unsupported authentication method)" (RFC 6749 section 5.2).
    InvalidClient(&'static str),
    /// `invalid_grant`, 400: "The provided authorization grant ... or refresh token is invalid,
    /// expired, revoked, does not match the redirection URI ..., or was issued to another
    /// client" (RFC 6749 section 5.2).
    InvalidGrant(&'static str),
    /// `unsupported_grant_type`, 400: "The authorization grant type is not supported by the
    /// authorization server" (RFC 6749 section 5.2).
    UnsupportedGrantType(&'static str),
    /// `invalid_target`, 400: "The requested resource is invalid, missing, unknown, or
    /// malformed" (RFC 8707 section 2), or names a provider none of whose offers the grant covers.
    InvalidTarget(&'static str),
    /// `too_many_attempts`, 429 with `Retry-After`: too many failed client authentications for
    /// this `client_id` or from this address in the window (RFC 6749 section 2.3.1: "the
    /// authorization server MUST protect any endpoint utilizing it against brute force attacks");
    /// even the right secret is refused until the window ends.
    TooManyAttempts {
        /// Seconds until the window ends.
        retry_after: i64,
    },
    /// `temporarily_unavailable`, 503: Assent's storage is unreachable (RFC 6749 section 4.1.2.1
    /// names the code; the token endpoint answers it with 503 too).
    TemporarilyUnavailable,
    /// `server_error`, 500: "The authorization server encountered an unexpected condition"
    /// (RFC 6749 section 4.1.2.1); the cause is logged, never sent.
    ServerError(&'static str),
}

impl OAuthError {
    /// The protocol's code.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient(_) => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OAuthError::InvalidTarget(_) => "invalid_target",
            OAuthError::TooManyAttempts { .. } => "too_many_attempts",
            OAuthError::TemporarilyUnavailable => "temporarily_unavailable",
            OAuthError::ServerError(_) => "server_error",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            OAuthError::InvalidClient(_) => 401,
            OAuthError::TooManyAttempts { .. } => 429,
            OAuthError::TemporarilyUnavailable => 503,
            OAuthError::ServerError(_) => 500,
            _ => 400,
        }
    }

    /// The `error_description`.
    pub fn description(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(d)
            | OAuthError::InvalidClient(d)
            | OAuthError::InvalidGrant(d)
            | OAuthError::UnsupportedGrantType(d)
            | OAuthError::InvalidTarget(d)
            | OAuthError::ServerError(d) => d,
            OAuthError::TooManyAttempts { .. } => {
                "Too many failed client authentications; wait before trying again."
            }
            OAuthError::TemporarilyUnavailable => "Try again shortly.",
        }
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::OAuthError::*;

    #[test]
    fn each_error_has_the_status_its_rfc_gives() {
        assert_eq!(
            (InvalidClient("x").code(), InvalidClient("x").status()),
            ("invalid_client", 401)
        );
        assert_eq!(
            (InvalidGrant("x").code(), InvalidGrant("x").status()),
            ("invalid_grant", 400)
        );
        assert_eq!(
            (InvalidTarget("x").code(), InvalidTarget("x").status()),
            ("invalid_target", 400),
            "RFC 8707 section 2"
        );
        assert_eq!(TemporarilyUnavailable.status(), 503);
        let limited = TooManyAttempts { retry_after: 9 };
        assert_eq!(
            (limited.code(), limited.status()),
            ("too_many_attempts", 429)
        );
        assert_eq!(ServerError("x").status(), 500);
    }
}
