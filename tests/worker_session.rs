//! The training worker's logic, driven natively with a fake clock: what it answers to
//! every request, that reports are throttled, that a run is reproducible from its seed,
//! and that divergence and bad requests are told in words without losing the run.

mod common;

use std::cell::Cell;

use convlab::nn::data::{DatasetKind, Mnist};
use convlab::nn::onnx::{open, OpenedModel};
use convlab::nn::{Optimizer, Shape, TrainConfig};
use convlab::training::protocol::{
    decode, encode, CellImage, CellImages, ChunkPoint, Dataset, DigitChoice, DigitView, Evaluated,
    Filters, LayerMaps, Progress, Reply, Request, RunId, Snapshot, StripDigit,
};
use convlab::training::worker_session::{
    WorkerSession, EARLY_MS, EVALUATE_EARLY_EVERY_MS, EVALUATE_EVERY_MS, REPORT_EVERY_MS,
};

fn mnist() -> Mnist {
    Mnist::load(&common::root().join("www"), DatasetKind::Digits).expect("the shipped digits load")
}

/// A clock that moves 1 ms (or `step`) each time it is read.
struct FakeClock(Cell<f64>, f64);

impl FakeClock {
    fn new() -> FakeClock {
        FakeClock::stepping(1.0)
    }
    fn stepping(step: f64) -> FakeClock {
        FakeClock(Cell::new(0.0), step)
    }
    fn read(&self) -> f64 {
        self.0.set(self.0.get() + self.1);
        self.0.get()
    }
}

/// Calls `work` until the session has nothing left to do (or `limit` calls).
fn work_until_idle(session: &mut WorkerSession, clock: &FakeClock, limit: usize) -> Vec<Reply> {
    let mut replies = Vec::new();
    for _ in 0..limit {
        if !session.is_busy() {
            break;
        }
        replies.extend(session.work(&|| clock.read()));
    }
    replies
}

