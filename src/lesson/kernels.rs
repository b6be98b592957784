//! A kernel and a bias in a link: a preset by name (`sobel-x`), or every cell row by row,
//! comma-separated (`-1,0,1,-2,0,2,-1,0,1`). What a link carries is the kernel in use,
//! so the page it opens computes the same numbers.

use super::text::either;
use crate::common::text::{short_and_visible, shown};
use crate::explorer::filters::{Bias, Grid};
use crate::explorer::kernel::{matching_preset, parse_cell, CellTexts, Kernel, Preset, PRESETS};

/// A preset's name in a link: `Sobel x` is `sobel-x`.
pub fn preset_slug(preset: &Preset) -> String {
    preset.name.to_lowercase().replace(' ', "-")
}

/// A kernel for a link: its preset's name if it is one (its cells read exactly as one, or,
/// while a cell is being typed, the kernel in use has a preset's weights), else every cell
/// of the kernel in use.
pub fn write_grid(grid: &Grid) -> String {
    let size = grid.texts().len();
    let preset = match grid.error() {
        None => matching_preset(grid.texts()),
        Some(_) => PRESETS
            .iter()
            .find(|p| Kernel::parse(&p.cells_at(size)).is_ok_and(|k| same_bits(&k, grid.kernel()))),
    };
    if let Some(preset) = preset {
        return preset_slug(preset);
    }
    let texts = grid.texts().iter().flatten();
    let weights = grid.kernel().weights().iter();
    texts
        .zip(weights)
        .map(|(text, &weight)| match grid.error() {
            None => cell_text(text, weight),
            Some(_) => weight_text(weight),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn same_bits(a: &Kernel, b: &Kernel) -> bool {
    a.weights()
        .iter()
        .zip(b.weights().iter())
        .all(|(x, y)| x.to_bits() == y.to_bits())
        && a.weights().dim() == b.weights().dim()
}

/// A bias for a link: the bias in use.
pub fn write_bias(bias: &Bias) -> String {
    match bias.error() {
        None => cell_text(bias.text(), bias.value()),
        Some(_) => weight_text(bias.value()),
    }
}

/// A cell as typed if it is plainly written (`-1`, `1/9`, `2.5e-3`), else its value; either
/// reads back as the same float32.
fn cell_text(text: &str, value: f32) -> String {
    let text = text.trim();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E' | '/'));
    if plain && parse_cell(text) == Ok(value) {
        text.to_string()
    } else {
        weight_text(value)
    }
}

/// The shortest text that reads back as exactly `value` (`0.5`, `-1`, `1e-30`).
fn weight_text(value: f32) -> String {
    let text = format!("{value:?}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

/// A kernel from a link, at kernel size `size`: a preset's name, or `size`² cells. The
/// cells are not parsed here: the filter takes them, or says why not.
pub fn read_grid(text: &str, size: usize) -> Result<CellTexts, String> {
    let text = text.trim();
    let name = text.to_lowercase();
    if let Some(preset) = PRESETS.iter().find(|p| preset_slug(p) == name) {
        return Ok(preset.cells_at(size));
    }
    let cells: Vec<&str> = text.split(',').map(str::trim).collect();
    if cells.len() == 1 && !cells[0].starts_with(|c: char| c.is_ascii_digit() || "+-./".contains(c))
    {
        let names: Vec<String> = PRESETS.iter().map(preset_slug).collect();
        return Err(format!(
            "“{}” is neither a preset ({}) nor {} comma-separated numbers.",
            shown(text),
            either(&names),
            size * size
        ));
    }
    if cells.len() != size * size {
        return Err(format!(
            "has {} cells; a {size} × {size} kernel needs {}.",
            cells.len(),
            size * size
        ));
    }
    if let Some(at) = cells.iter().position(|c| !short_and_visible(c)) {
        return Err(format!(
            "Row {}, column {}: “{}” is not a number.",
            at / size + 1,
            at % size + 1,
            shown(cells[at])
        ));
    }
    Ok(cells
        .chunks(size)
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explorer::filters::FilterDraft;
    use crate::explorer::layer::Channels;

    fn gray(draft: &FilterDraft) -> &Grid {
        &draft.grids(Channels::Grayscale)[0]
    }

    #[test]
    fn a_preset_is_written_by_name_and_read_at_any_size() {
        let draft = FilterDraft::starting(1, 3);
        assert_eq!(write_grid(gray(&draft)), "sobel-x");
        let five = FilterDraft::starting(0, 5);
        assert_eq!(write_grid(gray(&five)), "outline");
        assert_eq!(read_grid("Outline", 5), Ok(PRESETS[0].cells_at(5)));
        assert_eq!(read_grid("gaussian-blur", 3), Ok(PRESETS[3].cell_texts()));
    }

    #[test]
    fn typed_cells_are_written_so_they_read_back_as_the_same_weights() {
        let mut draft = FilterDraft::starting(0, 3);
        for (i, text) in ["0,5", "−1", "1/3", "2.5e-3", " 7 ", "1e-30", "-0", "3", "4"]
            .iter()
            .enumerate()
        {
            draft.edit_cell(Channels::Grayscale, 0, (i / 3, i % 3), text.to_string());
        }
        let written = write_grid(gray(&draft));
        assert_eq!(written, "0.5,-1,1/3,2.5e-3,7,1e-30,-0,3,4");
        let mut back = FilterDraft::starting(0, 3);
        let cells = read_grid(&written, 3).expect("cells");
        back.set_cells(Channels::Grayscale, 0, cells)
            .expect("they parse");
        assert_eq!(
            gray(&back).kernel().weights().as_slice(),
            gray(&draft).kernel().weights().as_slice()
        );
        let bits = |d: &FilterDraft| -> Vec<u32> {
            gray(d)
                .kernel()
                .weights()
                .iter()
                .map(|w| w.to_bits())
                .collect()
        };
        assert_eq!(bits(&back), bits(&draft), "-0 stays -0, 1/3 stays 1/3");
    }

    #[test]
    fn a_kernel_with_a_bad_cell_is_written_as_the_kernel_in_use() {
        let mut draft = FilterDraft::starting(0, 3);
        draft.edit_cell(Channels::Grayscale, 0, (1, 1), "-".into());
        assert_eq!(
            write_grid(gray(&draft)),
            "outline",
            "still the outline in use"
        );
        draft.edit_cell(Channels::Grayscale, 0, (1, 1), "8".into());
        draft.edit_cell(Channels::Grayscale, 0, (0, 0), "2".into());
        draft.edit_cell(Channels::Grayscale, 0, (1, 1), "abc".into());
        assert_eq!(write_grid(gray(&draft)), "2,-1,-1,-1,8,-1,-1,-1,-1");
        draft.edit_bias(Channels::Grayscale, "0.25".into());
        draft.edit_bias(Channels::Grayscale, "1e400".into());
        assert_eq!(write_bias(draft.bias()), "0.25");
    }

    #[test]
    fn cells_of_the_wrong_count_or_an_unknown_name_are_refused_in_words() {
        assert!(read_grid("1,2,3", 3).is_err_and(|e| e.contains("needs 9")));
        assert!(read_grid("<b>sobel</b>", 3).is_err_and(|e| e.contains("neither a preset")));
        assert!(read_grid("", 3).is_err());
    }
}
