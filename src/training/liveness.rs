//! Whether the training worker still answers: while it trains it reports four times a
//! second, so a long silence then means it hangs (a crash, by contrast, is an `error`
//! event). The page's end of the worker feeds this every reply and asks it now and then.

use super::protocol::Reply;

/// Silence, in milliseconds, after which a training worker counts as stuck.
pub const SILENT_MS: f64 = 10_000.0;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Liveness {
    training: bool,
    last_heard_ms: f64,
}

impl Liveness {
    /// Notes a reply that arrived at `now_ms`.
    pub fn heard(&mut self, reply: &Reply, now_ms: f64) {
        self.last_heard_ms = now_ms;
        match reply {
            Reply::Progress(progress) => self.training = progress.running,
            Reply::Diverged { .. } | Reply::LoadFailed { .. } => self.training = false,
            _ => {}
        }
    }

    /// True when the worker was training and has said nothing for [`SILENT_MS`].
    pub fn is_stuck(&self, now_ms: f64) -> bool {
        self.training && now_ms - self.last_heard_ms >= SILENT_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::protocol::Progress;

    fn progress(running: bool) -> Reply {
        Reply::Progress(Progress {
            running,
            ..Progress::default()
        })
    }

    #[test]
    fn only_a_training_worker_that_falls_silent_is_stuck() {
        let mut liveness = Liveness::default();
        assert!(!liveness.is_stuck(1e9), "an idle worker may be quiet");
        liveness.heard(&progress(true), 1000.0);
        assert!(!liveness.is_stuck(1000.0 + SILENT_MS - 1.0));
        assert!(liveness.is_stuck(1000.0 + SILENT_MS));
        liveness.heard(&progress(true), 20_000.0);
        assert!(!liveness.is_stuck(25_000.0), "any reply counts");
        liveness.heard(&progress(false), 26_000.0);
        assert!(!liveness.is_stuck(1e9), "paused");
        liveness.heard(&progress(true), 30_000.0);
        liveness.heard(
            &Reply::Diverged {
                run: 0,
                message: "diverged".into(),
            },
            30_100.0,
        );
        assert!(!liveness.is_stuck(1e9), "stopped by divergence");
    }
}
