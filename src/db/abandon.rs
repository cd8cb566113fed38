//! Storage work whose request stopped waiting for it (past `Db`'s bound, see `Db::run`). The work
//! runs on, stuck on a stalled database; when it gets through, it must not begin a write the
//! client was already told failed (a retried refresh would then look like reuse). So a write
//! transaction checks, after its turn came and before it begins, that its request still waits.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

thread_local! {
    static CURRENT: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Whether a request still waits for its storage work.
#[derive(Debug, Default, Clone)]
pub(super) struct Watch(Arc<AtomicBool>);

/// Clears the thread's watch when the work ends (even by a panic).
struct Reset;

impl Drop for Reset {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().take());
    }
}

impl Watch {
    /// The request stopped waiting.
    pub(super) fn abandon(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Run `f` (on the blocking thread) under this watch.
    pub(super) fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        CURRENT.with(|c| *c.borrow_mut() = Some(self.0.clone()));
        let _reset = Reset;
        f()
    }
}

/// Did the request this thread works for stop waiting?
pub(super) fn abandoned() -> bool {
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|a| a.load(Ordering::SeqCst))
    })
}

/// The watch of the request this thread works for, if any (a group write checks it on the
/// writer's thread before it begins the change).
pub(super) fn current() -> Option<Arc<AtomicBool>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Before a write begins: an error when its request was answered already (a 503), so the write is
/// not made behind the client's back.
pub(super) fn before_write() -> diesel::QueryResult<()> {
    if abandoned() {
        return Err(diesel::result::Error::RollbackTransaction);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_work_under_an_abandoned_watch_is_abandoned() {
        let watch = Watch::default();
        assert!(!watch.run(abandoned));
        watch.abandon();
        assert!(watch.run(abandoned));
        assert!(!abandoned(), "the watch ends with its work");
    }
}
