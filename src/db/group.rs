//! Group commit on SQLite: concurrent state changes are written by one writer thread in ONE
//! transaction (one WAL append, one fsync with `synchronous = full`), each change in its own
//! savepoint, so a change that fails is rolled back alone and never fails or delays the others.
//! Each caller is answered only after the transaction holding its change committed.
//!
//! A change is an owned closure (`Send + 'static`): it runs on the writer's connection, not the
//! caller's. The caller's thread waits for its answer (callers are on the blocking pool).

use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};

use super::cached::{self, Release, RollbackTo, Savepoint};
use super::{pool::Manager, tx, DbConnection, DbError};

/// The most changes one transaction takes (the rest wait for the next one).
const MAX_GROUP: usize = 256;

/// What the writer does with one change.
struct Job {
    /// Run the change (inside its savepoint); Ok when it wrote and must be kept.
    run: Box<dyn FnOnce(&mut DbConnection) -> Ran + Send>,
    /// Answer the caller with a storage error without running the change.
    refuse: Box<dyn FnOnce(DbError) + Send>,
    /// The caller's request stopped waiting (see `abandon`): do not begin its change.
    abandoned: Option<Arc<AtomicBool>>,
}

/// A change that ran: whether to keep it, and how to answer once the group's fate is known.
struct Ran {
    keep: bool,
    answer: Box<dyn FnOnce(Option<DbError>) + Send>,
}

/// The queue to the writer thread; the thread ends when the last `Db` clone drops its sender.
#[derive(Clone)]
pub(super) struct Group {
    jobs: Sender<Job>,
}

impl Group {
    /// Start the writer (SQLite) with its own connection from `manager` (not from the pool: the
    /// callers waiting for it may hold every pooled one), serialized with the process's other
    /// writers by `write_lock`.
    pub(super) fn start(manager: Manager, write_lock: Arc<Mutex<()>>) -> std::io::Result<Group> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer(&manager, &write_lock, &queue))?;
        Ok(Group { jobs })
    }

    /// Write `change` in the next group and wait for its answer (after the commit).
    pub(super) fn write<T, E, F>(&self, change: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel::<Result<T, E>>(1);
        let refused = tx.clone();
        let job = Job {
            run: Box::new(move |conn| ran(conn, change, tx)),
            refuse: Box::new(move |e| {
                let _ = refused.send(Err(E::from(e)));
            }),
            abandoned: super::abandon::current(),
        };
        if self.jobs.send(job).is_err() {
            return Err(E::from(DbError::Blocking));
        }
        rx.recv().unwrap_or(Err(E::from(DbError::Blocking)))
    }
}

fn ran<T: Send + 'static, E: From<DbError> + Send + 'static>(
    conn: &mut DbConnection,
    change: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    tx: SyncSender<Result<T, E>>,
) -> Ran {
    match change(conn) {
        Ok(value) => Ran {
            keep: true,
            answer: Box::new(move |failed| {
                let _ = tx.send(match failed {
                    None => Ok(value),
                    Some(e) => Err(E::from(e)),
                });
            }),
        },
        Err(e) => Ran {
            keep: false,
            answer: Box::new(move |_| {
                let _ = tx.send(Err(e));
            }),
        },
    }
}

/// Take every waiting change (up to [`MAX_GROUP`]) and write them together, until the queue closes.
fn writer(manager: &Manager, write_lock: &Mutex<()>, queue: &Receiver<Job>) {
    use r2d2::ManageConnection;
    let mut own: Option<super::pool::Pooled> = None;
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let jobs: Vec<Job> = jobs
            .into_iter()
            .filter_map(|job| match &job.abandoned {
                Some(a) if a.load(std::sync::atomic::Ordering::SeqCst) => {
                    (job.refuse)(DbError::Query(diesel::result::Error::RollbackTransaction));
                    // (the same error `abandon::before_write` gives a write that was not begun)
                    None
                }
                _ => Some(job),
            })
            .collect();
        if jobs.is_empty() {
            continue;
        }
        let conn = match own.take() {
            Some(conn) => Ok(conn),
            None => manager.connect(),
        };
        let mut conn = match conn {
            Ok(conn) => conn,
            Err(e) => {
                let text = e.to_string();
                for job in jobs {
                    (job.refuse)(DbError::Group(text.clone()));
                }
                continue;
            }
        };
        {
            // A poisoned lock only means another writer panicked; the data is in the database.
            let _guard = write_lock.lock().unwrap_or_else(|p| p.into_inner());
            write_group(&mut conn.conn, jobs);
        }
        // Kept for the next group unless it stopped answering (a new one is opened then).
        if conn.alive() {
            own = Some(conn);
        }
    }
}

/// One transaction: each change in a savepoint, then one commit; then every answer. A change the
/// transaction never reached (it could not begin, or a savepoint failed) is refused.
fn write_group(conn: &mut DbConnection, jobs: Vec<Job>) {
    let mut waiting: Vec<Option<Job>> = jobs.into_iter().map(Some).collect();
    let mut answers = Vec::with_capacity(waiting.len());
    let written = tx::write(conn, |conn| -> Result<(), diesel::result::Error> {
        for slot in waiting.iter_mut() {
            let Some(job) = slot.take() else { continue };
            cached::execute(conn, Savepoint)?;
            // A change that panics is rolled back alone and answered as a failed task; the writer
            // goes on with the others.
            let refuse = job.refuse;
            let run = job.run;
            let Ran { keep, answer } =
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(conn))) {
                    Ok(ran) => ran,
                    Err(_) => Ran {
                        keep: false,
                        answer: Box::new(move |_| refuse(DbError::Blocking)),
                    },
                };
            answers.push(answer);
            if !keep {
                cached::execute(conn, RollbackTo)?;
            }
            cached::execute(conn, Release)?;
        }
        Ok(())
    });
    let failed = written.err().map(|e| e.to_string());
    for answer in answers {
        answer(failed.clone().map(DbError::Group));
    }
    for job in waiting.into_iter().flatten() {
        (job.refuse)(DbError::Group(
            failed.clone().unwrap_or_else(|| "not written".into()),
        ));
    }
}
