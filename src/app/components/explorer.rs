//! The kernel explorer: owns the state (a reducer), listens for dropped and pasted images,
//! lays out the controls and the stages (each a row of maps, one per channel or filter),
//! and paints every map after each change.

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Interval;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ClipboardEvent, DragEvent, HtmlCanvasElement};
use yew::prelude::*;

use crate::app::canvas::{put_rgba, ByPointer};

use super::camera_controls::CameraControls;
use super::image_loader::ImageLoader;
use super::kernel_editor::{KernelEditor, KernelFile};
use super::map_canvas::MapSlot;
use super::notice_bar::NoticeBar;
use super::parameters_panel::ParametersPanel;
use super::pipeline_controls::PipelineControls;
use super::probe_panel::ProbePanel;
use super::stage_view::{FileKind, StageView};
use super::step_controls::StepControls;
use crate::app::lesson_link::Opened;
use crate::app::loading::{load_file, load_sample, open_lesson, Dispatcher};
use crate::app::paint::{draw_legend, draw_map};
use crate::app::{download, timing};
use crate::common::format::number;
use crate::common::geometry::Window;
use crate::explorer::colormap::{colour_picture, Scale, ScaleSharing, ValueRange};
use crate::explorer::export;
use crate::explorer::filters::MAX_FILTERS;
use crate::explorer::layer::{ActivationChoice, Channels, LayerSettings, PoolingChoice};
use crate::explorer::pipeline::Stage;
use crate::explorer::probe::{Position, Probe};
use crate::explorer::samples::Sample;
use crate::explorer::source::SourceImage;
use crate::explorer::state::{ExplorerAction, ExplorerSetup, ExplorerState, Notice};

/// The explorer's state as Yew's reducer holds it: the state lives in convlab-core, which
/// knows nothing of Yew, so Yew's trait is implemented here on this wrapper.
pub struct ExplorerStore(ExplorerState);

impl Deref for ExplorerStore {
    type Target = ExplorerState;

    fn deref(&self) -> &ExplorerState {
        &self.0
    }
}

impl Reducible for ExplorerStore {
    type Action = ExplorerAction;

    fn reduce(self: Rc<Self>, action: ExplorerAction) -> Rc<Self> {
        Rc::new(ExplorerStore(timing::compute(|| self.apply(action))))
    }
}

/// The picture the explorer opens with: the sample the page's address names (the first
/// sample for a link made with someone's own picture), or the first sample if that one
/// could not be loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct FirstPicture {
    /// `None` for the test card shown when no sample could be loaded.
    pub sample: Option<&'static Sample>,
    pub source: Rc<SourceImage>,
    /// Why the address's sample is not the one shown, in a sentence.
    pub failure: Option<String>,
}

/// The explorer as the page's address sets it, on `first`'s picture.
fn initial_state(setup: &ExplorerSetup, first: &FirstPicture) -> ExplorerState {
    let source = Rc::clone(&first.source);
    let setup = ExplorerSetup {
        sample: first.sample,
        ..setup.clone()
    };
    // A link's setup fits float32 (checked as it is read), so its layer runs.
    let mut state = ExplorerState::open(Rc::clone(&source), &setup).unwrap_or_else(|error| {
        let fallback = ExplorerSetup {
            sample: first.sample,
            ..ExplorerSetup::default()
        };
        let mut state = ExplorerState::open(source, &fallback)
            .expect("the default layer runs on every sample (tested)");
        state.notice = Some(Notice::Error(format!(
            "The link's layer cannot run: {error}. The explorer starts as usual."
        )));
        state
    });
    if let Some(failure) = &first.failure {
        state.notice = Some(Notice::Error(failure.clone()));
    }
    state
}

fn formulas(what: &str, window: &Window) -> Vec<AttrValue> {
    vec![
        format!("{what} height: {}", window.rows.formula()).into(),
        format!("{what} width: {}", window.cols.formula()).into(),
    ]
}

