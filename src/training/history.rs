//! The training curves against samples seen, kept bounded: when a curve reaches its
//! capacity, neighbouring pairs of its points merge into one (the mean value at the later
//! sample count), so an hour of training takes the same memory, and the same time to draw,
//! as a minute, while the early part of the curve keeps its shape and new points keep
//! arriving at full resolution until the next merge.

/// A value at a number of training samples seen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub samples: u64,
    pub value: f32,
}

/// Weight of the newest value in the smoothed training curves (TensorBoard's smoothing of
/// 0.9, debiased so the curve starts at the first value rather than at 0).
const SMOOTHING: f64 = 0.9;

/// The training accuracy must pass the test accuracy by this much (0–1) to call it
/// overfitting.
pub const OVERFIT_GAP: f32 = 0.05;
/// … and the test loss must have risen this much (a fraction) above its best.
pub const OVERFIT_RISE: f32 = 0.15;

/// What overfitting looks like in the curves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overfitting {
    pub train_accuracy: f32,
    pub test_accuracy: f32,
    pub best_test_loss: f32,
    pub test_loss: f32,
}

/// A bounded, downsampled series.
#[derive(Clone, Debug, PartialEq, Default)]
struct Series {
    points: Vec<Point>,
    /// Values merged into each stored point from now on (doubles at every merge).
    stride: usize,
    /// The values waiting to become the next stored point: how many, their sum, and the
    /// sample count of the last.
    pending: (usize, f64, u64),
}

impl Series {
    fn push(&mut self, capacity: usize, samples: u64, value: f32) {
        let (count, sum, _) = self.pending;
        self.pending = (count + 1, sum + f64::from(value), samples);
        if self.pending.0 < self.stride.max(1) {
            return;
        }
        if let Some(point) = self.pending_point() {
            self.points.push(point);
        }
        self.pending = (0, 0.0, 0);
        if self.points.len() >= capacity.max(2) {
            let merged: Vec<Point> = self.points.chunks(2).map(mean).collect();
            self.points.clear();
            self.points.extend(merged);
            self.stride = self.stride.max(1) * 2;
        }
    }

    fn pending_point(&self) -> Option<Point> {
        let (count, sum, samples) = self.pending;
        (count > 0).then(|| Point {
            samples,
            value: (sum / count as f64) as f32,
        })
    }

    /// The stored points, and the pending values merged into a last, provisional point,
    /// so the curve always reaches the latest value.
    fn view(&self) -> Vec<Point> {
        let mut points = Vec::with_capacity(self.points.len() + 1);
        points.extend_from_slice(&self.points);
        points.extend(self.pending_point());
        points
    }
}

fn mean(points: &[Point]) -> Point {
    let n = points.len().max(1) as f64;
    Point {
        samples: points.last().map_or(0, |p| p.samples),
        value: (points.iter().map(|p| f64::from(p.value)).sum::<f64>() / n) as f32,
    }
}

/// Training loss and accuracy (per chunk, with their smoothed curves) and test loss and
/// accuracy (per evaluation), each at most `capacity` points.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct History {
    capacity: usize,
    train_loss: Series,
    train_loss_smoothed: Series,
    train_accuracy: Series,
    test_loss: Series,
    test_accuracy: Series,
    /// The smoothing's running sums: (weighted sum of loss, of accuracy, total weight).
    ema: (f64, f64, f64),
    revision: u64,
    /// What the getters return, rebuilt at each change.
    views: Views,
}

#[derive(Clone, Debug, PartialEq, Default)]
struct Views {
    train_loss: Vec<Point>,
    train_loss_smoothed: Vec<Point>,
    train_accuracy: Vec<Point>,
    test_loss: Vec<Point>,
    test_accuracy: Vec<Point>,
}

impl History {
    /// A history that keeps at most `capacity` points per curve (at least 2).
    pub fn new(capacity: usize) -> History {
        History {
            capacity: capacity.max(2),
            ..History::default()
        }
    }

