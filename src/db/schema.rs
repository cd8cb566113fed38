//! Hand-written diesel schema: types both backends share (`BigInt`, `Text`, `Bool`, `Integer`).
//! Times are Unix seconds. The one schema source of the code: keep it in step with `migrations/`
//! (one tree for both backends); `tests/api/migrations.rs` compares it with both after migrating.
#![allow(missing_docs)]

diesel::table! {
    meta (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        lid -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        created_at -> BigInt,
        password_changed_at -> BigInt,
        email_verified_at -> Nullable<BigInt>,
        time_zone -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
        last_seen_at -> BigInt,
    }
}

diesel::table! {
    applications (id) {
        id -> BigInt,
        appid -> Text,
        name -> Text,
        secret_sealed -> Text,
        old_secret_sealed -> Nullable<Text>,
        old_secret_expires_at -> Nullable<BigInt>,
        privacy_url -> Nullable<Text>,
        is_public -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    app_return_urls (application_id, position) {
        application_id -> BigInt,
        position -> Integer,
        url -> Text,
    }
}

diesel::table! {
    resource_providers (id) {
        id -> BigInt,
        rp_id -> Text,
        name -> Text,
        secret_hash -> Text,
        custom_types -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    offers (id) {
        id -> BigInt,
        provider_id -> BigInt,
        name -> Text,
    }
}

diesel::table! {
    offer_actions (offer_id, action) {
        offer_id -> BigInt,
        action -> Text,
        description -> Text,
        grantable -> Bool,
    }
}

diesel::table! {
    token_families (id) {
        id -> BigInt,
        user_id -> BigInt,
        application_id -> BigInt,
        protocol -> Text,
        resource -> Nullable<Text>,
        created_at -> BigInt,
        last_used_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
        revoked_reason -> Nullable<Text>,
        requested_scope -> Nullable<Text>,
    }
}

diesel::table! {
    grants (id) {
        id -> BigInt,
        family_id -> BigInt,
        user_id -> BigInt,
        application_id -> BigInt,
        permission -> Text,
        resource -> Nullable<Text>,
        granted_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        family_id -> BigInt,
        token_hash -> Text,
        generation -> Integer,
        issued_at -> BigInt,
        consumed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    authorization_codes (id) {
        id -> BigInt,
        code_hash -> Text,
        application_id -> BigInt,
        user_id -> BigInt,
        redirect_uri -> Text,
        scope -> Text,
        code_challenge -> Nullable<Text>,
        code_challenge_method -> Nullable<Text>,
        family_id -> Nullable<BigInt>,
        created_at -> BigInt,
        expires_at -> BigInt,
        consumed_at -> Nullable<BigInt>,
        requested_scope -> Nullable<Text>,
    }
}

diesel::table! {
    decided_consents (id) {
        id -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    devices (id) {
        id -> BigInt,
        user_id -> BigInt,
        manufacturer_id -> Text,
        device_type -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    device_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        device_id -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    signing_keys (id) {
        id -> BigInt,
        kid -> Text,
        public_key -> Text,
        private_sealed -> Text,
        created_at -> BigInt,
        retired_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> BigInt,
        kind -> Text,
        user_id -> Nullable<BigInt>,
        application_id -> Nullable<BigInt>,
        family_id -> Nullable<BigInt>,
        detail -> Text,
    }
}

diesel::table! {
    limit_counters (counter_key) {
        counter_key -> Text,
        window_ends -> BigInt,
        attempts -> Integer,
    }
}

diesel::table! {
    email_tokens (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        purpose -> Text,
        email -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(app_return_urls -> applications (application_id));
diesel::joinable!(offers -> resource_providers (provider_id));
diesel::joinable!(offer_actions -> offers (offer_id));
diesel::joinable!(grants -> token_families (family_id));
diesel::joinable!(refresh_tokens -> token_families (family_id));
diesel::joinable!(grants -> applications (application_id));
diesel::joinable!(token_families -> applications (application_id));
diesel::joinable!(audit_events -> applications (application_id));

diesel::allow_tables_to_appear_in_same_query!(
    meta,
    users,
    sessions,
    applications,
    app_return_urls,
    resource_providers,
    offers,
    offer_actions,
    token_families,
    grants,
    refresh_tokens,
    authorization_codes,
    devices,
    device_tokens,
    signing_keys,
    audit_events,
    decided_consents,
    limit_counters,
    email_tokens,
);