/// Loads the first of `files`, if there is one.
fn load_first(files: Option<web_sys::FileList>, dispatch: &Dispatcher) {
    if let Some(file) = files.and_then(|files| files.get(0)) {
        load_file(file, dispatch.clone());
    }
}

/// Page-wide listeners: dropping a file anywhere, or pasting one, loads it.
fn listen_for_files(dispatch: Dispatcher, dragging: UseStateHandle<bool>) -> Vec<EventListener> {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return Vec::new();
    };
    let active = EventListenerOptions::enable_prevent_default();
    let drag_over = {
        let dragging = dragging.clone();
        EventListener::new_with_options(&document, "dragover", active, move |event| {
            event.prevent_default();
            dragging.set(true);
        })
    };
    let drag_leave = {
        let dragging = dragging.clone();
        EventListener::new(&document, "dragleave", move |event| {
            let left_page = event
                .dyn_ref::<DragEvent>()
                .is_some_and(|e| e.related_target().is_none());
            if left_page {
                dragging.set(false);
            }
        })
    };
    let drop = {
        let dispatch = dispatch.clone();
        EventListener::new_with_options(&document, "drop", active, move |event| {
            event.prevent_default();
            dragging.set(false);
            let transfer = event
                .dyn_ref::<DragEvent>()
                .and_then(DragEvent::data_transfer);
            load_first(transfer.and_then(|t| t.files()), &dispatch);
        })
    };
    let paste = EventListener::new(&document, "paste", move |event| {
        let data = event
            .dyn_ref::<ClipboardEvent>()
            .and_then(ClipboardEvent::clipboard_data);
        load_first(data.and_then(|d| d.files()), &dispatch);
    });
    vec![drag_over, drag_leave, drop, paste]
}

#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    /// Told filter 1's grayscale kernel whenever it changes (the training panel can plant
    /// it).
    pub on_kernel: Callback<ndarray::Array2<f32>>,
    /// The lesson the page's address opened (on load, and at each Back or Forward).
    pub lesson: Opened<ExplorerSetup>,
    /// Told the user's choices whenever they change, for the address.
    pub on_setup: Callback<ExplorerSetup>,
    /// The picture to start with.
    pub first: FirstPicture,
}

/// The most maps a stage shows: a filter each, or the colour picture and three channels.
const MAX_MAPS: usize = MAX_FILTERS;

/// What one map of a stage shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MapKind {
    /// The input's colour picture (RGB only).
    Colour,
    /// One map of the stage's values: a channel of the input, or one filter's map.
    Values(usize),
}

/// The maps of `stage`, in order.
fn map_kinds(state: &ExplorerState, stage: Stage) -> Vec<MapKind> {
    let count = state.values(stage).dim().0;
    let colour =
        (stage == Stage::Input && state.channels == Channels::Rgb).then_some(MapKind::Colour);
    colour
        .into_iter()
        .chain((0..count).map(MapKind::Values))
        .take(MAX_MAPS)
        .collect()
}

/// The canvases the explorer paints, made once: per stage (in `Stage::ALL` order) a canvas
/// and a legend per map, and the stage's shared legend.
#[derive(Default, PartialEq)]
struct Canvases {
    maps: [[NodeRef; MAX_MAPS]; 4],
    map_legends: [[NodeRef; MAX_MAPS]; 4],
    legends: [NodeRef; 4],
}

/// Each stage's value range: of every value, and of each map.
#[derive(Clone, Debug, PartialEq)]
struct StageRanges {
    all: Option<ValueRange>,
    maps: Vec<Option<ValueRange>>,
}

