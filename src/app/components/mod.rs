//! One Yew function component per file.

pub mod app;
pub mod camera_controls;
pub mod confusion_matrix;
pub mod copy_link;
pub mod digit_pad;
pub mod digit_strip;
pub mod explorer;
pub mod filter_editor;
pub mod filter_grid;
pub mod image_loader;
pub mod kernel_editor;
pub mod labeled_select;
pub mod layer_maps_view;
pub mod link_notices;
pub mod map_canvas;
pub mod notice_bar;
pub mod parameters_panel;
pub mod pipeline_controls;
pub mod probability_bars;
pub mod probe_panel;
pub mod stage_view;
pub mod step_controls;
pub mod training_controls;
pub mod training_curves;
pub mod training_panel;
pub mod training_status;
