//! User Timing: each edit → recompute → repaint becomes one `performance.measure` named
//! `convlab:update`, readable in the browser's performance tools and by the benchmarks.

use web_sys::Performance;

const START_MARK: &str = "convlab:edit";
const MEASURE: &str = "convlab:update";

fn performance() -> Option<Performance> {
    web_sys::window()?.performance()
}

/// Call as the input event arrives: marks the start of an update.
pub fn start_update() {
    if let Some(performance) = performance() {
        performance.clear_marks_with_mark_name(START_MARK);
        // A failed mark only loses one measurement.
        let _ = performance.mark(START_MARK);
    }
}

/// Call after the last canvas of an update is drawn: records the measure, if an update
/// was started.
pub fn finish_update() {
    let Some(performance) = performance() else {
        return;
    };
    if performance
        .get_entries_by_name_with_entry_type(START_MARK, "mark")
        .length()
        > 0
    {
        let _ = performance.measure_with_start_mark(MEASURE, START_MARK);
        performance.clear_marks_with_mark_name(START_MARK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn measures() -> u32 {
        performance()
            .expect("performance")
            .get_entries_by_name_with_entry_type(MEASURE, "measure")
            .length()
    }

    #[wasm_bindgen_test]
    fn an_update_records_one_measure_and_only_when_started() {
        let before = measures();
        finish_update();
        assert_eq!(measures(), before, "no update was started");
        start_update();
        finish_update();
        assert_eq!(measures(), before + 1);
        finish_update();
        assert_eq!(measures(), before + 1, "the start mark is used once");
    }
}