/// The ranges of the maps of `stage`. `known` holds ranges found before, each with the
/// version of the map it was found for (per stage, per map): after an edit of one filter
/// only that filter's maps are measured again.
fn stage_ranges(state: &ExplorerState, stage: Stage, known: &RefCell<KnownRanges>) -> StageRanges {
    let i = stage_index(stage);
    let mut known = known.borrow_mut();
    let maps: Vec<Option<ValueRange>> = state
        .values(stage)
        .outer_iter()
        .enumerate()
        .map(|(k, map)| {
            let version = match stage {
                Stage::Input => state.versions.input,
                _ => state.versions.filters.get(k).copied().unwrap_or(0),
            };
            match known[i].get(k) {
                Some(&(v, range)) if v == version => range,
                _ => {
                    let range = map.as_slice().and_then(ValueRange::of);
                    if known[i].len() <= k {
                        known[i].resize(k + 1, (u64::MAX, None));
                    }
                    known[i][k] = (version, range);
                    range
                }
            }
        })
        .collect();
    let all = maps.iter().flatten().copied().reduce(ValueRange::union);
    StageRanges { all, maps }
}

/// Ranges found before, per stage and map, with the version of the map they belong to.
type KnownRanges = [Vec<(u64, Option<ValueRange>)>; 4];

/// Each map's scale of `stage` and the range its legend shows: one scale for them all
/// (fitted once, to every value of the stage), or one each.
fn stage_scales(
    state: &ExplorerState,
    stage: Stage,
    ranges: &StageRanges,
) -> Vec<Option<(Scale, ValueRange)>> {
    let values = state.values(stage);
    match state.scale_sharing {
        ScaleSharing::Stage => {
            let shared = ranges
                .all
                .zip(values.as_slice())
                .map(|(range, all)| (state.scale(stage, all, range), range));
            vec![shared; values.dim().0]
        }
        ScaleSharing::Map => ranges
            .maps
            .iter()
            .enumerate()
            .map(|(index, range)| {
                let range = (*range)?;
                let map = state.map(stage, index);
                Some((state.scale(stage, map.to_slice()?, range), range))
            })
            .collect(),
    }
}