fn evaluations(replies: &[Reply]) -> Vec<&Evaluated> {
    replies
        .iter()
        .filter_map(|r| match r {
            Reply::Evaluated(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn progresses(replies: &[Reply]) -> Vec<&Progress> {
    replies
        .iter()
        .filter_map(|r| match r {
            Reply::Progress(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn snapshots(replies: &[Reply]) -> Vec<&Snapshot> {
    replies
        .iter()
        .filter_map(|r| match r {
            Reply::Snapshot(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn refusals(replies: &[Reply]) -> Vec<&str> {
    replies
        .iter()
        .filter_map(|r| match r {
            Reply::Refused { message } => Some(message.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_new_session_offers_the_digits_a_snapshot_and_a_first_score() {
    let clock = FakeClock::new();
    let (mut session, replies) =
        WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    let Some(Reply::Ready(dataset)) = replies.first() else {
        panic!("{replies:?}")
    };
    assert_eq!((dataset.train, dataset.test), (8000, 2000));
    let labels: Vec<u8> = dataset.strip.iter().map(|d| d.label).collect();
    assert_eq!(
        labels,
        [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]
    );
    assert!(dataset.strip.iter().all(|d| d.pixels.len() == 784));
    let progress = progresses(&replies)[0];
    assert!(!progress.running && progress.samples == 0 && progress.epoch == 1);
    let snapshot = snapshots(&replies)[0];
    assert_eq!((snapshot.filters.count, snapshot.filters.size), (4, 3));
    assert_eq!(snapshot.filters.weights.len(), 36);
    // Every layer but flatten, with the shapes TensorFlow would give.
    let layers: Vec<(&str, Shape)> = snapshot
        .digit
        .layers
        .iter()
        .map(|l| (l.name.as_str(), l.shape))
        .collect();
    assert_eq!(
        layers,
        [
            ("convolution", Shape::new(4, 14, 14)),
            ("ReLU", Shape::new(4, 14, 14)),
            ("max pooling", Shape::new(4, 7, 7)),
            ("dense", Shape::new(10, 1, 1)),
        ]
    );
    // Where sizes change, the page shows how (TensorFlow's SAME and VALID).
    assert_eq!(
        snapshot.digit.layers[0].formula.as_deref(),
        Some("3×3 filters, stride 2, SAME: ⌊(28 + 0 + 1 − 3) / 2⌋ + 1 = 14; SAME: ⌈28 / 2⌉ = 14")
    );
    assert_eq!(
        snapshot.digit.layers[2].formula.as_deref(),
        Some("2×2 windows, stride 2, VALID: ⌊(14 + 2·0 − 2) / 2⌋ + 1 = 7")
    );
    assert_eq!(snapshot.digit.layers[1].formula, None);
    let p: f32 = snapshot.digit.probabilities.iter().sum();
    assert!((p - 1.0).abs() < 1e-4, "{p}");
    assert_eq!(snapshot.digit.test, Some((dataset.strip[0].index, 0)));
    // The first score is queued: an untrained network is near chance.
    assert!(session.is_busy());
    let replies = work_until_idle(&mut session, &clock, 100);
    let first = evaluations(&replies);
    assert_eq!(first.len(), 1);
    assert!(
        first[0].samples == 0 && first[0].accuracy < 0.3,
        "{first:?}"
    );
    assert_eq!(first[0].confusion.iter().sum::<u32>(), 2000);
}

#[test]
fn a_run_is_scored_every_half_second_at_first_then_less_often() {
    // The untrained network is scored slowly, as by a browser's engine still cold: that
    // must not space out the first scores of the run.
    let cold = FakeClock::stepping(30.0);
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    work_until_idle(&mut session, &cold, 100);
    let clock = FakeClock::new();
    session.handle(Request::Start, &|| clock.read());
    let begin = clock.read();
    let mut scored_at = Vec::new();
    while clock.read() - begin < EARLY_MS + 4.0 * EVALUATE_EVERY_MS {
        let replies = session.work(&|| clock.read());
        scored_at.extend(evaluations(&replies).iter().map(|_| clock.read() - begin));
    }
    assert!(
        scored_at[0] < EVALUATE_EARLY_EVERY_MS + 200.0,
        "{scored_at:?}"
    );
    let gaps: Vec<(f64, f64)> = scored_at.windows(2).map(|w| (w[1], w[1] - w[0])).collect();
    let early: Vec<f64> = gaps
        .iter()
        .filter(|g| g.0 < EARLY_MS)
        .map(|g| g.1)
        .collect();
    let late: Vec<f64> = gaps
        .iter()
        .filter(|g| g.0 > EARLY_MS + EVALUATE_EVERY_MS)
        .map(|g| g.1)
        .collect();
    assert!(
        early.len() as f64 >= EARLY_MS / EVALUATE_EARLY_EVERY_MS - 3.0,
        "{scored_at:?}"
    );
    assert!(
        early
            .iter()
            .all(|&gap| (EVALUATE_EARLY_EVERY_MS..EVALUATE_EARLY_EVERY_MS + 200.0).contains(&gap)),
        "{scored_at:?}"
    );
    assert!(late.len() >= 2, "{scored_at:?}");
    assert!(
        late.iter()
            .all(|&gap| (EVALUATE_EVERY_MS..EVALUATE_EVERY_MS + 500.0).contains(&gap)),
        "{scored_at:?}"
    );
}

#[test]
fn training_reports_a_few_times_a_second_and_evaluates_now_and_then() {
    let clock = FakeClock::new();
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    work_until_idle(&mut session, &clock, 100);
    let start = session.handle(Request::Start, &|| clock.read());
    assert!(progresses(&start)[0].running);
    let mut replies = Vec::new();
    let begin = clock.read();
    while clock.read() - begin < 2.0 * EVALUATE_EVERY_MS {
        replies.extend(session.work(&|| clock.read()));
    }
    let reports = progresses(&replies);
    let most = (2.0 * EVALUATE_EVERY_MS / REPORT_EVERY_MS) as usize + 1;
    assert!(
        (most / 2..=most).contains(&reports.len()),
        "{} reports in {} ms",
        reports.len(),
        2.0 * EVALUATE_EVERY_MS
    );
    assert!(reports
        .iter()
        .all(|p| p.running && p.samples_per_second > 0.0));
    assert!(reports.windows(2).all(|w| w[0].samples < w[1].samples));
    // Every trained batch is in the points, merged to one point per report.
    let points: Vec<&ChunkPoint> = reports.iter().flat_map(|p| &p.points).collect();
    assert_eq!(points.len(), reports.len());
    assert!(points.iter().all(|p| p.loss.is_finite() && p.loss > 0.0));
    assert_eq!(snapshots(&replies).len(), reports.len());
    let share = reports.last().map_or(1.0, |p| p.snapshot_share);
    assert!(
        share > 0.0 && share < 0.05,
        "snapshots take {share} of the time"
    );
    let scores = evaluations(&replies);
    assert!(!scores.is_empty(), "evaluated during the run");
    assert!(
        scores.last().is_some_and(|e| e.accuracy > 0.6),
        "{scores:?}"
    );
    // Pause answers at once and training stops.
    let paused = session.handle(Request::Pause, &|| clock.read());
    let samples = progresses(&paused)[0].samples;
    assert!(!progresses(&paused)[0].running);
    work_until_idle(&mut session, &clock, 100);
    assert!(!session.is_busy());
    assert_eq!(session.trainer().samples(), samples);
}

#[test]
fn a_network_slow_to_score_is_scored_less_often_and_a_chunk_at_a_time() {
    // Every batch takes 200 ms: scoring the 2,000 test digits (50 batches) takes many
    // seconds, as it does for the largest networks in a browser.
    let clock = FakeClock::stepping(200.0);
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    let first = session.work(&|| clock.read());
    assert!(
        evaluations(&first).is_empty(),
        "a chunk scores a batch, not all"
    );
    work_until_idle(&mut session, &clock, 100);
    session.handle(Request::Start, &|| clock.read());
    let begin = clock.read();
    let mut scores = 0;
    while clock.read() - begin < 500_000.0 {
        let replies = session.work(&|| clock.read());
        scores += evaluations(&replies).len();
    }
    // A pass takes about 50 s here, so evaluations come every 200 s (a quarter of the time),
    // not back to back.
    assert!((1..=3).contains(&scores), "{scores} evaluations in 500 s");
    assert!(session.trainer().samples() > 1000, "mostly training");
}

#[test]
fn a_step_trains_that_many_batches_then_scores_them() {
    let clock = FakeClock::new();
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    work_until_idle(&mut session, &clock, 100);
    assert!(session
        .handle(Request::Step { batches: 7 }, &|| clock.read())
        .is_empty());
    let replies = work_until_idle(&mut session, &clock, 100);
    assert_eq!(session.trainer().samples(), 7 * 16);
    let done = progresses(&replies);
    assert_eq!(
        done.last().map(|p| (p.samples, p.running)),
        Some((112, false))
    );
    assert_eq!(evaluations(&replies).len(), 1, "the step is scored");
    assert_eq!(snapshots(&replies).last().map(|s| s.samples), Some(112));
}

fn weights_after_steps(
    session: &mut WorkerSession,
    clock: &FakeClock,
    config: TrainConfig,
) -> Vec<f32> {
    session.handle(Request::Reset { run: 2, config }, &|| clock.read());
    session.handle(Request::Step { batches: 20 }, &|| clock.read());
    work_until_idle(session, clock, 100);
    session.trainer().network().parameters().to_vec()
}

#[test]
fn reset_with_the_same_seed_reproduces_the_run() {
    let clock = FakeClock::new();
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    let a = weights_after_steps(&mut session, &clock, common::small_config(5));
    let b = weights_after_steps(&mut session, &clock, common::small_config(5));
    let c = weights_after_steps(&mut session, &clock, common::small_config(6));
    assert!(a == b, "same seed, same weights");
    assert!(a != c, "another seed");
    let reset = session.handle(
        Request::Reset {
            run: 2,
            config: common::small_config(5),
        },
        &|| clock.read(),
    );
    assert_eq!(progresses(&reset)[0].samples, 0);
    assert_eq!(
        progresses(&reset)[0].run,
        2,
        "replies carry the run the page asked for"
    );
    // A network that cannot be built is refused, and the old one stays.
    let mut bad = common::small_config(5);
    bad.network.layers.pop();
    let refused = session.handle(
        Request::Reset {
            run: 2,
            config: bad,
        },
        &|| clock.read(),
    );
    assert!(refused_says(&refused, "cannot be built"), "{refused:?}");
    assert_eq!(session.trainer().config(), &common::small_config(5));
}

/// The session's network exported as an ONNX model and read back, with the run it is from.
fn export_and_open(session: &mut WorkerSession, clock: &FakeClock) -> (RunId, OpenedModel) {
    let replies = session.handle(
        Request::Export {
            dataset: DatasetKind::Digits,
        },
        &|| clock.read(),
    );
    let [Reply::Model { run, bytes }] = &replies[..] else {
        panic!("{replies:?}")
    };
    (*run, open(bytes).expect("the export opens"))
}

#[test]
fn an_exported_model_opens_as_a_run_that_scores_the_same() {
    let clock = FakeClock::new();
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    let reset = Request::Reset {
        run: 2,
        config: common::small_config(5),
    };
    session.handle(reset, &|| clock.read());
    session.handle(Request::Step { batches: 20 }, &|| clock.read());
    let first = evaluations(&work_until_idle(&mut session, &clock, 100))
        .last()
        .map(|e| e.accuracy);
    let trained = session.trainer().network().parameters().to_vec();
    assert!(first.is_some());
    let (run, model) = export_and_open(&mut session, &clock);
    assert_eq!(run, 2);
    assert_eq!(model.parameters, trained);

    // Another run in between, then the model opened as run 3: the same weights, scored at
    // once, and the same score as before.
    weights_after_steps(&mut session, &clock, common::small_config(6));
    let config = TrainConfig {
        network: model.network,
        ..common::small_config(5)
    };
    let seen = model.provenance.map(|p| p.samples);
    let opened = session.handle(
        Request::Open {
            run: 3,
            config: config.clone(),
            parameters: model.parameters.clone(),
            samples: seen.unwrap_or(0),
        },
        &|| clock.read(),
    );
    assert_eq!(progresses(&opened)[0].run, 3);
    assert_eq!(progresses(&opened)[0].samples, 0, "a new run counts from 0");
    assert_eq!(session.trainer().network().parameters(), &trained[..]);
    let scored = work_until_idle(&mut session, &clock, 100);
    assert_eq!(evaluations(&scored).last().map(|e| e.accuracy), first);

    // Weights that do not fit the network are refused, and the run stays.
    let refused = session.handle(
        Request::Open {
            run: 4,
            config,
            parameters: vec![0.0; 3],
            samples: 0,
        },
        &|| clock.read(),
    );
    assert!(refused_says(&refused, "holds 3 weights"), "{refused:?}");
    assert_eq!(session.trainer().network().parameters(), &trained[..]);

    // Trained on and saved again, the model counts the samples of both runs.
    assert!(seen.is_some_and(|n| n > 0), "{seen:?}");
    session.handle(Request::Step { batches: 5 }, &|| clock.read());
    work_until_idle(&mut session, &clock, 100);
    let more = session.trainer().samples();
    assert!(more > 0);
    let (_, reopened) = export_and_open(&mut session, &clock);
    assert_eq!(
        reopened.provenance.map(|p| p.samples),
        seen.map(|n| n + more)
    );
    // A Reset draws fresh weights from the seed: they have seen nothing.
    let reset = Request::Reset {
        run: 5,
        config: common::small_config(5),
    };
    session.handle(reset, &|| clock.read());
    let (_, fresh) = export_and_open(&mut session, &clock);
    assert_eq!(fresh.provenance.map(|p| p.samples), Some(0));
}

#[test]
fn a_confusion_cell_lists_its_test_images_surest_first() {
    let clock = FakeClock::new();
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    let early = session.handle(
        Request::ShowCell {
            truth: 0,
            predicted: 0,
        },
        &|| clock.read(),
    );
    assert!(refused_says(&early, "not been scored yet"), "{early:?}");
    session.handle(Request::Step { batches: 30 }, &|| clock.read());
    let replies = work_until_idle(&mut session, &clock, 100);
    let evaluation = evaluations(&replies)
        .last()
        .copied()
        .cloned()
        .expect("scored");
    let data = mnist();
    let test = data.test();
    let mut cells_seen = 0;
    for truth in 0..10 {
        for predicted in 0..10 {
            let replies = session.handle(Request::ShowCell { truth, predicted }, &|| clock.read());
            let [Reply::Cell(cell)] = &replies[..] else {
                panic!("{replies:?}")
            };
            assert_eq!(
                cell.count as u32,
                evaluation.confusion[truth * 10 + predicted]
            );
            assert_eq!(cell.images.len(), cell.count.min(50));
            assert_eq!(cell.samples, evaluation.samples);
            let mut last = f32::INFINITY;
            for image in &cell.images {
                let i = image.image.index;
                assert_eq!(usize::from(test.label(i)), truth);
                assert_eq!(image.image.pixels, test.pixels(i));
                assert_eq!(
                    convlab::nn::argmax(image.probabilities.iter().copied()),
                    predicted
                );
                assert!(image.probabilities[predicted] <= last, "surest first");
                last = image.probabilities[predicted];
            }
            cells_seen += usize::from(cell.count > 0);
        }
    }
    assert!(cells_seen > 10, "{cells_seen} cells hold images");
    let refused = session.handle(
        Request::ShowCell {
            truth: 10,
            predicted: 0,
        },
        &|| clock.read(),
    );
    assert!(refused_says(&refused, "classes are 0 to 9"), "{refused:?}");
}

fn refused_says(replies: &[Reply], words: &str) -> bool {
    refusals(replies).iter().any(|m| m.contains(words))
}

#[test]
fn tuning_the_learning_rate_keeps_the_run() {
    let clock = FakeClock::new();
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    session.handle(Request::Step { batches: 10 }, &|| clock.read());
    work_until_idle(&mut session, &clock, 100);
    let tuned = session.handle(
        Request::Tune {
            optimizer: Optimizer::Sgd {
                learning_rate: 0.02,
                momentum: 0.0,
            },
            batch_size: 32,
        },
        &|| clock.read(),
    );
    let progress = progresses(&tuned)[0];
    assert_eq!(progress.samples, 160, "not restarted");
    assert_eq!(
        (progress.optimizer.learning_rate(), progress.batch_size),
        (0.02, 32)
    );
    let bad = session.handle(
        Request::Tune {
            optimizer: Optimizer::Sgd {
                learning_rate: -1.0,
                momentum: 0.0,
            },
            batch_size: 32,
        },
        &|| clock.read(),
    );
    assert!(
        refused_says(&bad, "learning rate must be a positive number"),
        "{bad:?}"
    );
    assert_eq!(session.trainer().config().optimizer.learning_rate(), 0.02);
}

#[test]
fn divergence_pauses_with_advice_and_reset_recovers() {
    let clock = FakeClock::new();
    let mut config = common::small_config(1);
    config.optimizer = Optimizer::Sgd {
        learning_rate: 1e4,
        momentum: 0.0,
    };
    let (mut session, _) = WorkerSession::new(1, config, mnist()).expect("builds");
    work_until_idle(&mut session, &clock, 100);
    session.handle(Request::Start, &|| clock.read());
    let replies = work_until_idle(&mut session, &clock, 100);
    let advice: Vec<&str> = replies
        .iter()
        .filter_map(|r| match r {
            Reply::Diverged { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(advice.len(), 1, "{replies:?}");
    assert!(
        advice[0].contains("diverged") && advice[0].contains("lower it (try 1000)"),
        "{}",
        advice[0]
    );
    assert!(!session.is_busy(), "paused");
    assert!(progresses(&replies).last().is_some_and(|p| !p.running));
    // No pictures of NaN weights, and no restart without Reset.
    let later = session.handle(Request::ShowDigit(DigitChoice::Test(3)), &|| clock.read());
    assert!(snapshots(&later).is_empty());
    let again = session.handle(Request::Start, &|| clock.read());
    assert!(refused_says(&again, "Press Reset"), "{again:?}");
    let reset = session.handle(
        Request::Reset {
            run: 2,
            config: common::small_config(1),
        },
        &|| clock.read(),
    );
    assert_eq!(snapshots(&reset).len(), 1);
    session.handle(Request::Step { batches: 3 }, &|| clock.read());
    work_until_idle(&mut session, &clock, 100);
    assert_eq!(session.trainer().samples(), 48);
}

#[test]
fn drawn_digits_and_planted_kernels_show_in_the_next_snapshot() {
    let clock = FakeClock::new();
    let (mut session, _) = WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    let wrong = session.handle(
        Request::ShowDigit(DigitChoice::Drawn(vec![0.5; 10])),
        &|| clock.read(),
    );
    assert!(refused_says(&wrong, "784 finite values"), "{wrong:?}");
    let mut nan = vec![0.0; 784];
    nan[3] = f32::NAN;
    assert!(!refusals(
        &session.handle(Request::ShowDigit(DigitChoice::Drawn(nan)), &|| clock
            .read())
    )
    .is_empty());
    let far = session.handle(Request::ShowDigit(DigitChoice::Test(2000)), &|| {
        clock.read()
    });
    assert!(refused_says(&far, "2000 test digits"), "{far:?}");
    let mut stroke = vec![0.0; 784];
    (4..24).for_each(|row| stroke[row * 28 + 14] = 1.0);
    let drawn = session.handle(
        Request::ShowDigit(DigitChoice::Drawn(stroke.clone())),
        &|| clock.read(),
    );
    let view = &snapshots(&drawn)[0].digit;
    assert_eq!((view.test, &view.input), (None, &stroke));
    let outline = vec![-1.0, -1.0, -1.0, -1.0, 8.0, -1.0, -1.0, -1.0, -1.0];
    let planted = session.handle(
        Request::PlantKernel {
            weights: outline.clone(),
            frozen: true,
        },
        &|| clock.read(),
    );
    let filters = &snapshots(&planted)[0].filters;
    assert_eq!(&filters.weights[..9], &outline[..]);
    assert!(filters.frozen_first);
    let too_big = session.handle(
        Request::PlantKernel {
            weights: vec![1.0; 25],
            frozen: false,
        },
        &|| clock.read(),
    );
    assert!(refused_says(&too_big, "was not planted"), "{too_big:?}");
}

#[test]
fn each_snapshot_explains_the_answer_or_the_class_asked_for() {
    let clock = FakeClock::new();
    let (mut session, replies) =
        WorkerSession::new(1, common::small_config(1), mnist()).expect("builds");
    let first = snapshots(&replies)[0].digit.clone();
    let answer = (0..10)
        .max_by(|&a, &b| first.probabilities[a].total_cmp(&first.probabilities[b]))
        .expect("ten classes");
    assert_eq!(first.explained, answer);
    assert_eq!(first.saliency.len(), 784);
    assert!(first.saliency.iter().all(|v| v.is_finite()));
    assert!(first.saliency.iter().any(|&v| v != 0.0));
    let asked = session.handle(Request::Explain(Some(3)), &|| clock.read());
    let three = &snapshots(&asked)[0].digit;
    assert_eq!(three.explained, 3);
    assert_ne!(three.saliency, first.saliency, "another class, another map");
    assert_eq!(
        three.layers, first.layers,
        "the feature maps are read before it"
    );
    let refused = session.handle(Request::Explain(Some(10)), &|| clock.read());
    assert!(refused_says(&refused, "no class 10"), "{refused:?}");
    let back = session.handle(Request::Explain(None), &|| clock.read());
    assert_eq!(snapshots(&back)[0].digit.explained, answer);
}

#[test]
fn every_request_and_reply_survives_the_wire() {
    let requests = vec![
        Request::Load {
            base_url: "http://127.0.0.1:8080/convlab/".into(),
            run: 1,
            config: TrainConfig::default(),
            dataset: DatasetKind::Fashion,
        },
        Request::Reset {
            run: 2,
            config: common::small_config(9),
        },
        Request::Tune {
            optimizer: Optimizer::adam(0.001),
            batch_size: 64,
        },
        Request::Start,
        Request::Pause,
        Request::Step { batches: 10 },
        Request::ShowDigit(DigitChoice::Test(42)),
        Request::ShowDigit(DigitChoice::Drawn(vec![0.25; 784])),
        Request::Explain(Some(3)),
        Request::Explain(None),
        Request::PlantKernel {
            weights: vec![-1.0, 8.0, 0.5],
            frozen: true,
        },
        Request::Open {
            run: 4,
            config: TrainConfig::default(),
            parameters: vec![0.5, -1.5],
            samples: 12_345,
        },
        Request::Export {
            dataset: DatasetKind::Digits,
        },
        Request::ShowCell {
            truth: 3,
            predicted: 8,
        },
    ];
    for request in &requests {
        assert_eq!(
            &decode::<Request>(&encode(request)).expect("decodes"),
            request
        );
    }
    let snapshot = Snapshot {
        run: 3,
        samples: 12_345,
        filters: Filters {
            count: 1,
            size: 1,
            weights: vec![0.5],
            bias: vec![-0.25],
            frozen_first: false,
        },
        digit: DigitView {
            test: Some((3, 7)),
            input: vec![0.0, 1.0],
            layers: vec![LayerMaps {
                index: 0,
                name: "convolution".into(),
                shape: Shape::new(1, 1, 2),
                formula: Some("⌊(28 + 2·1 − 3) / 1⌋ + 1 = 28".into()),
                values: vec![1.5, -2.5],
            }],
            probabilities: vec![0.1; 10],
            explained: 7,
            saliency: vec![0.25, -0.5],
        },
    };
    let replies = vec![
        Reply::Loading {
            loaded: 1000,
            total: Some(1_660_175),
        },
        Reply::Loading {
            loaded: 1000,
            total: None,
        },
        Reply::Model {
            run: 3,
            bytes: vec![8, 7, 255, 0],
        },
        Reply::Cell(CellImages {
            run: 3,
            samples: 640,
            truth: 3,
            predicted: 8,
            count: 12,
            images: vec![CellImage {
                image: StripDigit {
                    index: 7,
                    label: 3,
                    pixels: vec![0, 255],
                },
                probabilities: vec![0.25; 10],
            }],
        }),
        Reply::Ready(Dataset {
            train: 8000,
            test: 2000,
            strip: vec![StripDigit {
                index: 5,
                label: 3,
                pixels: vec![0, 255],
            }],
        }),
        Reply::Progress(Progress {
            run: 3,
            running: true,
            samples: 99,
            epoch: 1,
            epoch_fraction: 0.25,
            samples_per_second: 2950.5,
            points: vec![ChunkPoint {
                samples: 99,
                loss: 0.5,
                accuracy: 0.875,
            }],
            snapshot_share: 0.01,
            optimizer: Optimizer::DEFAULT_SGD,
            batch_size: 32,
        }),
        Reply::Evaluated(Evaluated {
            run: 3,
            samples: 99,
            loss: 0.3,
            accuracy: 0.973,
            total: 2000,
            confusion: (0..100).collect(),
        }),
        Reply::Snapshot(snapshot),
        Reply::Diverged {
            run: 3,
            message: "Training diverged".into(),
        },
        Reply::Refused {
            message: "no".into(),
        },
        Reply::LoadFailed {
            message: "404".into(),
        },
    ];
    for reply in &replies {
        assert_eq!(&decode::<Reply>(&encode(reply)).expect("decodes"), reply);
    }
    // Bytes that are not a message are an error in words, not a panic or a guess.
    let err = decode::<Request>(&[250, 1, 2]).expect_err("garbage");
    assert!(err.to_string().starts_with("unreadable message"), "{err}");
    assert!(decode::<Reply>(&[]).is_err());
}

#[test]
fn a_snapshot_of_the_default_network_is_small() {
    let (_, replies) = WorkerSession::new(1, TrainConfig::default(), mnist()).expect("builds");
    let snapshot = replies
        .iter()
        .find(|r| matches!(r, Reply::Snapshot(_)))
        .expect("a snapshot");
    let bytes = encode(snapshot).len();
    // conv 8×28² twice, pool 8×14², conv 16×14² twice, pool 16×7², dense 10: 21,178 maps'
    // floats, the input digit's 784 and its saliency's 784, 80 filter weights and biases and
    // 10 probabilities: 22,836 floats of 4 bytes each, plus names and formulas.
    assert!((91_344..95_000).contains(&bytes), "{bytes} bytes");
}
