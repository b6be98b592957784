//! One Yew function component per file.

pub mod app;
pub mod explorer;
pub mod image_loader;
pub mod kernel_editor;
pub mod labeled_select;
pub mod notice_bar;
pub mod pipeline_controls;
pub mod probe_panel;
pub mod stage_view;
