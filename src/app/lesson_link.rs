//! The lesson in the address bar: the page opens the lesson of its address, writes each
//! settled change back (one history entry per change, see [`AddressBar`]), opens the
//! lesson again on Back and Forward, and copies the link. The halves of the page own their
//! state; they report their settings here and receive the lessons opened.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::explorer::samples::DEFAULT;
use crate::explorer::state::ExplorerSetup;
use crate::lesson::{self, AddressBar, Lesson, LinkNotice, Write};
use crate::training::state::TrainingSettings;

/// How long the settings must stay still before the address takes them: long enough for
/// a number being typed, a slider being dragged or steps being clicked through.
const SETTLE_MS: u32 = 600;

/// A lesson for one half of the page, and which opening it came from (the page's load is
/// opening 0; each Back or Forward is the next): a half applies each opening once.
#[derive(Clone, Debug)]
pub struct Opened<T> {
    pub id: u32,
    pub value: Rc<T>,
}

impl<T> PartialEq for Opened<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// What happened to the last Copy link.
#[derive(Clone, Debug, PartialEq)]
pub struct Copied {
    pub url: String,
    /// The clipboard took it (otherwise the page asks to copy it by hand).
    pub done: bool,
    /// The page shows the user's own picture, which the link does not carry.
    pub own_picture: bool,
}

/// The lesson link, for the page.
#[derive(Clone, PartialEq)]
pub struct LessonLink {
    pub explorer: Opened<ExplorerSetup>,
    pub training: Opened<TrainingSettings>,
    pub presenter: bool,
    /// What the last opening could not use, field by field.
    pub notices: Rc<Vec<LinkNotice>>,
    pub copied: Option<Copied>,
    pub on_explorer: Callback<ExplorerSetup>,
    pub on_training: Callback<TrainingSettings>,
    pub on_presenter: Callback<bool>,
    pub on_copy: Callback<()>,
    pub on_dismiss: Callback<()>,
}

/// The latest settings of each half and what the address says, between renders.
struct Latest {
    lesson: Lesson,
    bar: AddressBar,
    timer: Option<Timeout>,
    /// Openings so far (the load is 0).
    openings: u32,
}

/// An opening of the address: its lessons and notices.
#[derive(Clone, PartialEq)]
struct Opening {
    id: u32,
    /// The address's query as it was (without the `?`).
    query: String,
    lesson: Rc<Lesson>,
    notices: Rc<Vec<LinkNotice>>,
}

fn address_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Reads the address. On the first opening, a link made with someone's own picture says
/// that it shows the first sample instead.
fn open_address(id: u32) -> Opening {
    let query = address_query();
    let (lesson, mut notices) = lesson::read(&query);
    if id == 0 && lesson.explorer.sample.is_none() {
        notices.push(LinkNotice {
            field: "sample".into(),
            problem: format!(
                "this link was made with the sender's own picture, which links never carry: \
                 the sample {} is shown instead.",
                DEFAULT.name
            ),
        });
    }
    Opening {
        id,
        query: query.strip_prefix('?').unwrap_or(&query).to_string(),
        lesson: Rc::new(lesson),
        notices: Rc::new(notices),
    }
}

/// Writes the settled lesson to the address as the bar says. (The timer that may have
/// called this is not dropped here: a timer's closure must not be dropped while it runs.)
fn settle(latest: &RefCell<Latest>) {
    let mut latest = latest.borrow_mut();
    let query = lesson::write(&latest.lesson);
    let write = latest.bar.settle(query);
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Ok(history), location) = (window.history(), window.location()) else {
        return;
    };
    let url = |query: &str| {
        format!(
            "{}?{query}{}",
            location.pathname().unwrap_or_default(),
            location.hash().unwrap_or_default()
        )
    };
    // A refused write leaves the address as it was; the page itself is unaffected.
    let _ = match write {
        Write::Keep => Ok(()),
        Write::Replace(query) => {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&url(&query)))
        }
        Write::Push(query) => history.push_state_with_url(&JsValue::NULL, "", Some(&url(&query))),
    };
}

/// Settles the lesson now, instead of when its timer would.
fn settle_now(latest: &RefCell<Latest>) {
    let timer = latest.borrow_mut().timer.take();
    drop(timer);
    settle(latest);
}

