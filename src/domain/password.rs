//! The rule for a new password, the same at sign-up, at a password change and for the CLI.

/// Fewest characters of a new password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Most bytes of any password Assent hashes (argon2 cost must not be a client's choice).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewPasswordError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    TooShort,
    /// More than [`MAX_PASSWORD_BYTES`] bytes.
    TooLong,
}

/// Check a new password against the rule.
pub fn check_new_password(password: &str) -> Result<(), NewPasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(NewPasswordError::TooShort)
    } else if password.len() > MAX_PASSWORD_BYTES {
        Err(NewPasswordError::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_of_ten_characters_is_long_enough_even_in_few_bytes_per_character() {
        assert_eq!(check_new_password("ten chars!"), Ok(()));
        assert_eq!(check_new_password("äöüäöüäöüä"), Ok(()));
        assert_eq!(
            check_new_password("nine char"),
            Err(NewPasswordError::TooShort)
        );
    }

    #[test]
    fn a_password_over_a_kibibyte_is_too_long() {
        assert_eq!(check_new_password(&"x".repeat(1024)), Ok(()));
        assert_eq!(
            check_new_password(&"x".repeat(1025)),
            Err(NewPasswordError::TooLong)
        );
    }
}
