//! The kernel explorer: owns the state (a reducer), listens for dropped and pasted images,
//! lays out the controls and the four stages, and paints the stages after each change.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, DragEvent, HtmlCanvasElement};
use yew::prelude::*;

use crate::app::canvas::ByPointer;

use super::image_loader::ImageLoader;
use super::kernel_editor::{KernelEditor, KernelFile};
use super::notice_bar::NoticeBar;
use super::parameters_panel::ParametersPanel;
use super::pipeline_controls::PipelineControls;
use super::probe_panel::ProbePanel;
use super::stage_view::{FileKind, StageView};
use crate::app::loading::{load_file, load_sample, Dispatcher};
use crate::app::paint::{draw_legend, draw_map};
use crate::app::samples::DEFAULT;
use crate::app::{download, timing};
use crate::common::format::number;
use crate::common::geometry::Window;
use crate::explorer::colormap::ValueRange;
use crate::explorer::export;
use crate::explorer::layer::{ActivationChoice, LayerSettings, PoolingChoice};
use crate::explorer::pipeline::Stage;
use crate::explorer::probe::{Position, Probe};
use crate::explorer::source::decode_grayscale;
use crate::explorer::source::SourceImage;
use crate::explorer::state::{ExplorerAction, ExplorerState, Notice};

impl Reducible for ExplorerState {
    type Action = ExplorerAction;

    fn reduce(self: Rc<Self>, action: ExplorerAction) -> Rc<Self> {
        Rc::new(timing::compute(|| self.apply(action)))
    }
}

fn initial_state() -> ExplorerState {
    let gray = decode_grayscale(DEFAULT.bytes).expect("the bundled sample decodes (tested)");
    ExplorerState::new(SourceImage {
        name: DEFAULT.file.into(),
        gray,
    })
    .expect("the default pipeline runs on the bundled sample (tested)")
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
    /// Told the kernel in use whenever it changes (the training panel can plant it).
    pub on_kernel: Callback<ndarray::Array2<f32>>,
}

