use std::rc::Rc;

use super::*;
use crate::explorer::layer::LayerSettings;
use crate::explorer::state::ExplorerState;

/// A lesson far from the defaults: RGB, three filters of 5 × 5 with typed cells and biases,
/// VALID, stride 2, tanh, average pooling, gray, full range, a scale per map, a
/// step-through, and other training settings.
fn unusual() -> Lesson {
    let mut explorer = ExplorerSetup {
        sample: Some(&SAMPLES[2]),
        working_size: 32,
        channels: Channels::Rgb,
        filter_count: 3,
        settings: LayerSettings {
            stride: 2,
            padding: Padding::Valid,
            activation: ActivationChoice::Tanh,
            pooling: PoolingChoice::Average,
        },
        colormap: Colormap::Gray,
        color_range: ColorRange::Full,
        scale_sharing: ScaleSharing::Map,
        stepping: Some(Stepping {
            shown: 17,
            playing: false,
            speed: 10,
        }),
        ..ExplorerSetup::default()
    };
    for draft in explorer.drafts.iter_mut() {
        draft.resize(5);
        draft.enter_rgb();
    }
    let cells = |seed: usize| -> Vec<Vec<String>> {
        (0..5)
            .map(|r| {
                (0..5)
                    .map(|c| match (r * 5 + c + seed) % 4 {
                        0 => "1/7".to_string(),
                        1 => "−0,25".to_string(),
                        2 => format!("{}e-3", r + c),
                        _ => "2".to_string(),
                    })
                    .collect()
            })
            .collect()
    };
    explorer.drafts[0]
        .set_cells(Channels::Rgb, 1, cells(1))
        .expect("cells");
    explorer.drafts[2]
        .set_cells(Channels::Rgb, 2, cells(2))
        .expect("cells");
    explorer.drafts[1].edit_bias(Channels::Rgb, "-0.125".into());
    explorer.drafts[2].edit_bias(Channels::Rgb, "1/3".into());
    Lesson {
        explorer,
        training: TrainingSettings {
            dataset: DatasetKind::Fashion,
            learning_rate: 0.0123,
            optimizer: OptimizerKind::Adam,
            batch_size: 128,
            blocks: 2,
            filters: [4, 32, 16],
            kernel_size: 5,
            padding: Padding::Valid,
            pooling: NetworkPooling::Average,
            activation: ActivationKind::Tanh,
            hidden: 32,
            dropout: 0.25,
            weight_decay: 1e-3,
            train_examples: 1_000,
            seed: 18_446_744_073_709_551_615,
        },
        presenter: true,
    }
}

/// The layer a setup computes, on its sample.
fn computed(setup: &ExplorerSetup) -> ExplorerState {
    let sample = setup.sample.unwrap_or(DEFAULT);
    let source = Rc::new(sample.decode_from_repository());
    ExplorerState::open(source, setup).expect("the layer runs")
}

#[test]
fn the_first_page_writes_a_short_link_that_reads_back_with_no_notice() {
    let query = write(&Lesson::default());
    assert!(query.starts_with("v=1&sample=cat&size=300&channels=gray&filters=1&kernel=3"));
    assert!(query.contains("&f1=outline&b1=0&padding=same&stride=1&activation=relu"));
    assert!(query.ends_with(
        "&lr=0.15&batch=32&blocks=2&conv1=8&conv2=16&conv3=32&net-kernel=3&net-padding=same\
         &net-pooling=max&net-activation=relu&hidden=0&dropout=0&decay=0&examples=8000&seed=1"
    ));
    let (lesson, notices) = read(&query);
    assert_eq!(notices, []);
    assert_eq!(lesson, Lesson::default());
    let (empty, notices) = read("");
    assert_eq!(notices, []);
    assert_eq!(empty, Lesson::default());
}

#[test]
fn every_field_goes_round_trip_and_computes_the_same_layer() {
    let lesson = unusual();
    let query = write(&lesson);
    let (back, notices) = read(&format!("?{query}"));
    assert_eq!(notices, []);
    assert_eq!(write(&back), query);
    assert_eq!(back.training, lesson.training);
    assert!(back.presenter);
    let (a, b) = (computed(&lesson.explorer), computed(&back.explorer));
    assert_eq!(b.stepping, lesson.explorer.stepping);
    assert_eq!(
        (b.filter_count, b.channels, b.settings),
        (3, Channels::Rgb, a.settings)
    );
    assert_eq!(
        (b.colormap, b.color_range, b.scale_sharing),
        (a.colormap, a.color_range, a.scale_sharing)
    );
    assert_eq!(*b.filters, *a.filters);
    let bits = |s: &ExplorerState| -> Vec<u32> {
        s.output
            .convolution
            .iter()
            .chain(s.output.pooling.iter())
            .map(|v| v.to_bits())
            .collect()
    };
    assert_eq!(bits(&b), bits(&a), "the same numbers, bit for bit");
}

#[test]
fn a_users_own_picture_is_not_in_the_link_and_opens_as_the_first_sample() {
    let mut lesson = Lesson::default();
    lesson.explorer.sample = None;
    let query = write(&lesson);
    assert!(query.contains("sample=own"));
    let (back, notices) = read(&query);
    assert_eq!(notices, []);
    assert_eq!(back.explorer.sample, None);
}

