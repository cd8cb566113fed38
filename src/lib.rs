//! Assent: a delegated-consent authorization server. Websites ask users for permissions such as
//! `Contacts.Read`; users decide per permission and per duration; resource providers check the
//! resulting delegation tokens. Two protocols over the same grants: the Windows Live ID Delegated
//! Authentication wire protocol and OAuth 2.0.
#![forbid(unsafe_code)]

pub mod admin;
pub mod catalogue;
pub mod clock;
pub mod config;
pub mod consent;
pub mod consents;
pub mod crypto;
pub mod db;
pub mod delauth;
pub mod demo;
pub mod device;
pub mod domain;
pub mod email_link;
pub mod error;
pub mod i18n;
pub mod mail;
pub mod metrics;
pub mod oauth;
pub mod profile;
pub mod provider_cache;
pub mod ratelimit;
pub mod routes;
pub mod session;
pub mod startup;
pub mod state;
pub mod sweeper;
pub mod telemetry;
pub mod templates;
pub mod tokens;
