//! One level of scheduling: a flat queue of jobs, run by the workers of one pool.
//!
//! Why it is flat. A rayon `join` or `par_iter` that blocks waits by running other jobs of its
//! pool on its own stack. With documents and their formats as nested parallel iterators, a
//! worker waiting for a document's formats ran a stolen document on top of the waiting frame,
//! and that one another, without bound: a 10,000-document build aborted with a stack overflow
//! at `-j 2` and `-j 16`. Here no document is ever a rayon job: every worker runs a plain loop
//! that takes one job at a time from [`Queue`] and finishes it before taking the next, so a
//! worker's stack holds one job, whatever the size of the batch. A job never waits for another
//! job; a job whose work depends on others (a document's renders wait for its highlighting) is
//! pushed by the last job it depends on.
//!
//! Rayon still provides the threads, so Typst's own parallel layout inside a render runs on the
//! same `--jobs` threads: a worker blocked in Typst may run a piece of another document's
//! Typst layout, but never a whole document, so that nesting is bounded by Typst's own.
//!
//! Memory stays flat because documents are read lazily: a worker reads the next document only
//! when no job of an already-read document is waiting, so at most one document per worker is
//! held at a time, however many the batch has.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, MutexGuard};

/// The jobs waiting to run, and how many are running.
pub(crate) struct Queue<J> {
    state: Mutex<State<J>>,
    changed: Condvar,
}

struct State<J> {
    /// Jobs of documents already read, first to run at the front.
    waiting: VecDeque<J>,
    /// Jobs taken and not yet finished.
    running: usize,
}