#[function_component(Explorer)]
pub fn explorer(props: &ExplorerProps) -> Html {
    let state = use_reducer(|| ExplorerStore(initial_state(&props.lesson.value, &props.first)));
    {
        // Each later opening of the address (Back, Forward) is applied once.
        let (dispatch, opened) = (state.dispatcher(), use_mut_ref(|| props.lesson.id));
        let shown = state.sample;
        use_effect_with(props.lesson.clone(), move |lesson| {
            if *opened.borrow() != lesson.id {
                *opened.borrow_mut() = lesson.id;
                timing::start_update();
                open_lesson(Rc::clone(&lesson.value), shown, dispatch);
            }
        });
    }
    {
        let on_setup = props.on_setup.clone();
        use_effect_with(state.setup(), move |setup| on_setup.emit(setup.clone()));
    }
    {
        let on_kernel = props.on_kernel.clone();
        let first = state.drafts[0].grids(Channels::Grayscale)[0]
            .kernel()
            .weights()
            .clone();
        use_effect_with(first, move |weights| {
            on_kernel.emit(weights.clone());
        });
    }
    let dragging = use_state(|| false);
    let canvases = use_memo((), |_| Canvases::default());

    {
        let dispatch = state.dispatcher();
        let dragging = dragging.clone();
        use_effect_with((), move |_| {
            let listeners = listen_for_files(dispatch, dragging);
            move || drop(listeners)
        });
    }

    // The legends' width in CSS pixels: reading it forces a layout, so it is read once and
    // again only after the window is resized, which also repaints the legends at the new
    // width (the resize count is part of the painting effects' dependencies).
    let legend_width = use_mut_ref(|| None::<i32>);
    let resizes = use_mut_ref(|| 0u32);
    let rerender = use_force_update();
    {
        let (legend_width, resizes) = (Rc::clone(&legend_width), Rc::clone(&resizes));
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "resize", move |_| {
                    *legend_width.borrow_mut() = None;
                    *resizes.borrow_mut() += 1;
                    rerender.force_update();
                })
            });
            move || drop(listener)
        });
    }
    let resize_count = *resizes.borrow();

    // Each stage's value ranges, once per change: the summaries and the painting share them.
    // The input's only when it changed: an edit changes the computed stages alone.
    let known_ranges = use_mut_ref(KnownRanges::default);
    let input_ranges = {
        let (state, known) = (state.clone(), Rc::clone(&known_ranges));
        use_memo(ByPointer(Rc::clone(&state.input)), move |_| {
            stage_ranges(&state, Stage::Input, &known)
        })
    };
    let ranges = {
        let (state, input_ranges) = (state.clone(), Rc::clone(&input_ranges));
        let known_computed = Rc::clone(&known_ranges);
        use_memo(
            (
                ByPointer(Rc::clone(&state.input)),
                ByPointer(Rc::clone(&state.output)),
            ),
            move |_| {
                Stage::ALL.map(|stage| match stage {
                    Stage::Input => (*input_ranges).clone(),
                    computed => stage_ranges(&state, computed, &known_computed),
                })
            },
        )
    };

    // Paint after every change: the input only when it or the colours changed, then the
    // computed stages; the update's measure ends after the last canvas.
    {
        let (state, ranges, canvases) = (state.clone(), Rc::clone(&ranges), Rc::clone(&canvases));
        let legend_width = Rc::clone(&legend_width);
        use_effect_with(
            (
                ByPointer(Rc::clone(&state.input)),
                state.colormap,
                state.color_range,
                state.scale_sharing,
                resize_count,
            ),
            move |_| {
                let width = cached_width(&legend_width, &canvases);
                paint_stages(&state, &ranges, &[Stage::Input], width, &canvases);
            },
        );
    }
    {
        let (state, ranges, canvases) = (state.clone(), Rc::clone(&ranges), Rc::clone(&canvases));
        use_effect_with(
            (
                ByPointer(Rc::clone(&state.output)),
                state.colormap,
                state.color_range,
                state.scale_sharing,
                resize_count,
                state.stepping.map(|s| s.shown),
            ),
            move |_| {
                let width = cached_width(&legend_width, &canvases);
                let computed = [Stage::Convolution, Stage::Activation, Stage::Pooling];
                paint_stages(&state, &ranges, &computed, width, &canvases);
                timing::finish_update();
            },
        );
    }

    // While a step-through plays, one step after another at its speed; the state stops
    // playing at the last step, which drops the interval.
    {
        let dispatch = state.dispatcher();
        let speed = state.stepping.filter(|s| s.playing).map(|s| s.speed);
        use_effect_with(speed, move |speed| {
            let interval = speed.map(|speed| {
                Interval::new(1000 / speed.max(1), move || {
                    dispatch.dispatch(ExplorerAction::StepBy(1));
                })
            });
            move || drop(interval)
        });
    }

    let on_action = {
        let dispatch = state.dispatcher();
        Callback::from(move |action: ExplorerAction| {
            timing::start_update();
            dispatch.dispatch(action);
        })
    };
    let on_kernel_file = {
        let state = state.clone();
        Callback::from(move |file: KernelFile| save_kernel_file(&state, file))
    };
    let on_file = {
        let dispatch = state.dispatcher();
        Callback::from(move |file| load_file(file, dispatch.clone()))
    };
    let on_sample = {
        let dispatch = state.dispatcher();
        Callback::from(move |sample| load_sample(sample, dispatch.clone()))
    };
    let on_download = {
        let (state, ranges) = (state.clone(), Rc::clone(&ranges));
        Callback::from(move |(stage, kind): (Stage, FileKind)| {
            save_stage(&state, stage, &ranges[stage_index(stage)], kind);
        })
    };

    // The probed filter and position: where the pointer last was (a map of a filter picks
    // that filter), or the centre of the first filter's convolution. In a step-through the
    // window is where the steps have taken it, and picking a cell jumps to its step.
    let probed_filter = use_state(|| 0usize);
    let pointed = use_state(|| None::<(Stage, Position)>);
    let stepping = state.stepping.is_some();
    let on_point = {
        let (pointed, probed_filter) = (pointed.clone(), probed_filter.clone());
        Callback::from(
            move |(stage, filter, at): (Stage, Option<usize>, Position)| {
                if let Some(filter) = filter {
                    probed_filter.set(filter);
                }
                if !stepping {
                    pointed.set(Some((stage, at)));
                }
            },
        )
    };
    let on_pick = {
        let (on_point, dispatch, plan) = (on_point.clone(), state.dispatcher(), state.step_plan());
        Callback::from(
            move |(stage, filter, at): (Stage, Option<usize>, Position)| {
                on_point.emit((stage, filter, at));
                if let Some(step) = plan.step_of(stage, at).filter(|_| stepping) {
                    dispatch.dispatch(ExplorerAction::StepTo(step));
                }
            },
        )
    };
    let filter = (*probed_filter).min(state.filter_count - 1);
    // The cell the step-through's window is at, and its stage.
    let step_at = state
        .stepping
        .and_then(|s| state.step_plan().current(s.shown));
    let probe = match state.stepping {
        Some(_) => step_at,
        None => *pointed,
    }
    .and_then(|(stage, at)| Probe::at(&state, stage, filter, at))
    .or_else(|| {
        let (_, h, w) = state.output.convolution.dim();
        Probe::at(&state, Stage::Convolution, filter, (h / 2, w / 2))
    });

    let busy = matches!(state.notice, Some(Notice::Busy(_)));
    let (src_h, src_w) = state.source.shape();
    let (depth, in_h, in_w) = state.input.dim();
    let output = &state.output;
    let padding = state.settings.padding;
    let settings = state.settings;
    let k = state.filter_count;
    let stage_view =
        |stage: Stage, caption: String, formulas: Vec<AttrValue>, depth_note: Option<String>| {
            if !settings.stages().contains(&stage) {
                return Html::default();
            }
            let i = stage_index(stage);
            let (d, h, w) = state.values(stage).dim();
            let name = settings.stage_name(stage);
            let shared = state.scale_sharing == ScaleSharing::Stage;
            let maps = map_kinds(&state, stage)
                .into_iter()
                .enumerate()
                .map(|(slot, kind)| {
                    let shape = format!("{h} × {w}");
                    let (label, caption, filter) = match (stage, kind) {
                        (_, MapKind::Colour) => (
                            format!("Input color picture, {shape} (height × width)"),
                            Some("Color".to_string()),
                            None,
                        ),
                        (Stage::Input, MapKind::Values(c)) if state.channels == Channels::Rgb => {
                            let channel = state.channels.channel_names()[c];
                            (
                                format!("Input {channel} channel, {shape} (height × width)"),
                                Some(channel.to_string()),
                                None,
                            )
                        }
                        (Stage::Input, MapKind::Values(_)) => (
                            format!("{name} feature map, {shape} (height × width)"),
                            None,
                            None,
                        ),
                        (_, MapKind::Values(f)) if k == 1 => (
                            format!("{name} feature map, {shape} (height × width)"),
                            None,
                            Some(f),
                        ),
                        (_, MapKind::Values(f)) => (
                            format!(
                                "{name} feature map of filter {}, {shape} (height × width)",
                                f + 1
                            ),
                            Some(format!("Filter {}", f + 1)),
                            Some(f),
                        ),
                    };
                    MapSlot {
                        label: label.into(),
                        caption: caption.map(AttrValue::from),
                        canvas: canvases.maps[i][slot].clone(),
                        legend: (!shared && kind != MapKind::Colour)
                            .then(|| canvases.map_legends[i][slot].clone()),
                        filter,
                        shape: (h, w),
                        highlight: probe
                            .as_ref()
                            .filter(|p| filter.is_none_or(|f| f == p.filter))
                            .and_then(|p| p.highlight(stage, (h, w))),
                        cursor: probe.as_ref().and_then(|p| p.cursor(stage)),
                    }
                })
                .collect::<Vec<_>>();
            html! {
                <StageView stage={stage} shape={(h, w, d)} range={ranges[i].all}
                    name={name} slug={settings.stage_slug(stage)}
                    caption={caption} formulas={formulas} depth={depth_note.map(AttrValue::from)}
                    maps={maps} legend={shared.then(|| canvases.legends[i].clone())}
                    on_point={on_point.clone()} on_pick={on_pick.clone()}
                    on_download={on_download.clone()} />
            }
        };
    let probe_panel = match probe.clone() {
        Some(probe) => html! {
            <ProbePanel probe={probe} activation={settings.activation}
                pooling={settings.pooling} channels={state.channels} filters={k}
                stepping={stepping} announce={!state.stepping.is_some_and(|s| s.playing)}
                pooling_step={step_at.is_some_and(|(stage, _)| stage == Stage::Pooling)} />
        },
        None => Html::default(),
    };
    html! {
        <div class={classes!("explorer", (*dragging).then_some("dragging"), stepping.then_some("stepping"))}>
            <div class="controls">
                <ImageLoader on_file={on_file} on_sample={on_sample} busy={busy}>
                    <CameraControls dispatch={state.dispatcher()} working_size={state.working_size}
                        source={ByPointer(Rc::clone(&state.source))} />
                </ImageLoader>
                <KernelEditor drafts={state.filter_drafts().to_vec()} channels={state.channels}
                    kernel_names={(0..k).map(|f| (0..depth)
                        .map(|c| AttrValue::from(state.kernel_name(f, c))).collect()).collect::<Vec<_>>()}
                    bias_names={(0..k).map(|f| AttrValue::from(state.bias_name(f))).collect::<Vec<_>>()}
                    kernel_error={state.kernel_error()} bias_error={state.bias_error()}
                    on_action={on_action.clone()} on_download={on_kernel_file} />
                <PipelineControls settings={state.settings} working_size={state.working_size}
                    colormap={state.colormap} color_range={state.color_range}
                    scale_sharing={state.scale_sharing} on_action={on_action.clone()} />
            </div>
            <div class="results">
                <NoticeBar notice={state.notice.clone()} />
                <StepControls stepping={state.stepping} plan={state.step_plan()}
                    conv_name={settings.stage_name(Stage::Convolution)}
                    pool_name={settings.stage_name(Stage::Pooling)}
                    working_size={state.working_size} on_action={on_action} />
                <p class="source-line">
                    { format!("“{}”, {src_h} × {src_w} pixels", state.source.name) }
                    { if (src_h, src_w) == (in_h, in_w) {
                        format!(", used at its own size (working size {}).", state.working_size)
                    } else {
                        format!(", scaled to {in_h} × {in_w} (working size {}).", state.working_size)
                    } }
                </p>
                <div class={classes!("stages", (k > 1 || depth > 1).then_some("deep"))}>
                    { stage_view(Stage::Input, match state.channels {
                            Channels::Grayscale => "Grayscale, (0.299 R + 0.587 G + 0.114 B) / 255: float32 in [0, 1]".into(),
                            Channels::Rgb => "Red, green and blue, each value / 255: float32 in [0, 1]".into(),
                        }, vec![],
                        Some(format!("Depth {depth}: {}", if depth == 1 {
                            "one grayscale channel".to_string()
                        } else {
                            format!("{depth} channels, one map each")
                        }))) }
                    { stage_view(Stage::Convolution, convolution_caption(&state),
                        formulas("Output", &output.conv_window),
                        Some(if depth == 1 {
                            format!("Output depth = number of filters = {k}: one map each")
                        } else {
                            format!("Output depth = number of filters = {k}: each sums its \
                                {depth} channels into one map")
                        })) }
                    { stage_view(Stage::Activation,
                        activation_caption(settings.activation).into(), vec![], None) }
                    { stage_view(Stage::Pooling,
                        format!("2×2 window, stride 2, {padding} padding: {}",
                            match settings.pooling {
                                PoolingChoice::Max => "the largest of each window",
                                PoolingChoice::Average => "the mean of each window's cells inside the map",
                            }),
                        formulas("Output", &output.pool_window),
                        Some(format!("Depth stays {k}: each map is pooled on its own"))) }
                </div>
                <ParametersPanel input={(depth, in_h, in_w)} kernel_size={state.kernel_size()}
                    filters={k} output={output.conv_window.output_shape()} />
                { probe_panel }
            </div>
            <div class="drop-overlay" aria-hidden="true">{ "Drop the image to load it" }</div>
        </div>
    }
}

