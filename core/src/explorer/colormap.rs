//! Values to colours: the colormaps the page draws with, and the value range a legend shows.

use ndarray::{ArrayView2, ArrayView3, Axis};

/// A colormap, from the `colorous` crate's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Colormap {
    /// Sequential, perceptually uniform: black → purple → orange → pale yellow.
    #[default]
    Magma,
    /// Sequential: black → white.
    Gray,
    /// Diverging and centred on 0: blue for negative, white for 0, red for positive.
    Diverging,
}

impl Colormap {
    /// The sequential colormaps a user can choose between.
    pub const SEQUENTIAL: [Colormap; 2] = [Colormap::Magma, Colormap::Gray];

    pub fn name(self) -> &'static str {
        match self {
            Colormap::Magma => "Magma",
            Colormap::Gray => "Gray",
            Colormap::Diverging => "Blue–white–red",
        }
    }

    /// Colour at `t` in [0, 1] as RGB bytes.
    pub fn rgb(self, t: f64) -> [u8; 3] {
        let c = match self {
            Colormap::Magma => colorous::MAGMA.eval_continuous(t),
            Colormap::Gray => colorous::GREYS.eval_continuous(1.0 - t),
            Colormap::Diverging => colorous::RED_BLUE.eval_continuous(1.0 - t),
        };
        [c.r, c.g, c.b]
    }
}

/// The smallest and largest value of a map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueRange {
    pub min: f32,
    pub max: f32,
}

impl ValueRange {
    /// The range of `values`; `None` when there are none.
    pub fn of(values: &[f32]) -> Option<ValueRange> {
        let first = *values.first()?;
        let (mut min, mut max) = (first, first);
        // Plain comparisons (not f32::min, whose NaN rules cost extra code): this is a pass
        // over every pixel of every map on every edit.
        for &x in values {
            min = if x < min { x } else { min };
            max = if x > max { x } else { max };
        }
        Some(ValueRange { min, max })
    }

    /// The range covering both.
    pub fn union(self, other: ValueRange) -> ValueRange {
        ValueRange {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }

    /// Whether every value is the same: the map is flat and the legend says so.
    pub fn is_flat(&self) -> bool {
        self.min == self.max
    }
}

/// Which values the colormap spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ColorRange {
    /// From the smallest to the largest value.
    Full,
    /// Up to the 98th percentile: the rare extreme values saturate, so the rest of the
    /// map gets the colours (an outline map is mostly near 0 with a few bright edges).
    #[default]
    Clipped,
}

impl ColorRange {
    pub const ALL: [ColorRange; 2] = [ColorRange::Clipped, ColorRange::Full];
    /// The share of values (by size) that a clipped range keeps unsaturated (as xarray's
    /// `robust=True` plots do).
    pub const CLIPPED_QUANTILE: f64 = 0.98;

    pub fn name(self) -> &'static str {
        match self {
            ColorRange::Full => "Full range",
            ColorRange::Clipped => "Clip top 2 %",
        }
    }
}

/// Whether the maps of one stage (one per filter, or per channel) share a colour scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ScaleSharing {
    /// One scale per stage, so the filters' maps compare: the same colour is the same value.
    #[default]
    Stage,
    /// Each map stretched over its own values, so a weak filter's detail shows too.
    Map,
}

impl ScaleSharing {
    pub const ALL: [ScaleSharing; 2] = [ScaleSharing::Stage, ScaleSharing::Map];

    pub fn name(self) -> &'static str {
        match self {
            ScaleSharing::Stage => "Shared by the stage",
            ScaleSharing::Map => "Each map its own",
        }
    }
}

/// How values map to positions in a colormap, and back (for the legend).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub colormap: Colormap,
    /// The values at t = 0 and t = 1.
    pub low: f64,
    pub high: f64,
    /// Whether values beyond `low` or `high` exist (they take the end colours).
    pub clipped: bool,
}

impl Scale {
    /// Sequential maps stretch from min to max; the diverging map is symmetric about 0
    /// (±largest magnitude), so white always means exactly 0.
    pub fn new(colormap: Colormap, range: ValueRange) -> Scale {
        let (min, max) = (f64::from(range.min), f64::from(range.max));
        let (low, high) = match colormap {
            Colormap::Diverging => {
                let m = min.abs().max(max.abs());
                (-m, m)
            }
            _ => (min, max),
        };
        Scale {
            colormap,
            low,
            high,
            clipped: false,
        }
    }

