//! The page: a header, the kernel explorer, and the credits.

use yew::prelude::*;

use super::explorer::Explorer;

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <>
            <header class="masthead">
                <h1>{ "ConvLab" }</h1>
                <p class="tagline">
                    { "How a convolutional neural network sees: edit a 3×3 kernel and watch the \
                       convolution, ReLU and max pooling change." }
                </p>
            </header>
            <main>
                <Explorer />
            </main>
            <footer class="credits">
                { "Sample photographs: Chelsea the cat and Coffee (CC0, scikit-image), Eileen \
                   Collins (NASA, public domain), Camera (CC0, Lav Varshney). ConvLab runs \
                   entirely in your browser; nothing is uploaded." }
            </footer>
        </>
    }
}