fn stage_index(stage: Stage) -> usize {
    Stage::ALL
        .iter()
        .position(|&s| s == stage)
        .unwrap_or_default()
}

/// What the convolution stage says it did.
fn convolution_caption(state: &ExplorerState) -> String {
    let LayerSettings {
        stride, padding, ..
    } = state.settings;
    let biases: Vec<f32> = state.filters.iter().map(|f| f.bias).collect();
    let bias = match biases.as_slice() {
        [b] if *b == 0.0 => String::new(),
        [b] => format!(" + bias {}", number(f64::from(*b))),
        _ if biases.iter().all(|&b| b == 0.0) => String::new(),
        _ => " + a bias each".into(),
    };
    let f = state.kernel_size();
    let c = state.channels.count();
    let kernel = if c == 1 {
        format!("{f}×{f} kernel")
    } else {
        format!("{f}×{f}×{c} filters")
    };
    format!("{kernel}{bias}, stride {stride}, {padding} padding; blue < 0 < red")
}

/// What the activation stage says it does.
fn activation_caption(activation: ActivationChoice) -> &'static str {
    match activation {
        ActivationChoice::Relu => "ReLU: max(0, x) keeps the positive half",
        ActivationChoice::LeakyRelu => "Leaky ReLU: x above 0, 0.2 × x below: negatives shrink",
        ActivationChoice::Tanh => "Tanh: squashes every value into (−1, 1)",
        ActivationChoice::Sigmoid => "Sigmoid: 1 / (1 + e^−x) squashes every value into (0, 1)",
        ActivationChoice::None => "",
    }
}