impl<J: Send> Queue<J> {
    fn new() -> Self {
        Self {
            state: Mutex::new(State {
                waiting: VecDeque::new(),
                running: 0,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<J>> {
        // Jobs run outside the lock, so a poisoned lock only means a panic elsewhere while
        // pushing: the queue itself is still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds jobs to run before any job already waiting (in the order given): a document's
    /// jobs run before the next document is read, so its memory is released soon.
    pub(crate) fn push_first(&self, jobs: impl IntoIterator<Item = J>) {
        let jobs: Vec<J> = jobs.into_iter().collect();
        if jobs.is_empty() {
            return;
        }
        let mut state = self.lock();
        for job in jobs.into_iter().rev() {
            state.waiting.push_front(job);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// The next job for a worker: a waiting one, else a new one from `next`; `None` when
    /// there is none left and none running (no job can push more).
    fn take(&self, next: &(dyn Fn() -> Option<J> + Sync)) -> Option<J> {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.waiting.pop_front().or_else(next) {
                state.running += 1;
                return Some(job);
            }
            if state.running == 0 {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn finished(&self) {
        let mut state = self.lock();
        state.running -= 1;
        drop(state);
        // Waiting workers look again: the run may be over, or jobs may have been pushed.
        self.changed.notify_all();
    }
}

/// Marks a taken job finished when dropped, on every way out of the job.
struct Finished<'q, J: Send>(&'q Queue<J>);

impl<J: Send> Drop for Finished<'_, J> {
    fn drop(&mut self) {
        self.0.finished();
    }
}

/// Runs jobs until none is left: those `next` makes (new documents, asked for only when no
/// other job waits) and those the jobs push. Each worker of `pool` (or the calling thread
/// alone, without a pool) runs one job at a time.
pub(crate) fn run<J: Send>(
    pool: Option<&rayon::ThreadPool>,
    next: &(dyn Fn() -> Option<J> + Sync),
    work: &(dyn Fn(J, &Queue<J>) + Sync),
) {
    let queue = Queue::new();
    let worker = || {
        while let Some(job) = queue.take(next) {
            // Counted as finished however the job ends, even by a panic that escapes the
            // handler below: a job left counted as running would make the other workers wait
            // for it forever (a hang seen when the report of a panic panicked in turn).
            let _finished = Finished(&queue);
            // A job contains its own panics (they become a failure of its document); one that
            // escapes loses only that job.
            if catch_unwind(AssertUnwindSafe(|| work(job, &queue))).is_err() {
                use std::io::Write as _;
                // Never `eprintln!`: it panics when standard error is closed.
                let _ = writeln!(
                    std::io::stderr(),
                    "error: internal error in bindery's scheduler; the run goes on"
                );
            }
        }
    };
    match pool {
        Some(pool) => {
            pool.broadcast(|_| worker());
        }
        None => worker(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// Every job runs once, including the ones jobs push, on any number of threads.
    #[test]
    fn runs_every_job_once() {
        for threads in [1, 2, 4] {
            let pool = pool(threads);
            let next_doc = AtomicUsize::new(0);
            let ran = Mutex::new(Vec::new());
            let next = || {
                let n = next_doc.fetch_add(1, Ordering::Relaxed);
                (n < 100).then_some((n, 0))
            };
            run(Some(&pool), &next, &|(doc, step): (usize, u32), queue| {
                ran.lock().unwrap().push((doc, step));
                if step < 3 {
                    queue.push_first([(doc, step + 1)]);
                }
            });
            let mut ran = ran.into_inner().unwrap();
            ran.sort();
            let expected: Vec<_> = (0..100).flat_map(|d| (0..4).map(move |s| (d, s))).collect();
            assert_eq!(ran, expected, "{threads} threads");
        }
    }

    /// New work is taken only when no pushed job waits: with one worker, a document's jobs
    /// all run before the next document starts.
    #[test]
    fn pushed_jobs_run_before_new_ones() {
        let next_doc = AtomicUsize::new(0);
        let order = Mutex::new(Vec::new());
        let next = || {
            let n = next_doc.fetch_add(1, Ordering::Relaxed);
            (n < 3).then_some((n, 0))
        };
        run(None, &next, &|(doc, step): (usize, u32), queue| {
            order.lock().unwrap().push((doc, step));
            if step == 0 {
                queue.push_first([(doc, 1), (doc, 2)]);
            }
        });
        assert_eq!(
            order.into_inner().unwrap(),
            [
                (0, 0),
                (0, 1),
                (0, 2),
                (1, 0),
                (1, 1),
                (1, 2),
                (2, 0),
                (2, 1),
                (2, 2)
            ]
        );
    }

    /// A panic that escapes a job neither stops the run nor loses the other jobs.
    #[test]
    fn an_escaped_panic_loses_only_its_job() {
        let pool = pool(2);
        let next_doc = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let next = || {
            let n = next_doc.fetch_add(1, Ordering::Relaxed);
            (n < 10).then_some(n)
        };
        run(Some(&pool), &next, &|n: usize, _| {
            assert!(n != 3, "job 3 fails");
            done.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(done.into_inner(), 9);
    }

    /// A panic that escapes even the handler (here its payload panics when dropped, as the
    /// handler's own report once did on a closed standard error) still counts its job as
    /// finished: the other worker must not wait for it forever. The run reports the panic to
    /// its caller; a watchdog turns a hang into a failure.
    #[test]
    fn a_panic_escaping_the_handler_does_not_hang_the_other_workers() {
        struct PanicsWhenDropped;
        impl Drop for PanicsWhenDropped {
            fn drop(&mut self) {
                if !std::thread::panicking() {
                    panic!("the payload's drop panics");
                }
            }
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let pool = pool(2);
            let next_doc = AtomicUsize::new(0);
            let next = || {
                let n = next_doc.fetch_add(1, Ordering::Relaxed);
                (n < 20).then_some(n)
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                run(Some(&pool), &next, &|n: usize, _| {
                    if n == 3 {
                        std::panic::panic_any(PanicsWhenDropped);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                })
            }));
            let _ = sender.send(outcome.is_err());
        });
        let escaped = receiver
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the run ended (a worker waited forever for a job counted as running)");
        assert!(escaped, "the escaped panic reaches the caller");
    }
}