#[function_component(Explorer)]
pub fn explorer(props: &ExplorerProps) -> Html {
    let state = use_reducer(initial_state);
    {
        let on_kernel = props.on_kernel.clone();
        use_effect_with(state.kernel.weights().clone(), move |weights| {
            on_kernel.emit(weights.clone());
        });
    }
    let dragging = use_state(|| false);
    let canvases: [NodeRef; 4] = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];
    let legends: [NodeRef; 4] = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];

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

    // Each stage's value range, once per change: the summaries and the painting share it.
    let ranges = {
        let state = state.clone();
        use_memo(
            (
                ByPointer(Rc::clone(&state.input)),
                ByPointer(Rc::clone(&state.stages)),
            ),
            move |_| Stage::ALL.map(|stage| ValueRange::of(state.values(stage).view())),
        )
    };

    // Paint after every change: the input only when it or the colours changed, then the
    // three computed stages; the update's measure ends after the last canvas.
    {
        let (state, ranges) = (state.clone(), Rc::clone(&ranges));
        let (canvases, legends) = (canvases.clone(), legends.clone());
        let legend_width = Rc::clone(&legend_width);
        use_effect_with(
            (
                ByPointer(Rc::clone(&state.input)),
                state.colormap,
                state.color_range,
                resize_count,
            ),
            move |_| {
                let width = cached_width(&legend_width, &legends[0]);
                paint_stages(&state, &ranges, &[0], width, &canvases, &legends);
            },
        );
    }
    {
        let (state, ranges) = (state.clone(), Rc::clone(&ranges));
        let (canvases, legends) = (canvases.clone(), legends.clone());
        use_effect_with(
            (
                ByPointer(Rc::clone(&state.stages)),
                state.colormap,
                state.color_range,
                resize_count,
            ),
            move |_| {
                let width = cached_width(&legend_width, &legends[0]);
                paint_stages(&state, &ranges, &[1, 2, 3], width, &canvases, &legends);
                timing::finish_update();
            },
        );
    }

    let on_action = {
        let dispatch = state.dispatcher();
        Callback::from(move |action: ExplorerAction| {
            timing::start_update();
            dispatch.dispatch(action);
        })
    };
    let on_edit = on_action.reform(|(row, col, text)| ExplorerAction::EditCell { row, col, text });
    let on_preset = on_action.reform(ExplorerAction::ApplyPreset);
    let on_bias = on_action.reform(ExplorerAction::EditBias);
    let on_size = on_action.reform(ExplorerAction::SetKernelSize);
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
            let index = Stage::ALL
                .iter()
                .position(|&s| s == stage)
                .unwrap_or_default();
            save_stage(&state, stage, ranges[index], kind);
        })
    };

    // The probed position: where the pointer last was, or the centre of the convolution.
    let pointed = use_state(|| None::<(Stage, Position)>);
    let on_point = {
        let pointed = pointed.clone();
        Callback::from(move |at| pointed.set(Some(at)))
    };
    let probe = (*pointed)
        .and_then(|(stage, at)| Probe::at(&state, stage, at))
        .or_else(|| {
            let (h, w) = state.stages.convolution.dim();
            Probe::at(&state, Stage::Convolution, (h / 2, w / 2))
        });

    let busy = matches!(state.notice, Some(Notice::Busy(_)));
    let (src_h, src_w) = state.source.gray.dim();
    let (in_h, in_w) = state.input.dim();
    let stages = &state.stages;
    let padding = state.settings.padding;
    let settings = state.settings;
    let stage_view = |i: usize, stage: Stage, caption: String, formulas: Vec<AttrValue>| {
        if !settings.stages().contains(&stage) {
            return Html::default();
        }
        html! {
            <StageView stage={stage} shape={state.values(stage).dim()} range={ranges[i]}
                name={settings.stage_name(stage)} slug={settings.stage_slug(stage)}
                highlight={probe.as_ref().and_then(|p| p.highlight(stage, state.values(stage).dim()))}
                cursor={probe.as_ref().and_then(|p| p.cursor(stage))}
                on_point={on_point.clone()}
                caption={caption} formulas={formulas}
                canvas={canvases[i].clone()} legend={legends[i].clone()}
                on_download={on_download.clone()} />
        }
    };
    html! {
        <div class={classes!("explorer", (*dragging).then_some("dragging"))}>
            <div class="controls">
                <ImageLoader on_file={on_file} on_sample={on_sample} busy={busy} />
                <KernelEditor cells={state.cells.clone()}
                    error={state.kernel_error.as_ref().map(ToString::to_string)}
                    sum={state.kernel.sum()} on_edit={on_edit} on_preset={on_preset}
                    bias={state.bias_text.clone()} bias_error={state.bias_error.clone()}
                    {on_bias} {on_size} on_download={on_kernel_file} />
                <PipelineControls settings={state.settings} working_size={state.working_size}
                    colormap={state.colormap} color_range={state.color_range}
                    on_action={on_action} />
            </div>
            <div class="results">
                <NoticeBar notice={state.notice.clone()} />
                <p class="source-line">
                    { format!("“{}”, {src_h} × {src_w} pixels", state.source.name) }
                    { if (src_h, src_w) == (in_h, in_w) {
                        format!(", used at its own size (working size {}).", state.working_size)
                    } else {
                        format!(", scaled to {in_h} × {in_w} (working size {}).", state.working_size)
                    } }
                </p>
                <div class="stages">
                    { stage_view(0, Stage::Input,
                        "Grayscale, (0.299 R + 0.587 G + 0.114 B) / 255: float32 in [0, 1]".into(),
                        vec![]) }
                    { stage_view(1, Stage::Convolution, convolution_caption(&state),
                        formulas("Output", &stages.conv_window)) }
                    { stage_view(2, Stage::Activation,
                        activation_caption(settings.activation).into(), vec![]) }
                    { stage_view(3, Stage::Pooling,
                        format!("2×2 window, stride 2, {padding} padding: {}",
                            match settings.pooling {
                                PoolingChoice::Max => "the largest of each window",
                                PoolingChoice::Average => "the mean of each window's cells inside the map",
                            }),
                        formulas("Output", &stages.pool_window)) }
                </div>
                <ParametersPanel input={(1, in_h, in_w)} kernel_size={state.kernel.size()}
                    filters={1} output={stages.conv_window.output_shape()} />
                if let Some(probe) = probe.clone() {
                    <ProbePanel probe={probe} activation={settings.activation}
                        pooling={settings.pooling} />
                }
            </div>
            <div class="drop-overlay" aria-hidden="true">{ "Drop the image to load it" }</div>
        </div>
    }
}