    /// One chunk's mean training loss and accuracy (0–1), after `samples` samples.
    /// Values that are not finite are skipped.
    pub fn push_train(&mut self, samples: u64, loss: f32, accuracy: f32) {
        if !loss.is_finite() || !accuracy.is_finite() {
            return;
        }
        let (l, a, w) = self.ema;
        let ema = (
            SMOOTHING * l + (1.0 - SMOOTHING) * f64::from(loss),
            SMOOTHING * a + (1.0 - SMOOTHING) * f64::from(accuracy),
            SMOOTHING * w + (1.0 - SMOOTHING),
        );
        self.ema = ema;
        let cap = self.capacity;
        self.train_loss.push(cap, samples, loss);
        self.train_loss_smoothed
            .push(cap, samples, (ema.0 / ema.2) as f32);
        self.train_accuracy
            .push(cap, samples, (ema.1 / ema.2) as f32);
        self.changed();
    }

    /// One evaluation's test loss and accuracy (0–1), after `samples` samples.
    pub fn push_test(&mut self, samples: u64, loss: f32, accuracy: f32) {
        if !loss.is_finite() || !accuracy.is_finite() {
            return;
        }
        let cap = self.capacity;
        self.test_loss.push(cap, samples, loss);
        self.test_accuracy.push(cap, samples, accuracy);
        self.changed();
    }

    pub fn clear(&mut self) {
        let revision = self.revision + 1;
        *self = History::new(self.capacity);
        self.revision = revision;
    }

    fn changed(&mut self) {
        self.revision += 1;
        self.views = Views {
            train_loss: self.train_loss.view(),
            train_loss_smoothed: self.train_loss_smoothed.view(),
            train_accuracy: self.train_accuracy.view(),
            test_loss: self.test_loss.view(),
            test_accuracy: self.test_accuracy.view(),
        };
    }

    /// The training loss of each chunk (downsampled).
    pub fn train_loss(&self) -> &[Point] {
        &self.views.train_loss
    }

    /// The training loss smoothed with a debiased exponential moving average.
    pub fn train_loss_smoothed(&self) -> &[Point] {
        &self.views.train_loss_smoothed
    }

    /// The training accuracy (0–1), smoothed the same way.
    pub fn train_accuracy(&self) -> &[Point] {
        &self.views.train_accuracy
    }

    pub fn test_loss(&self) -> &[Point] {
        &self.views.test_loss
    }

    /// Test accuracy, 0–1.
    pub fn test_accuracy(&self) -> &[Point] {
        &self.views.test_accuracy
    }

    /// Signs of overfitting at the last evaluation: the (smoothed) training accuracy at
    /// least [`OVERFIT_GAP`] above the test accuracy, while the test loss has climbed at
    /// least [`OVERFIT_RISE`] above its best, at an earlier evaluation.
    pub fn overfitting(&self) -> Option<Overfitting> {
        let test = self.test_accuracy().last()?;
        let train = self.train_accuracy().last()?;
        let losses = self.test_loss();
        let (last, earlier) = losses.split_last()?;
        let best = earlier
            .iter()
            .map(|p| p.value)
            .fold(f32::INFINITY, f32::min);
        let gap = train.value - test.value;
        (gap >= OVERFIT_GAP && last.value >= best * (1.0 + OVERFIT_RISE)).then_some(Overfitting {
            train_accuracy: train.value,
            test_accuracy: test.value,
            best_test_loss: best,
            test_loss: last.value,
        })
    }

