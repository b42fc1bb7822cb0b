//! The render pool: `--jobs` threads that every render (and every read of a document) runs
//! on, never an async thread, behind a bounded queue.
//!
//! Admission counts the jobs waiting and running together; past `jobs + queue` a request is
//! refused at once ([`Refused::Full`], a 503) instead of waiting in an unbounded backlog. A job
//! whose request gave up (its deadline passed) still holds its place until it ends, so the
//! count is always the work the machine really has. A panic in a job is that job's error.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Why a job gave no result.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The queue was full; nothing was started.
    Full,
    /// The deadline passed first (the job may still be running; it keeps its place).
    Timeout,
    /// The job panicked, with this message.
    Panicked(String),
}

/// A fixed pool of render threads with a bounded queue in front.
pub struct Pool {
    threads: rayon::ThreadPool,
    capacity: usize,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    /// Jobs admitted and not yet finished (waiting or running).
    admitted: AtomicUsize,
    /// Of those, the jobs running.
    running: AtomicUsize,
}

/// Gives a job's place back when it ends, however it ends.
struct Admitted(Arc<Counts>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Pool {
    /// `jobs` threads (at least one) and room for `queue` jobs waiting.
    pub fn new(jobs: usize, queue: usize) -> std::io::Result<Self> {
        let jobs = jobs.max(1);
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            // The parser recurses on some inputs: the stack `bindery build`'s workers get.
            .stack_size(16 * 1024 * 1024)
            .thread_name(|i| format!("bindery-render-{i}"))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Self {
            threads,
            capacity: jobs + queue,
            counts: Arc::default(),
        })
    }

    /// Jobs waiting for a thread.
    pub fn queued(&self) -> usize {
        let admitted = self.counts.admitted.load(Ordering::Acquire);
        admitted.saturating_sub(self.counts.running.load(Ordering::Acquire))
    }

    /// Jobs running.
    pub fn running(&self) -> usize {
        self.counts.running.load(Ordering::Acquire)
    }

    /// Runs `job` on the pool and waits for it up to `deadline` (counted from now, so the
    /// time spent waiting for a thread is included).
    pub async fn run<T: Send + 'static>(
        &self,
        deadline: Duration,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        let admitted =
            self.counts
                .admitted
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n < self.capacity).then_some(n + 1)
                });
        if admitted.is_err() {
            return Err(Refused::Full);
        }
        let place = Admitted(Arc::clone(&self.counts));
        let (send, receive) = tokio::sync::oneshot::channel();
        let counts = Arc::clone(&self.counts);
        self.threads.spawn(move || {
            counts.running.fetch_add(1, Ordering::AcqRel);
            let result = catch_unwind(AssertUnwindSafe(job)).map_err(|payload| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into())
            });
            counts.running.fetch_sub(1, Ordering::AcqRel);
            // The place is free before the answer goes: a client that sends its next request
            // as soon as it has this one's must find it free.
            drop(place);
            // The request may have given up; its result is then dropped.
            let _ = send.send(result);
        });
        match tokio::time::timeout(deadline, receive).await {
            Err(_) => Err(Refused::Timeout),
            Ok(Err(_)) => Err(Refused::Panicked("the render thread ended".into())),
            Ok(Ok(result)) => result.map_err(Refused::Panicked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_refuses_and_a_panic_is_the_jobs_alone() {
        let pool = Arc::new(Pool::new(1, 1).unwrap());
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let hold = |wait: Arc<std::sync::Mutex<std::sync::mpsc::Receiver<()>>>| {
            move || {
                let _ = wait.lock().unwrap().recv();
                7
            }
        };
        let first = tokio::spawn({
            let pool = Arc::clone(&pool);
            let job = hold(Arc::clone(&wait));
            async move { pool.run(Duration::from_secs(30), job).await }
        });
        let second = tokio::spawn({
            let pool = Arc::clone(&pool);
            let job = hold(Arc::clone(&wait));
            async move { pool.run(Duration::from_secs(30), job).await }
        });
        // Both admitted (one running, one queued): a third is refused.
        while pool.running() + pool.queued() < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            pool.run(Duration::from_secs(1), || 0).await,
            Err(Refused::Full)
        );
        release.send(()).unwrap();
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(7));
        assert_eq!(second.await.unwrap(), Ok(7));
        let panicked = pool
            .run(Duration::from_secs(5), || -> u8 { panic!("boom") })
            .await;
        assert_eq!(panicked, Err(Refused::Panicked("boom".into())));
        assert_eq!(pool.run(Duration::from_secs(5), || 1).await, Ok(1));
        let slow = pool
            .run(Duration::from_millis(20), || {
                std::thread::sleep(Duration::from_millis(300))
            })
            .await;
        assert_eq!(slow, Err(Refused::Timeout));
        // The timed-out job keeps its place until it ends.
        assert_eq!(pool.running(), 1);
        // A finished job's place is free by the time its result arrives: back to back, jobs on
        // a pool with no queue are never refused.
        let single = Pool::new(1, 0).unwrap();
        for i in 0..200 {
            assert_eq!(single.run(Duration::from_secs(5), move || i).await, Ok(i));
        }
    }
}