#[test]
fn a_bad_field_is_ignored_alone_and_named() {
    let (lesson, notices) =
        read("size=128&stride=7&padding=valid&f1=1,2,3&b1=abc&lr=-1&seed=x&colour=red&size=32");
    let fields: Vec<&str> = notices.iter().map(|n| n.field.as_str()).collect();
    assert_eq!(
        fields,
        ["size", "f1", "b1", "stride", "lr", "seed", "colour"]
    );
    assert_eq!(lesson.explorer.working_size, 128, "the first size is used");
    assert_eq!(lesson.explorer.settings.padding, Padding::Valid);
    assert_eq!(lesson.explorer.settings.stride, 1);
    assert_eq!(lesson.training.learning_rate, 0.15);
    assert!(notices[3]
        .to_string()
        .contains("“7” is not offered; use 1, 2 or 3."));
    assert!(notices[1].problem.contains("needs 9"));
}

#[test]
fn kernels_follow_the_kernel_size_and_channels_of_the_link() {
    let (lesson, notices) = read(
        "channels=rgb&kernel=5&filters=2&f1=sobel-y&f2g=identity&f2b=1,1,1,1,1,1,1,1,1&b2=0.5",
    );
    let fields: Vec<&str> = notices.iter().map(|n| n.field.as_str()).collect();
    assert_eq!(fields, ["f2b"], "9 cells for a 5 × 5 kernel");
    let setup = &lesson.explorer;
    let grids = setup.drafts[0].grids(Channels::Rgb);
    let sobel = crate::explorer::kernel::PRESETS[6].cells_at(5);
    assert!(
        grids.iter().all(|g| *g.texts() == sobel),
        "f1 gives every colour"
    );
    let second = setup.drafts[1].grids(Channels::Rgb);
    assert_eq!(
        *second[1].texts(),
        crate::explorer::kernel::PRESETS[1].cells_at(5)
    );
    assert_eq!(setup.drafts[1].bias().value(), 0.5);
}

#[test]
fn filters_too_large_together_start_as_usual() {
    let huge = ["3e38"; 9].join(",");
    let (lesson, notices) = read(&format!("channels=rgb&f1={huge}"));
    assert_eq!(notices.len(), 1);
    assert!(notices[0].problem.contains("overflow"), "{}", notices[0]);
    assert_eq!(lesson.explorer.drafts[0], FilterDraft::starting(0, 3));
}

#[test]
fn enormous_links_are_read_quickly_and_bounded() {
    let long_value = format!("size={}", "9".repeat(1_000_000));
    let (lesson, notices) = read(&long_value);
    assert_eq!(lesson, Lesson::default());
    assert!(notices[0].problem.contains("1000000 characters"));
    let many = (0..100_000)
        .map(|i| format!("k{i}=1"))
        .collect::<Vec<_>>()
        .join("&");
    let (_, notices) = read(&many);
    assert_eq!(notices.len(), MAX_FIELDS + 1);
    assert!(notices[0]
        .problem
        .contains("more fields past the first 300"));
}

#[test]
fn a_step_through_reads_its_step_and_speed() {
    let (lesson, notices) = read("step=5&speed=30");
    assert_eq!(notices, []);
    assert_eq!(
        lesson.explorer.stepping.map(|s| (s.shown, s.speed)),
        Some((5, 30))
    );
    let (lesson, notices) = read("step=0&speed=30");
    assert_eq!(lesson.explorer.stepping, None);
    assert_eq!(notices[0].field, "step");
    let (lesson, notices) = read("step=3&speed=7");
    assert_eq!(lesson.explorer.stepping.map(|s| s.speed), Some(2));
    assert_eq!(notices[0].field, "speed");
}

/// One link of the corpus in `tests/fixtures/links/hostile.json`: the fields that must be
/// refused, and fields that must still apply, as the page writes them back.
#[derive(serde::Deserialize)]
struct HostileLink {
    link: String,
    refused: Vec<String>,
    #[serde(default)]
    applies: Vec<(String, String)>,
}

#[test]
fn every_hostile_link_of_the_corpus_is_refused_field_by_field() {
    let corpus: Vec<HostileLink> =
        serde_json::from_str(include_str!("../../tests/fixtures/links/hostile.json"))
            .expect("the corpus is JSON");
    assert!(corpus.len() >= 30, "{} links", corpus.len());
    for case in &corpus {
        let query = case.link.split_once('?').map_or("", |(_, q)| q);
        let query = query.split('#').next().unwrap_or_default();
        let (lesson, notices) = read(query);
        let mut refused: Vec<String> = notices.iter().map(|n| n.field.clone()).collect();
        refused.dedup();
        assert_eq!(refused, case.refused, "{}", case.link);
        for notice in &notices {
            let text = notice.to_string();
            assert!(text.chars().count() < 400, "{text}");
            assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        }
        let written = write(&lesson);
        let fields: Vec<(String, String)> = text::split(&written).collect();
        for (key, value) in &case.applies {
            assert!(
                fields.contains(&(key.clone(), value.clone())),
                "{}: {key}={value} not in {written}",
                case.link
            );
        }
        // The page can open what the link set.
        computed(&lesson.explorer);
    }
}

#[test]
fn a_network_that_leaves_nothing_of_the_image_is_refused_and_named() {
    let (lesson, notices) = read("blocks=3&net-kernel=5&net-padding=valid&hidden=64&conv3=64");
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].field, "blocks, net-kernel, net-padding");
    assert!(
        notices[0].problem.contains("cannot be built"),
        "{}",
        notices[0]
    );
    let training = &lesson.training;
    assert_eq!((training.blocks, training.kernel_size), (2, 3));
    assert_eq!(
        (training.hidden, training.filters[2]),
        (64, 64),
        "the rest applies"
    );
}
