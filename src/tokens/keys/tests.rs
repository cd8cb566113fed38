//! The key ring's ages and reloads, on a real (SQLite) database and a fake monotonic clock.

use std::cell::Cell;

use super::*;
use crate::db::Db;

const NOW: i64 = 1_800_000_000;

thread_local! {
    static CLOCK: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The fake monotonic clock: whatever the test set last.
fn fake_clock() -> Instant {
    CLOCK.with(|c| c.get()).expect("the test sets the clock")
}

fn set_clock(at: Instant) {
    CLOCK.with(|c| c.set(Some(at)));
}

struct Setup {
    _dir: tempfile::TempDir,
    db: Db,
    key: ServerKey,
    ring: KeyRing,
    start: Instant,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/k.db", dir.path().display()), 1, 5000).unwrap();
    db.migrate().unwrap();
    let key = ServerKey::from_bytes(&[3; 32]);
    let start = Instant::now();
    set_clock(start);
    let ring = KeyRing::with_clock(60, 3600, fake_clock);
    db.transaction_sync(|conn| ring.reload(conn, &key, NOW))
        .unwrap();
    Setup {
        _dir: dir,
        db,
        key,
        ring,
        start,
    }
}

impl Setup {
    /// Rotate in storage only (as another instance would); returns the new kid.
    fn rotate_elsewhere(&self) -> String {
        self.db
            .transaction_sync(|conn| new_signing_key(conn, &self.key, NOW))
            .unwrap()
    }

    fn signer_kid(&self, wall_now: i64) -> String {
        self.db
            .run_sync(|conn| self.ring.signer(conn, &self.key, wall_now))
            .unwrap()
            .kid()
            .to_string()
    }

    fn knows(&self, kid: &str) -> bool {
        self.db
            .run_sync(|conn| self.ring.verifying(kid, conn, &self.key, NOW))
            .unwrap()
            .is_some()
    }

    fn loaded_at(&self) -> Option<Instant> {
        self.ring.ring.read().unwrap().loaded_at
    }
}

#[test]
fn the_ring_reloads_by_its_monotonic_age_even_after_the_wall_clock_steps_back() {
    let s = setup();
    let first = s.signer_kid(NOW);
    let rotated = s.rotate_elsewhere();
    set_clock(s.start + Duration::from_secs(30));
    assert_eq!(s.signer_kid(NOW), first, "fresh: the cached key signs");
    // The wall clock steps back an hour; a minute passes on the monotonic clock.
    set_clock(s.start + Duration::from_secs(61));
    assert_eq!(s.signer_kid(NOW - 3600), rotated, "old: reloaded");
}

#[test]
fn a_wall_clock_stepped_forward_does_not_age_the_ring() {
    let s = setup();
    let first = s.signer_kid(NOW);
    s.rotate_elsewhere();
    set_clock(s.start + Duration::from_secs(1));
    assert_eq!(s.signer_kid(NOW + 86_400), first);
}

#[test]
fn a_new_kid_reloads_at_once_every_time_and_garbage_never_reloads() {
    let s = setup();
    let loaded = s.loaded_at();
    assert!(!s.knows("no-such-kid"));
    assert!(!s.knows("no-such-kid"));
    assert_eq!(s.loaded_at(), loaded, "garbage did not reload the ring");

    // Two rotations elsewhere within the same second: each new kid is found.
    let second = s.rotate_elsewhere();
    set_clock(s.start + Duration::from_millis(1));
    assert!(s.knows(&second));
    let third = s.rotate_elsewhere();
    set_clock(s.start + Duration::from_millis(2));
    assert!(!s.knows("no-such-kid"));
    assert!(s.knows(&third), "a kid that appeared after the last reload");
}
