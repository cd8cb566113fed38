// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

//! The one integration binary: every test boots the real application on port 0 with a fresh
//! database (SQLite by default; PostgreSQL when ASSENT_TEST_DATABASE_URL names a server).

mod account;
mod backup;
mod bench_seed;
mod browser;
mod cli;
mod consent_page;
mod dashboard;
mod delauth;
mod demo;
mod device;
mod email;
mod error_pages;
mod group_commit;
mod health;
mod helpers;
mod instances;
mod languages;
mod limits;
mod logs;
mod metrics;
mod migrations;
mod oauth;
mod outage;
mod properties;
mod protocol_doc;
mod provider;
mod refresh_retry;
mod rollover;
mod rotation;
mod shutdown;
mod stall;
mod storage;
mod sweep;
mod upgrade;
mod website;
mod wlogin;