    /// The scale for `values` with `range`: a clipped range ends at the 98th percentile of
    /// the values (of their sizes, for the diverging map) instead of the extreme, unless that
    /// would leave nothing to show.
    /// `range` must be the `ValueRange` of `values`.
    pub fn fit(colormap: Colormap, values: &[f32], range: ValueRange, mode: ColorRange) -> Scale {
        let full = Scale::new(colormap, range);
        if mode == ColorRange::Full || full.high <= full.low {
            return full;
        }
        let quantile = match colormap {
            Colormap::Diverging => quantile(values, |v| v.abs(), 0.0, full.high),
            _ => quantile(values, |v| v, full.low, full.high),
        };
        let Some(high) = quantile else {
            return full;
        };
        let low = if colormap == Colormap::Diverging {
            -high
        } else {
            full.low
        };
        if high > low && high < full.high {
            Scale {
                low,
                high,
                clipped: true,
                ..full
            }
        } else {
            full
        }
    }

    /// Position of `value` in [0, 1]. A flat sequential map sits at 0; in a flat diverging
    /// map 0 stays white and any other value takes its sign's end.
    pub fn position(&self, value: f32) -> f64 {
        let span = self.high - self.low;
        if span > 0.0 {
            ((f64::from(value) - self.low) / span).clamp(0.0, 1.0)
        } else if self.colormap == Colormap::Diverging {
            0.5 + 0.5 * f64::from(value.signum()) * f64::from(u8::from(value != 0.0))
        } else {
            0.0
        }
    }

    /// Colours `values` into RGBA bytes, row by row (as `ImageData` wants them), through a
    /// 256-entry table so a 1024² map costs a lookup per pixel.
    pub fn colorize(&self, values: ArrayView2<f32>) -> Vec<u8> {
        let mut rgba = Vec::new();
        self.colorize_into(values, &mut rgba);
        rgba
    }

    /// [`Scale::colorize`] into `rgba`, resized to fit: a buffer kept between calls is
    /// neither allocated nor cleared again.
    pub fn colorize_into(&self, values: ArrayView2<f32>, rgba: &mut Vec<u8>) {
        let table: [[u8; 4]; 256] = std::array::from_fn(|i| {
            let [r, g, b] = self.colormap.rgb(i as f64 / 255.0);
            [r, g, b, 255]
        });
        let copied;
        let values = match values.as_slice() {
            Some(slice) => slice,
            None => {
                copied = values.iter().copied().collect::<Vec<f32>>();
                &copied
            }
        };
        let span = self.high - self.low;
        rgba.resize(values.len() * 4, 0);
        if span > 0.0 {
            // Same mapping as `position`, in f32: this runs once per pixel of every map on
            // every edit. Out-of-range values take the end colours.
            colour_by_index(values, rgba, &table, self.low as f32, (255.0 / span) as f32);
        } else {
            for (px, &v) in rgba.chunks_exact_mut(4).zip(values) {
                px.copy_from_slice(&table[(self.position(v) * 255.0).round() as usize]);
            }
        }
    }
}

/// The table index of `v`: `(v − low) · to_index` rounded, saturating into 0..=255 (NaN
/// gives 0), as `as u8` casts.
fn table_index(v: f32, low: f32, to_index: f32) -> usize {
    usize::from(((v - low) * to_index + 0.5) as u8)
}

/// Writes the colour of each value into `rgba`, four bytes a value.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn colour_by_index(values: &[f32], rgba: &mut [u8], table: &[[u8; 4]; 256], low: f32, k: f32) {
    for (px, &v) in rgba.chunks_exact_mut(4).zip(values) {
        px.copy_from_slice(&table[table_index(v, low, k)]);
    }
}

/// Writes the colour of each value into `rgba`, four bytes a value: the indices of four
/// values at a time in one SIMD register (the same arithmetic and saturation as
/// [`table_index`]), then four table lookups: 2.7 times faster in the page than the scalar
/// loop, which the compiler does not vectorise.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn colour_by_index(values: &[f32], rgba: &mut [u8], table: &[[u8; 4]; 256], low: f32, k: f32) {
    use core::arch::wasm32::{
        f32x4, f32x4_add, f32x4_mul, f32x4_splat, f32x4_sub, u32x4_extract_lane, u32x4_min,
        u32x4_splat, u32x4_trunc_sat_f32x4,
    };
    let (low4, k4, half4, top) = (
        f32x4_splat(low),
        f32x4_splat(k),
        f32x4_splat(0.5),
        u32x4_splat(255),
    );
    let mut pixels = rgba.chunks_exact_mut(16);
    let mut blocks = values.chunks_exact(4);
    for (px, v) in (&mut pixels).zip(&mut blocks) {
        let t = f32x4_add(
            f32x4_mul(f32x4_sub(f32x4(v[0], v[1], v[2], v[3]), low4), k4),
            half4,
        );
        let i = u32x4_min(u32x4_trunc_sat_f32x4(t), top);
        px[0..4].copy_from_slice(&table[u32x4_extract_lane::<0>(i) as usize]);
        px[4..8].copy_from_slice(&table[u32x4_extract_lane::<1>(i) as usize]);
        px[8..12].copy_from_slice(&table[u32x4_extract_lane::<2>(i) as usize]);
        px[12..16].copy_from_slice(&table[u32x4_extract_lane::<3>(i) as usize]);
    }
    let rest = pixels.into_remainder().chunks_exact_mut(4);
    for (px, &v) in rest.zip(blocks.remainder()) {
        px.copy_from_slice(&table[table_index(v, low, k)]);
    }
}