/// Settles the lesson once nothing has changed for [`SETTLE_MS`].
fn settle_later(latest: &Rc<RefCell<Latest>>) {
    let later = Rc::clone(latest);
    let timer = Timeout::new(SETTLE_MS, move || settle(&later));
    latest.borrow_mut().timer = Some(timer);
}

/// Presenter mode is a class on the root element, so every `rem` grows.
fn show_presenter_mode(on: bool) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = if on {
            root.class_list().add_1("presenter")
        } else {
            root.class_list().remove_1("presenter")
        };
    }
}

/// Copies `url` to the clipboard, then reports whether that worked.
fn copy_to_clipboard(url: String, own_picture: bool, report: Callback<Copied>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(&url);
    wasm_bindgen_futures::spawn_local(async move {
        let done = JsFuture::from(promise).await.is_ok();
        report.emit(Copied {
            url,
            done,
            own_picture,
        });
    });
}

#[hook]
pub fn use_lesson_link() -> LessonLink {
    let opening = use_state(|| open_address(0));
    let latest: Rc<RefCell<Latest>> = use_memo((), |_| {
        let lesson = (*opening.lesson).clone();
        let mut bar = AddressBar::default();
        bar.opened(opening.query.clone());
        RefCell::new(Latest {
            lesson,
            bar,
            timer: None,
            openings: 0,
        })
    });
    let presenter = use_state(|| opening.lesson.presenter);
    let copied = use_state(|| None::<Copied>);
    let dismissed = use_state(|| false);

    use_effect_with(*presenter, |&on| show_presenter_mode(on));
    {
        // The page's own lesson reaches the address once the page has settled.
        let latest = Rc::clone(&latest);
        use_effect_with((), move |_| settle_later(&latest));
    }
    {
        // Back and Forward open the lesson of the address.
        let (opening, presenter, dismissed) =
            (opening.clone(), presenter.clone(), dismissed.clone());
        let latest = Rc::clone(&latest);
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "popstate", move |_| {
                    let next = {
                        let mut latest = latest.borrow_mut();
                        latest.openings += 1;
                        let next = open_address(latest.openings);
                        latest.lesson = (*next.lesson).clone();
                        latest.bar.opened(next.query.clone());
                        next
                    };
                    settle_later(&latest);
                    presenter.set(next.lesson.presenter);
                    dismissed.set(false);
                    opening.set(next);
                })
            });
            move || drop(listener)
        });
    }

    let on_explorer = {
        let latest = Rc::clone(&latest);
        Callback::from(move |setup: ExplorerSetup| {
            latest.borrow_mut().lesson.explorer = setup;
            settle_later(&latest);
        })
    };
    let on_training = {
        let latest = Rc::clone(&latest);
        Callback::from(move |settings: TrainingSettings| {
            latest.borrow_mut().lesson.training = settings;
            settle_later(&latest);
        })
    };
    let on_presenter = {
        let (latest, presenter) = (Rc::clone(&latest), presenter.clone());
        Callback::from(move |on: bool| {
            latest.borrow_mut().lesson.presenter = on;
            settle_now(&latest);
            presenter.set(on);
        })
    };
    let on_copy = {
        let (latest, copied) = (Rc::clone(&latest), copied.clone());
        Callback::from(move |()| {
            settle_now(&latest);
            let own_picture = latest.borrow().lesson.explorer.sample.is_none();
            let url = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            let copied = copied.clone();
            copy_to_clipboard(
                url,
                own_picture,
                Callback::from(move |c| copied.set(Some(c))),
            );
        })
    };
    let on_dismiss = {
        let dismissed = dismissed.clone();
        Callback::from(move |()| dismissed.set(true))
    };
    LessonLink {
        explorer: Opened {
            id: opening.id,
            value: Rc::new(opening.lesson.explorer.clone()),
        },
        training: Opened {
            id: opening.id,
            value: Rc::new(opening.lesson.training.clone()),
        },
        presenter: *presenter,
        notices: if *dismissed {
            Rc::new(Vec::new())
        } else {
            Rc::clone(&opening.notices)
        },
        copied: (*copied).clone(),
        on_explorer,
        on_training,
        on_presenter,
        on_copy,
        on_dismiss,
    }
}