/// The legends' width in CSS pixels, read (forcing a layout) only when not cached: every
/// legend spans its stage's column, so the first one found tells.
fn cached_width(cache: &RefCell<Option<i32>>, canvases: &Canvases) -> i32 {
    if let Some(width) = *cache.borrow() {
        return width;
    }
    let width = canvases
        .legends
        .iter()
        .chain(canvases.map_legends.iter().flatten())
        .find_map(|legend| legend.cast::<HtmlCanvasElement>())
        .map(|legend| legend.client_width());
    if let Some(width) = width {
        *cache.borrow_mut() = Some(width);
    }
    width.unwrap_or_default()
}

/// Whether `canvas` does not yet show what `key` describes (its values' version and scale,
/// or a legend's scale, range and width); records `key` on the element. A canvas the page
/// re-creates starts without a record, so it is always painted.
fn needs_paint(canvas: &HtmlCanvasElement, key: String) -> bool {
    let field = JsValue::from_str("convlabPainted");
    let shown = Reflect::get(canvas, &field)
        .ok()
        .and_then(|v| v.as_string());
    if shown.as_deref() == Some(key.as_str()) {
        return false;
    }
    // Without the record the canvas is only painted again next time.
    let _ = Reflect::set(canvas, &field, &JsValue::from_str(&key));
    true
}