    /// A number that changes whenever the history does (cheap to compare for redraws).
    pub fn revision(&self) -> u64 {
        self.revision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overfitting_is_a_gap_in_accuracy_while_the_test_loss_climbs() {
        let mut history = History::new(400);
        // Learning: both accuracies rise together, the test loss falls.
        for (i, (acc, loss)) in [(0.6, 1.0), (0.8, 0.6), (0.86, 0.4)]
            .into_iter()
            .enumerate()
        {
            let samples = (i as u64 + 1) * 1000;
            history.push_train(samples, loss, acc);
            history.push_test(samples, loss, acc);
        }
        assert_eq!(history.overfitting(), None);
        // Memorising: training accuracy climbs on, the test loss turns up.
        for (i, test_loss) in [0.42, 0.5, 0.6].into_iter().enumerate() {
            let samples = (i as u64 + 4) * 1000;
            for _ in 0..20 {
                history.push_train(samples, 0.02, 1.0);
            }
            history.push_test(samples, test_loss, 0.86);
        }
        let seen = history.overfitting().expect("overfitting");
        assert_eq!((seen.best_test_loss, seen.test_loss), (0.4, 0.6));
        assert!(
            seen.train_accuracy > 0.95 && seen.test_accuracy == 0.86,
            "{seen:?}"
        );
        // A gap without a climbing test loss is not called overfitting.
        let mut steady = History::new(400);
        for i in 1..=5u64 {
            steady.push_train(i * 1000, 0.1, 0.99);
            steady.push_test(i * 1000, 0.4, 0.9);
        }
        assert_eq!(steady.overfitting(), None);
    }

    #[test]
    fn a_million_points_stay_within_capacity_and_in_order() {
        let mut history = History::new(400);
        for i in 1..=1_000_000u64 {
            history.push_train(i * 32, 1.0 / i as f32, 0.5);
        }
        for curve in [
            history.train_loss(),
            history.train_loss_smoothed(),
            history.train_accuracy(),
        ] {
            assert!(curve.len() <= 401, "{}", curve.len());
            assert!(curve.len() >= 200, "{}", curve.len());
            assert!(curve.windows(2).all(|w| w[0].samples < w[1].samples));
            assert_eq!(curve.last().map(|p| p.samples), Some(32_000_000));
        }
    }

    #[test]
    fn merged_points_are_means_at_the_later_sample_count() {
        let mut history = History::new(4);
        for (samples, loss) in [(1, 1.0), (2, 3.0), (3, 5.0), (4, 7.0)] {
            history.push_train(samples, loss, 0.0);
        }
        // The 4th point filled the capacity: pairs merged, (1,1)+(2,3) → (2,2), (3,5)+(4,7) → (4,6).
        assert_eq!(
            history.train_loss(),
            [
                Point {
                    samples: 2,
                    value: 2.0
                },
                Point {
                    samples: 4,
                    value: 6.0
                }
            ]
        );
        // From now on two values make one point; a lone one shows as provisional.
        history.push_train(5, 9.0, 0.0);
        assert_eq!(
            history.train_loss().last(),
            Some(&Point {
                samples: 5,
                value: 9.0
            })
        );
        history.push_train(6, 11.0, 0.0);
        assert_eq!(history.train_loss().len(), 3);
        assert_eq!(
            history.train_loss()[2],
            Point {
                samples: 6,
                value: 10.0
            }
        );
    }

    #[test]
    fn smoothing_is_a_debiased_moving_average() {
        let mut history = History::new(100);
        history.push_train(1, 2.0, 1.0);
        history.push_train(2, 1.0, 0.0);
        history.push_train(3, 0.0, 1.0);
        let smoothed: Vec<f32> = history
            .train_loss_smoothed()
            .iter()
            .map(|p| p.value)
            .collect();
        // By hand: weights 0.1, then 0.09 + 0.1, then 0.081 + 0.09 + 0.1.
        let expected = [
            2.0,
            (0.09 * 2.0 + 0.1 * 1.0) / 0.19,
            (0.081 * 2.0 + 0.09 * 1.0) / 0.271,
        ];
        for (got, want) in smoothed.iter().zip(expected) {
            assert!((f64::from(*got) - want).abs() < 1e-6, "{smoothed:?}");
        }
        let accuracy = history.train_accuracy()[2].value;
        assert!((f64::from(accuracy) - (0.081 + 0.1) / 0.271).abs() < 1e-6);
    }

    #[test]
    fn non_finite_values_are_skipped_and_clear_starts_over() {
        let mut history = History::new(10);
        history.push_train(1, f32::NAN, 0.5);
        history.push_test(1, 0.5, f32::INFINITY);
        assert!(history.train_loss().is_empty() && history.test_loss().is_empty());
        assert_eq!(history.revision(), 0);
        history.push_test(10, 0.3, 0.9);
        assert_eq!(
            history.test_accuracy(),
            [Point {
                samples: 10,
                value: 0.9
            }]
        );
        let before = history.revision();
        history.clear();
        assert!(history.test_accuracy().is_empty());
        assert!(history.revision() > before, "a clear is a change too");
    }
}