/// What the convolution stage says it did.
fn convolution_caption(state: &ExplorerState) -> String {
    let LayerSettings {
        stride, padding, ..
    } = state.settings;
    let bias = if state.bias == 0.0 {
        String::new()
    } else {
        format!(" + bias {}", number(f64::from(state.bias)))
    };
    let f = state.kernel.size();
    format!("{f}×{f} kernel{bias}, stride {stride}, {padding} padding; blue < 0 < red")
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

/// The width of `element` in CSS pixels, read (forcing a layout) only when not cached.
fn cached_width(cache: &RefCell<Option<i32>>, element: &NodeRef) -> i32 {
    *cache.borrow_mut().get_or_insert_with(|| {
        element
            .cast::<HtmlCanvasElement>()
            .map_or(0, |c| c.client_width())
    })
}

/// Paints the stages at `indices` (into `Stage::ALL`), with legends `legend_width` CSS
/// pixels wide (the stages share one column width).
fn paint_stages(
    state: &ExplorerState,
    ranges: &[Option<ValueRange>; 4],
    indices: &[usize],
    legend_width: i32,
    canvases: &[NodeRef; 4],
    legends: &[NodeRef; 4],
) {
    for &i in indices {
        let (stage, Some(range)) = (Stage::ALL[i], ranges[i]) else {
            continue;
        };
        let scale = state.scale(stage, range);
        if let Some(canvas) = canvases[i].cast::<HtmlCanvasElement>() {
            // A canvas error leaves the previous picture; there is nothing better to show.
            let _ = draw_map(&canvas, state.values(stage).view(), &scale);
        }
        if let Some(legend) = legends[i].cast::<HtmlCanvasElement>() {
            draw_legend(&legend, legend_width, &scale, range);
        }
    }
}

/// Saves the kernel in TensorFlow's HWIO layout `(f, f, 1, 1)`, or the bias as `(1,)`.
fn save_kernel_file(state: &ExplorerState, file: KernelFile) {
    let f = state.kernel.size();
    let (bytes, name) = match file {
        KernelFile::Kernels => (
            export::npy(export::kernels_hwio(state.kernel.weights()).view()),
            format!("convlab-kernels-{f}x{f}x1x1.npy"),
        ),
        KernelFile::Biases => (
            export::npy(export::biases(&[state.bias]).view()),
            "convlab-biases-1.npy".to_string(),
        ),
    };
    // A failed download changes nothing on the page; the browser reports it.
    let _ = download::save(&bytes, &name, "application/octet-stream");
}

fn save_stage(state: &ExplorerState, stage: Stage, range: Option<ValueRange>, kind: FileKind) {
    let values = state.values(stage);
    let (h, w) = values.dim();
    let base = format!("convlab-{}-{h}x{w}", state.settings.stage_slug(stage));
    let _ = match kind {
        FileKind::Npy => download::save(
            &export::npy(values.view()),
            &format!("{base}.npy"),
            "application/octet-stream",
        ),
        FileKind::Png => match range
            .map(|range| export::png(state.scale(stage, range).colorize(values.view()), w, h))
        {
            Some(Ok(bytes)) => download::save(&bytes, &format!("{base}.png"), "image/png"),
            _ => Ok(()),
        },
    };
}