/// Paints the maps of `stages` and their legends, `legend_width` CSS pixels wide, skipping
/// those that already show these values with this scale (after an edit of one filter, the
/// others' maps often do).
fn paint_stages(
    state: &ExplorerState,
    ranges: &[StageRanges; 4],
    stages: &[Stage],
    legend_width: i32,
    canvases: &Canvases,
) {
    for &stage in stages {
        if !state.settings.stages().contains(&stage) {
            continue;
        }
        let i = stage_index(stage);
        let scales = stage_scales(state, stage, &ranges[i]);
        let legend = |legend: &NodeRef, scale: &Scale, range: ValueRange| {
            if let Some(canvas) = legend.cast::<HtmlCanvasElement>() {
                if needs_paint(&canvas, format!("{scale:?} {range:?} {legend_width}")) {
                    draw_legend(&canvas, legend_width, scale, range);
                }
            }
        };
        if state.scale_sharing == ScaleSharing::Stage {
            if let Some(Some((scale, range))) = scales.first() {
                legend(&canvases.legends[i], scale, *range);
            }
        }
        let computed = state.computed_cells(stage);
        for (slot, kind) in map_kinds(state, stage).into_iter().enumerate() {
            let Some(canvas) = canvases.maps[i][slot].cast::<HtmlCanvasElement>() else {
                continue;
            };
            let version = match (stage, kind) {
                (Stage::Input, _) | (_, MapKind::Colour) => state.versions.input,
                (_, MapKind::Values(k)) => state.versions.filters.get(k).copied().unwrap_or(0),
            };
            // A canvas error leaves the previous picture; there is nothing better to show.
            match kind {
                MapKind::Colour => {
                    if needs_paint(&canvas, format!("{version} color")) {
                        let (_, h, w) = state.input.dim();
                        let picture = colour_picture(state.input.view());
                        let _ = put_rgba(&canvas, &picture, w as u32, h as u32);
                    }
                }
                MapKind::Values(index) => {
                    let Some(Some((scale, range))) = scales.get(index) else {
                        continue;
                    };
                    if needs_paint(&canvas, format!("{version} {scale:?} {computed:?}")) {
                        let _ = draw_map(&canvas, state.map(stage, index), scale, computed);
                    }
                    if state.scale_sharing == ScaleSharing::Map {
                        legend(&canvases.map_legends[i][slot], scale, *range);
                    }
                }
            }
        }
    }
}

