//! `GET /metrics` in the Prometheus text exposition format (version 0.0.4), written by hand:
//! a few counters, one histogram and two gauges do not need a metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the render-seconds histogram's buckets.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Everything counted since the server started.
#[derive(Default)]
pub struct Metrics {
    /// Requests by (route, status).
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// Render seconds by format: bucket counts, sum, count.
    renders: Mutex<BTreeMap<&'static str, Histogram>>,
    cache_hits: AtomicU64,
}

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Metrics {
    /// Counts one answered request.
    pub fn request(&self, route: &'static str, status: u16) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((route, status))
            .or_default() += 1;
    }

    /// Records one render (or cache copy) of `format` that took `took`.
    pub fn render(&self, format: &'static str, took: Duration, cached: bool) {
        if cached {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
        }
        let seconds = took.as_secs_f64();
        let mut renders = self.renders.lock().unwrap_or_else(|e| e.into_inner());
        let histogram = renders.entry(format).or_default();
        for (count, bound) in histogram.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// The exposition, with the pool's current `queued` and `running` jobs.
    pub fn render_text(&self, queued: usize, running: usize) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP bindery_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE bindery_requests_total counter\n");
        for ((route, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "bindery_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP bindery_render_seconds Time to render (or copy from the cache) one output.\n",
        );
        out.push_str("# TYPE bindery_render_seconds histogram\n");
        for (format, h) in self
            .renders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            for (count, bound) in h.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "bindery_render_seconds_bucket{{format=\"{format}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "bindery_render_seconds_bucket{{format=\"{format}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "bindery_render_seconds_sum{{format=\"{format}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "bindery_render_seconds_count{{format=\"{format}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP bindery_cache_hits_total Outputs copied from the cache.\n");
        out.push_str("# TYPE bindery_cache_hits_total counter\n");
        let _ = writeln!(
            out,
            "bindery_cache_hits_total {}",
            self.cache_hits.load(Ordering::Relaxed)
        );
        out.push_str("# HELP bindery_queue_depth Renders waiting for a thread.\n");
        out.push_str("# TYPE bindery_queue_depth gauge\n");
        let _ = writeln!(out, "bindery_queue_depth {queued}");
        out.push_str("# HELP bindery_renders_in_flight Renders running.\n");
        out.push_str("# TYPE bindery_renders_in_flight gauge\n");
        let _ = writeln!(out, "bindery_renders_in_flight {running}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_counts_requests_and_buckets_renders() {
        let metrics = Metrics::default();
        metrics.request("document", 200);
        metrics.request("document", 200);
        metrics.request("convert", 503);
        metrics.render("pdf", Duration::from_millis(30), false);
        metrics.render("pdf", Duration::from_millis(3), true);
        let text = metrics.render_text(2, 1);
        for line in [
            "bindery_requests_total{route=\"document\",status=\"200\"} 2",
            "bindery_requests_total{route=\"convert\",status=\"503\"} 1",
            "bindery_render_seconds_bucket{format=\"pdf\",le=\"0.005\"} 1",
            "bindery_render_seconds_bucket{format=\"pdf\",le=\"0.025\"} 1",
            "bindery_render_seconds_bucket{format=\"pdf\",le=\"0.05\"} 2",
            "bindery_render_seconds_bucket{format=\"pdf\",le=\"+Inf\"} 2",
            "bindery_render_seconds_count{format=\"pdf\"} 2",
            "bindery_cache_hits_total 1",
            "bindery_queue_depth 2",
            "bindery_renders_in_flight 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}
