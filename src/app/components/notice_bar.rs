//! What the page says about the last thing the user did: busy, or what went wrong.

use yew::prelude::*;

use crate::explorer::state::Notice;

#[derive(Properties, PartialEq)]
pub struct NoticeBarProps {
    pub notice: Option<Notice>,
}

#[function_component(NoticeBar)]
pub fn notice_bar(props: &NoticeBarProps) -> Html {
    html! {
        <div class="notice-bar" aria-live="polite">
            { match &props.notice {
                Some(Notice::Busy(text)) => html! {
                    <p class="notice busy" role="status" aria-busy="true">
                        <span class="spinner" aria-hidden="true"></span>{ text.clone() }
                    </p>
                },
                Some(Notice::Error(text)) => html! {
                    <p class="notice error" role="alert">{ text.clone() }</p>
                },
                None => html! {},
            } }
        </div>
    }
}