/// Saves the filters in TensorFlow's HWIO layout `(f, f, C, K)`, or the biases as `(K,)`.
fn save_kernel_file(state: &ExplorerState, file: KernelFile) {
    let f = state.kernel_size();
    let (c, k) = (state.channels.count(), state.filters.len());
    let (bytes, name) = match file {
        KernelFile::Kernels => (
            export::npy(export::kernels_hwio(&state.filters).view()),
            format!("convlab-kernels-{f}x{f}x{c}x{k}.npy"),
        ),
        KernelFile::Biases => {
            let biases: Vec<f32> = state.filters.iter().map(|f| f.bias).collect();
            (
                export::npy(export::biases(&biases).view()),
                format!("convlab-biases-{k}.npy"),
            )
        }
    };
    // A failed download changes nothing on the page; the browser reports it.
    let _ = download::save(&bytes, &name, "application/octet-stream");
}

/// Saves a stage: `.npy` as `(H, W)` for one grayscale map (the input in grayscale, every
/// stage of one grayscale filter), else TensorFlow's `(H, W, depth)`; PNG as drawn, the
/// maps side by side on one sheet (the input in RGB: its colour picture).
fn save_stage(state: &ExplorerState, stage: Stage, ranges: &StageRanges, kind: FileKind) {
    let values = state.values(stage);
    let (d, h, w) = values.dim();
    let flat =
        (stage == Stage::Input && state.channels == Channels::Grayscale) || state.is_single_gray();
    let slug = state.settings.stage_slug(stage);
    let base = if flat {
        format!("convlab-{slug}-{h}x{w}")
    } else {
        format!("convlab-{slug}-{h}x{w}x{d}")
    };
    let _ = match kind {
        FileKind::Npy => {
            let bytes = if flat {
                export::npy(state.map(stage, 0))
            } else {
                export::npy(export::hwc(values.view()))
            };
            download::save(&bytes, &format!("{base}.npy"), "application/octet-stream")
        }
        FileKind::Png => {
            let pictures: Option<Vec<Vec<u8>>> = if stage == Stage::Input
                && state.channels == Channels::Rgb
            {
                Some(vec![colour_picture(values.view())])
            } else {
                stage_scales(state, stage, ranges)
                    .iter()
                    .enumerate()
                    .map(|(m, scale)| scale.map(|(scale, _)| scale.colorize(state.map(stage, m))))
                    .collect()
            };
            let (rgba, width) = export::sheet(&pictures.unwrap_or_default(), w, h);
            match export::png(rgba, width, h) {
                Ok(bytes) => download::save(&bytes, &format!("{base}.png"), "image/png"),
                Err(_) => Ok(()),
            }
        }
    };
}
