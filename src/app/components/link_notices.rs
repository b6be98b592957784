//! What a link the page opened could not use, field by field; the rest of it applies.

use std::rc::Rc;

use yew::prelude::*;

use crate::lesson::LinkNotice;

#[derive(Properties, PartialEq)]
pub struct LinkNoticesProps {
    pub notices: Rc<Vec<LinkNotice>>,
    pub on_dismiss: Callback<()>,
}

#[function_component(LinkNotices)]
pub fn link_notices(props: &LinkNoticesProps) -> Html {
    let body = if props.notices.is_empty() {
        Html::default()
    } else {
        let onclick = props.on_dismiss.reform(|_: MouseEvent| ());
        html! {
            <section class="link-notices notice error" aria-labelledby="link-notices-title">
                <h2 id="link-notices-title">{ "Parts of this link were not used" }</h2>
                <p>{ "The rest of the link applies; these fields keep their usual values:" }</p>
                <ul>
                    { for props.notices.iter().map(|notice| html! {
                        <li>{ notice.to_string() }</li>
                    }) }
                </ul>
                <button type="button" class="button" {onclick}>{ "Dismiss link notices" }</button>
            </section>
        }
    };
    html! { <div class="link-notices-region" aria-live="polite">{ body }</div> }
}
