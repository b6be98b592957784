//! User Timing: what the page does is measured where anyone can read it, in the browser's
//! performance tools and by the benchmarks (tests/e2e/bench.mjs):
//! - `convlab:update`: an input event (a kernel edit, a setting) → recompute → repaint, from
//!   the event's arrival until the last canvas of that update is drawn;
//! - `convlab:compute`: the recomputation alone (fitting to the working size when that
//!   changes, convolution, ReLU, pooling);
//! - `convlab:load`: an image file chosen → decoded → every stage drawn.

use web_sys::Performance;

const EDIT_MARK: &str = "convlab:edit";
const LOAD_MARK: &str = "convlab:load-start";
const COMPUTE_MARK: &str = "convlab:compute-start";

fn performance() -> Option<Performance> {
    web_sys::window()?.performance()
}

fn mark(name: &str) {
    if let Some(performance) = performance() {
        performance.clear_marks_with_mark_name(name);
        // A failed mark only loses one measurement.
        let _ = performance.mark(name);
    }
}

/// Records `measure` from `start_mark` to now and consumes the mark, if it was set.
fn measure_from(start_mark: &str, measure: &str) {
    let Some(performance) = performance() else {
        return;
    };
    if performance
        .get_entries_by_name_with_entry_type(start_mark, "mark")
        .length()
        > 0
    {
        let _ = performance.measure_with_start_mark(measure, start_mark);
        performance.clear_marks_with_mark_name(start_mark);
    }
}

/// Call as an input event arrives: starts a `convlab:update`.
pub fn start_update() {
    mark(EDIT_MARK);
}

/// Call when the user picks, drops or pastes a file: starts a `convlab:load` (and drops
/// the start of an edit that changed nothing, such as an invalid kernel cell).
pub fn start_load() {
    if let Some(performance) = performance() {
        performance.clear_marks_with_mark_name(EDIT_MARK);
    }
    mark(LOAD_MARK);
}

/// Call after the last canvas of an update is drawn: ends the pending measures.
pub fn finish_update() {
    measure_from(EDIT_MARK, "convlab:update");
    measure_from(LOAD_MARK, "convlab:load");
}

/// Runs `compute` as one `convlab:compute` measure.
pub fn compute<T>(compute: impl FnOnce() -> T) -> T {
    mark(COMPUTE_MARK);
    let result = compute();
    measure_from(COMPUTE_MARK, "convlab:compute");
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn measures(name: &str) -> u32 {
        performance()
            .expect("performance")
            .get_entries_by_name_with_entry_type(name, "measure")
            .length()
    }

    #[wasm_bindgen_test]
    fn an_update_records_one_measure_and_only_when_started() {
        let before = measures("convlab:update");
        finish_update();
        assert_eq!(measures("convlab:update"), before, "no update was started");
        start_update();
        finish_update();
        assert_eq!(measures("convlab:update"), before + 1);
        finish_update();
        assert_eq!(
            measures("convlab:update"),
            before + 1,
            "the mark is used once"
        );
    }

    #[wasm_bindgen_test]
    fn compute_and_load_are_measured_separately() {
        let (loads, computes) = (measures("convlab:load"), measures("convlab:compute"));
        start_load();
        assert_eq!(compute(|| 6 * 7), 42);
        assert_eq!(measures("convlab:compute"), computes + 1);
        finish_update();
        assert_eq!(measures("convlab:load"), loads + 1);
    }
}