/// The three channels of a `(3, H, W)` RGB volume, values in [0, 1], as RGBA bytes: the
/// colour picture the input stage shows (each value × 255, rounded).
pub fn colour_picture(rgb: ArrayView3<f32>) -> Vec<u8> {
    let (_, h, w) = rgb.dim();
    let mut rgba = vec![255u8; h * w * 4];
    for (c, plane) in rgb.axis_iter(Axis(0)).take(3).enumerate() {
        for (px, &v) in rgba.chunks_exact_mut(4).zip(plane.iter()) {
            // The cast saturates: values outside [0, 1] take the ends.
            px[c] = (v * 255.0 + 0.5) as u8;
        }
    }
    rgba
}

/// The most values a clipped colour range is computed from exactly.
const QUANTILE_SAMPLE: usize = 1 << 18;

/// The value below which [`ColorRange::CLIPPED_QUANTILE`] of `measure(values)` lie (the
/// nearest-rank percentile), all of them within `[lo, hi]`; `None` when there are no values.
///
/// One pass fills a 4,096-bin histogram. When the bin holding the wanted rank lies far enough
/// from `lo`, its upper edge is the answer: at most one bin, so at most 1/256 of the clipped
/// range (one step of the colour table), above the exact value. Otherwise (a few extreme
/// values squeeze the rest into the lowest bins, where a bin can be wider than the whole
/// clipped range) a second pass picks the exact value among that bin's values.
///
/// Beyond [`QUANTILE_SAMPLE`] values (four 512² maps, say), it is the percentile of a regular
/// sample, every `stride`-th value, at least `QUANTILE_SAMPLE / 8` of them: what the colours
/// stretch over needs no more, and an edit of a deep layer then stays cheap. The stride is
/// odd, so on maps whose width is a power of two the sample still visits every column.
fn quantile(values: &[f32], measure: impl Fn(f32) -> f32, lo: f64, hi: f64) -> Option<f64> {
    const BINS: usize = 4096;
    /// The wanted bin's upper edge overshoots by at most one bin, and the clipped range
    /// spans `bin + 1` bins: from `bin + 1 = COLOURS` on, that is one colour step at most.
    const COLOURS: usize = 256;
    let to_bin = (BINS as f64 / (hi - lo)) as f32;
    let lo32 = lo as f32;
    // Saturating cast: a value rounding past `hi` lands in the last bin. Both passes bin
    // with this one function, so they agree on which values a bin holds.
    let bin_of = |v: f32| usize::from(((measure(v) - lo32) * to_bin) as u16).min(BINS - 1);
    let stride = if values.len() <= QUANTILE_SAMPLE {
        1
    } else {
        let stride = values.len() / (QUANTILE_SAMPLE / 8);
        stride - (1 - stride % 2)
    };
    let sample = || values.iter().step_by(stride);
    let mut counts = [0u32; BINS];
    for &v in sample() {
        counts[bin_of(v)] += 1;
    }
    // 0-based rank of the value wanted.
    let sampled = values.len().div_ceil(stride);
    let rank = ((sampled as f64 * ColorRange::CLIPPED_QUANTILE).ceil() as usize).checked_sub(1)?;
    let mut below = 0usize;
    let bin = counts.iter().position(|&count| {
        let holds_rank = below + count as usize > rank;
        if !holds_rank {
            below += count as usize;
        }
        holds_rank
    })?;
    if bin + 1 >= COLOURS {
        return Some(lo + (bin + 1) as f64 * (hi - lo) / BINS as f64);
    }
    let mut in_bin = Vec::with_capacity(counts[bin] as usize);
    in_bin.extend(sample().filter(|&&v| bin_of(v) == bin).map(|&v| measure(v)));
    // `nth` is within the bin (both passes bin alike); checked, so a slip cannot panic.
    let nth = rank - below;
    (nth < in_bin.len()).then(|| f64::from(*in_bin.select_nth_unstable_by(nth, f32::total_cmp).1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    fn slice(values: &Array2<f32>) -> &[f32] {
        values.as_slice().expect("contiguous")
    }

    #[test]
    fn diverging_is_centred_on_zero() {
        let values = array![[-1.0f32, 0.0, 4.0]];
        let range = ValueRange::of(slice(&values)).expect("non-empty");
        let scale = Scale::new(Colormap::Diverging, range);
        assert_eq!((scale.low, scale.high), (-4.0, 4.0));
        assert_eq!(scale.position(0.0), 0.5);
        let rgba = scale.colorize(values.view());
        // 0 is (nearly) white; 4 is red-dominant; −1 leans blue.
        assert!(rgba[4..7].iter().all(|&c| c > 230), "{:?}", &rgba[4..7]);
        assert!(rgba[8] > rgba[10]);
        assert!(rgba[2] > rgba[0]);
    }

    /// Each value's colour from `position` in f64, one at a time: what `colorize` computes
    /// four at a time in the page (this test also runs in wasm with SIMD).
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn colours_match_the_position_of_each_value() {
        // Below, inside and beyond the range, NaN, and ±infinity; 1,003 values, so the
        // blocks of four leave a remainder.
        let mut values: Vec<f32> = (0..1000).map(|i| i as f32 * 0.013 - 3.0).collect();
        values.extend([f32::NAN, f32::INFINITY, f32::NEG_INFINITY]);
        let values = Array2::from_shape_vec((1, values.len()), values).expect("shape");
        for colormap in [Colormap::Magma, Colormap::Diverging] {
            let scale = Scale {
                colormap,
                low: -1.0,
                high: 5.0,
                clipped: true,
            };
            let rgba = scale.colorize(values.view());
            for (j, &v) in values.iter().enumerate() {
                let expected = if v.is_nan() {
                    colormap.rgb(0.0)
                } else {
                    colormap.rgb((scale.position(v) * 255.0).round() / 255.0)
                };
                assert_eq!(rgba[4 * j..4 * j + 3], expected, "value {v} ({colormap:?})");
                assert_eq!(rgba[4 * j + 3], 255);
            }
        }
    }

    #[test]
    fn flat_maps_draw_without_nan() {
        let zeros = array![[0.0f32, 0.0], [0.0, 0.0]];
        let range = ValueRange::of(slice(&zeros)).expect("non-empty");
        assert!(range.is_flat());
        for colormap in [Colormap::Magma, Colormap::Gray, Colormap::Diverging] {
            let scale = Scale::new(colormap, range);
            let rgba = scale.colorize(zeros.view());
            assert_eq!(rgba.len(), 16);
            assert_eq!(&rgba[0..4], &rgba[12..16]);
        }
    }

    #[test]
    fn clipping_ignores_rare_extremes() {
        // 1,000 values in [0, 1) and one huge outlier.
        let mut values = ndarray::Array2::from_shape_fn((1, 1001), |(_, j)| j as f32 / 1000.0);
        values[[0, 1000]] = 1000.0;
        let fit = |colormap, values: &ndarray::Array2<f32>, mode| {
            let range = ValueRange::of(slice(values)).expect("values");
            Scale::fit(colormap, slice(values), range, mode)
        };
        let full = fit(Colormap::Magma, &values, ColorRange::Full);
        assert_eq!((full.low, full.high, full.clipped), (0.0, 1000.0, false));
        let clipped = fit(Colormap::Magma, &values, ColorRange::Clipped);
        assert!(clipped.clipped);
        assert!((clipped.high - 1.0).abs() < 0.3, "{}", clipped.high);
        assert_eq!(clipped.position(1000.0), 1.0);

        let signed = values.mapv(|v| if v > 0.5 { v } else { -v });
        let diverging = fit(Colormap::Diverging, &signed, ColorRange::Clipped);
        assert_eq!(diverging.low, -diverging.high);
        assert!(diverging.high < 2.0);
    }

    /// `count` scattered values in [0, 1), the same on every run.
    fn scattered(count: usize) -> Vec<f32> {
        (0..count)
            .map(|i| ((i as f32 * 12.9898).sin() * 43_758.547).fract().abs())
            .collect()
    }

    /// The nearest-rank 98th percentile, from a sorted copy.
    fn percentile_by_sorting(values: &[f32]) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f32::total_cmp);
        let rank = (values.len() as f64 * 0.98).ceil() as usize - 1;
        f64::from(sorted[rank])
    }

    fn fit_row(colormap: Colormap, values: &[f32]) -> Scale {
        let range = ValueRange::of(values).expect("values");
        Scale::fit(colormap, values, range, ColorRange::Clipped)
    }

    #[test]
    fn one_extreme_outlier_still_clips_at_the_percentile() {
        // 10,000 values in [0, 1) and one of 1e6: every other value is in the histogram's
        // lowest bin (244 wide), which once made the clipped range fall back to the full one.
        let mut values = scattered(10_000);
        values.push(1e6);
        let expected = percentile_by_sorting(&values);
        assert!(expected > 0.9 && expected < 1.0, "{expected}");
        let min = values.iter().copied().fold(f32::INFINITY, f32::min);
        let scale = fit_row(Colormap::Magma, &values);
        assert!(scale.clipped);
        assert_eq!((scale.low, scale.high), (f64::from(min), expected));

        // The same with signs, for the diverging map (which clips the sizes).
        let signed: Vec<f32> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| if i % 3 == 0 { -v } else { v })
            .collect();
        let sizes: Vec<f32> = signed.iter().map(|v| v.abs()).collect();
        let expected = percentile_by_sorting(&sizes);
        let scale = fit_row(Colormap::Diverging, &signed);
        assert!(scale.clipped);
        assert_eq!((scale.low, scale.high), (-expected, expected));
    }

    #[test]
    fn a_spread_map_clips_within_one_colour_step_of_the_percentile() {
        // No outlier: the histogram alone answers, one bin above the exact value at most.
        let values: Vec<f32> = scattered(10_000).iter().map(|v| 50.0 * v - 10.0).collect();
        let expected = percentile_by_sorting(&values);
        let scale = fit_row(Colormap::Gray, &values);
        assert!(scale.clipped);
        let step = (scale.high - scale.low) / 256.0;
        assert!(
            scale.high >= expected && scale.high - expected <= step,
            "{} vs {expected}",
            scale.high
        );
    }

    #[test]
    fn a_deep_stage_clips_at_the_percentile_of_a_regular_sample() {
        // A million scattered values (four 512² maps): the sampled percentile is within a
        // colour step of the exact one.
        let values: Vec<f32> = scattered(1 << 20).iter().map(|v| 10.0 * v).collect();
        let exact = percentile_by_sorting(&values);
        let scale = fit_row(Colormap::Magma, &values);
        assert!(scale.clipped);
        let step = (scale.high - scale.low) / 256.0;
        assert!(
            (scale.high - exact).abs() <= step,
            "{} vs {exact}",
            scale.high
        );
    }

    #[test]
    fn the_sample_of_a_deep_stage_visits_every_column() {
        // Four 512² maps, dim except every 32nd column (column 1, 33, …): 3 % of the values
        // are bright, so the 98th percentile is bright. A stride dividing 512 would sample
        // the same few columns in every row and miss them all.
        let values: Vec<f32> = (0..4 * 512 * 512)
            .map(|i| {
                if i % 512 % 32 == 1 {
                    10.0
                } else {
                    (i % 7) as f32 / 7.0
                }
            })
            .collect();
        assert_eq!(percentile_by_sorting(&values), 10.0);
        let scale = fit_row(Colormap::Magma, &values);
        assert!(!scale.clipped, "{scale:?}");
        assert_eq!(scale.high, 10.0);
    }

    #[test]
    fn clipping_never_empties_a_mostly_zero_map() {
        // 99.9 % zeros: the 98th percentile is 0, so the full range is kept.
        let mut values = ndarray::Array2::<f32>::zeros((1, 1000));
        values[[0, 0]] = 5.0;
        let range = ValueRange::of(slice(&values)).expect("values");
        let scale = Scale::fit(Colormap::Gray, slice(&values), range, ColorRange::Clipped);
        assert_eq!((scale.low, scale.high, scale.clipped), (0.0, 5.0, false));
    }

    #[test]
    fn the_colour_picture_keeps_each_channel() {
        let rgb = ndarray::Array3::from_shape_vec((3, 1, 2), vec![1.0, 0.0, 0.5, 0.0, 0.2, 1.0])
            .expect("3 × 1 × 2");
        assert_eq!(
            colour_picture(rgb.view()),
            [255, 128, 51, 255, 0, 0, 255, 255]
        );
    }

    #[test]
    fn huge_values_stay_in_range() {
        let values = array![[-8e30f32, 3.4e38]];
        let scale = Scale::new(
            Colormap::Magma,
            ValueRange::of(slice(&values)).expect("non-empty"),
        );
        assert_eq!(scale.position(-8e30), 0.0);
        assert_eq!(scale.position(3.4e38), 1.0);
    }
}
