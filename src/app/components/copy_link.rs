//! "Copy link": the lesson as it stands, copied as a link; the link is also shown, to copy
//! by hand where the browser does not let the page use the clipboard.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::lesson_link::Copied;
use crate::explorer::samples::DEFAULT;

#[derive(Properties, PartialEq)]
pub struct CopyLinkProps {
    pub copied: Option<Copied>,
    pub on_copy: Callback<()>,
}

#[function_component(CopyLink)]
pub fn copy_link(props: &CopyLinkProps) -> Html {
    let onclick = props.on_copy.reform(|_: MouseEvent| ());
    let field = use_node_ref();
    {
        // Where the clipboard refused, the link is selected, ready for Ctrl+C.
        let field = field.clone();
        use_effect_with(props.copied.clone(), move |copied| {
            if copied.as_ref().is_some_and(|c| !c.done) {
                if let Some(input) = field.cast::<HtmlInputElement>() {
                    let _ = input.focus();
                    input.select();
                }
            }
        });
    }
    let result = match &props.copied {
        Some(copied) => {
            let said = if copied.done {
                "Link copied: whoever opens it sees this page as it is now."
            } else {
                "The browser did not let the page copy: the link is selected, copy it with \
                 Ctrl+C (⌘C)."
            };
            let own = copied.own_picture.then(|| {
                format!(
                    " Your own picture is not in the link: it opens with the sample {}.",
                    DEFAULT.name
                )
            });
            html! {
                <div class="copied">
                    <p>{ said }{ own.unwrap_or_default() }</p>
                    <label for="lesson-link">{ "Lesson link" }</label>
                    <input ref={field} id="lesson-link" type="text" readonly=true
                        value={copied.url.clone()} />
                </div>
            }
        }
        None => Html::default(),
    };
    html! {
        <div class="copy-link">
            <button type="button" class="button" {onclick}>{ "Copy link" }</button>
            <div role="status">{ result }</div>
        </div>
    }
}
