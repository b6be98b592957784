//! Matrix products for the engine: allocation-free and vectorised, the same code natively
//! and in WebAssembly.
//!
//! Two register-tiled kernels cover every product the layers need:
//! - **NN**, `C = A·B` where B's rows are contiguous (A may have any strides, e.g. a
//!   transposed weight matrix): a tile of rows of C is held in vector registers while the
//!   shared dimension is walked, one broadcast of A times two vectors of B per step.
//! - **NT**, `C = A·Bᵀ` where A's and Bᵀ's rows are contiguous along the long shared
//!   dimension (weight gradients): blocks of dot products, blocked along that dimension so
//!   the rows stay in cache.
//!
//! The kernels are written once over a small [`Vector`] trait and instantiated for AVX-512
//! and AVX2+FMA (x86-64, chosen at run time), `simd128` (wasm32, when compiled with
//! `+simd128`, as this repository's `.cargo/config.toml` does) and a portable four-lane array
//! that the compiler vectorises for whatever the target offers. Unlike `ndarray`'s `dot` (matrixmultiply),
//! nothing is allocated per call, and wasm gets real SIMD.

use std::cmp::min;

/// A read-only matrix view: element `(i, j)` is `data[i * row_stride + j * col_stride]`.
#[derive(Clone, Copy, Debug)]
pub struct Mat<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> Mat<'a> {
    /// A row-major `rows × cols` matrix stored in the first `rows · cols` values of `data`.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Mat<'a> {
        Mat {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose, without copying.
    pub fn t(self) -> Mat<'a> {
        Mat {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    fn fits(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride
                < self.data.len()
    }
}

/// The implementations of the kernels; [`Backend::best`] picks the fastest this machine has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Four-lane arrays in plain Rust (auto-vectorised).
    Portable,
    /// 8-lane AVX2 with fused multiply-add (x86-64 only, detected at run time).
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
    /// 16-lane AVX-512 (x86-64 with AVX-512F, detected at run time): twice the arithmetic
    /// of AVX2 per instruction, which cores with full-width AVX-512 units (AMD Zen 5, Intel
    /// server cores) turn into twice the multiply-adds per cycle.
    #[cfg(target_arch = "x86_64")]
    Avx512,
    /// WebAssembly 128-bit SIMD (wasm32 built with `+simd128`).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
    /// `simd128` plus relaxed SIMD's fused multiply-add (`f32x4.relaxed_madd`), in the
    /// build with the `relaxed-simd` feature: the worker the page loads where the browser
    /// validates relaxed SIMD (not Safari, which gets the [`Backend::Simd128`] build).
    #[cfg(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        feature = "relaxed-simd"
    ))]
    RelaxedSimd,
}

impl Backend {
    /// The fastest backend available here.
    pub fn best() -> Backend {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Backend::Avx512;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Backend::Avx2Fma;
        }
        #[cfg(all(
            target_arch = "wasm32",
            target_feature = "simd128",
            feature = "relaxed-simd"
        ))]
        return Backend::RelaxedSimd;
        #[cfg(all(
            target_arch = "wasm32",
            target_feature = "simd128",
            not(feature = "relaxed-simd")
        ))]
        return Backend::Simd128;
        #[allow(unreachable_code)]
        Backend::Portable
    }

    /// Every backend this machine can run (for tests and benchmarks).
    pub fn available() -> Vec<Backend> {
        let mut all = vec![Backend::Portable];
        #[cfg(all(
            target_arch = "wasm32",
            target_feature = "simd128",
            feature = "relaxed-simd"
        ))]
        all.push(Backend::Simd128);
        #[cfg(target_arch = "x86_64")]
        if Backend::best() == Backend::Avx512 && std::arch::is_x86_feature_detected!("fma") {
            all.push(Backend::Avx2Fma);
        }
        if Backend::best() != Backend::Portable {
            all.push(Backend::best());
        }
        all
    }
}

/// `C = A·B` (or `C += A·B` when `accumulate`), with C row-major `a.rows × b.cols` in the first
/// values of `c`, using the best backend.
///
/// # Panics
/// When the shapes disagree or a view reaches past its slice: these are programming errors,
/// the layers compute the shapes.
pub fn gemm(a: Mat, b: Mat, c: &mut [f32], accumulate: bool) {
    gemm_with(Backend::best(), a, b, c, accumulate);
}

/// `C = A·B + bias`, where `bias[i]` is added to every value of row `i` of C: a layer's
/// output with its biases in one pass, the accumulators starting from the bias rather than
/// from a copy of it written to C first and read back.
///
/// # Panics
/// As [`gemm`], and when `bias` has fewer values than C has rows.
pub fn gemm_bias(a: Mat, b: Mat, bias: &[f32], c: &mut [f32]) {
    gemm_bias_with(Backend::best(), a, b, bias, c);
}

/// [`gemm_bias`] with a chosen backend.
pub fn gemm_bias_with(backend: Backend, a: Mat, b: Mat, bias: &[f32], c: &mut [f32]) {
    assert!(bias.len() >= a.rows, "one bias per row");
    if b.col_stride == 1 && a.cols > 0 {
        run(backend, a, b, c, false, bias.as_ptr());
    } else {
        for (row, &v) in c[..a.rows * b.cols]
            .chunks_exact_mut(b.cols.max(1))
            .zip(bias)
        {
            row.fill(v);
        }
        gemm_with(backend, a, b, c, true);
    }
}

/// [`gemm`] with a chosen backend.
pub fn gemm_with(backend: Backend, a: Mat, b: Mat, c: &mut [f32], accumulate: bool) {
    run(backend, a, b, c, accumulate, std::ptr::null());
}

/// The products, with `bias` null or (NN layout only) one value per row of C to start from.
fn run(backend: Backend, a: Mat, b: Mat, c: &mut [f32], accumulate: bool, bias: *const f32) {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert!(a.fits() && b.fits(), "view outside its data");
    let (m, n, k) = (a.rows, b.cols, a.cols);
    assert!(c.len() >= m * n, "output too small");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    let shape = Problem {
        m,
        n,
        k,
        accumulate,
    };
    let (ap, bp, cp) = (a.data.as_ptr(), b.data.as_ptr(), c.as_mut_ptr());
    if b.col_stride == 1 {
        let args = Nn {
            a: ap,
            rsa: a.row_stride,
            csa: a.col_stride,
            b: bp,
            ldb: b.row_stride,
            c: cp,
            bias,
        };
        // SAFETY: the asserts above keep every index of A, B and C inside its slice.
        unsafe {
            match backend {
                Backend::Portable => nn::<Portable>(shape, args),
                #[cfg(target_arch = "x86_64")]
                Backend::Avx2Fma => nn_avx2(shape, args),
                #[cfg(target_arch = "x86_64")]
                Backend::Avx512 => nn_avx512(shape, args),
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                Backend::Simd128 => nn::<Simd128>(shape, args),
                #[cfg(all(
                    target_arch = "wasm32",
                    target_feature = "simd128",
                    feature = "relaxed-simd"
                ))]
                Backend::RelaxedSimd => relaxed::nn(shape, args),
            }
        }
    } else if a.col_stride == 1 && b.row_stride == 1 {
        let args = Nt {
            a: ap,
            lda: a.row_stride,
            b: bp,
            ldb: b.col_stride,
            c: cp,
        };
        // SAFETY: as above.
        unsafe {
            match backend {
                Backend::Portable => nt::<Portable>(shape, args),
                #[cfg(target_arch = "x86_64")]
                Backend::Avx2Fma => nt_avx2(shape, args),
                #[cfg(target_arch = "x86_64")]
                Backend::Avx512 => nt_avx512(shape, args),
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                Backend::Simd128 => nt::<Simd128>(shape, args),
                #[cfg(all(
                    target_arch = "wasm32",
                    target_feature = "simd128",
                    feature = "relaxed-simd"
                ))]
                Backend::RelaxedSimd => relaxed::nt(shape, args),
            }
        }
    } else {
        naive(a, b, c, accumulate);
    }
}

/// The textbook triple loop, for layouts the kernels do not cover.
fn naive(a: Mat, b: Mat, c: &mut [f32], accumulate: bool) {
    for i in 0..a.rows {
        for j in 0..b.cols {
            let mut sum = 0.0f32;
            for p in 0..a.cols {
                sum += a.data[i * a.row_stride + p * a.col_stride]
                    * b.data[p * b.row_stride + j * b.col_stride];
            }
            let out = &mut c[i * b.cols + j];
            *out = if accumulate { *out + sum } else { sum };
        }
    }
}

#[derive(Clone, Copy)]
struct Problem {
    m: usize,
    n: usize,
    k: usize,
    accumulate: bool,
}

#[derive(Clone, Copy)]
struct Nn {
    a: *const f32,
    rsa: usize,
    csa: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    /// Null, or the value each row of C starts from.
    bias: *const f32,
}

#[derive(Clone, Copy)]
struct Nt {
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
}

/// The few vector operations the kernels use. Every method is `unsafe`: loads and stores
/// take raw pointers, and the AVX2 versions need the CPU features the caller checked.
trait Vector: Copy {
    const LANES: usize;
    unsafe fn zero() -> Self;
    unsafe fn splat(x: f32) -> Self;
    unsafe fn load(p: *const f32) -> Self;
    unsafe fn store(self, p: *mut f32);
    /// `self + a · b`
    unsafe fn mul_add(self, a: Self, b: Self) -> Self;
    unsafe fn add(self, other: Self) -> Self;
    unsafe fn sum(self) -> f32;
}

#[derive(Clone, Copy)]
struct Portable([f32; 4]);

impl Vector for Portable {
    const LANES: usize = 4;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Portable([0.0; 4])
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        Portable([x; 4])
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        Portable(p.cast::<[f32; 4]>().read_unaligned())
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        p.cast::<[f32; 4]>().write_unaligned(self.0)
    }
    #[inline(always)]
    unsafe fn mul_add(self, a: Self, b: Self) -> Self {
        Portable(std::array::from_fn(|i| self.0[i] + a.0[i] * b.0[i]))
    }
    #[inline(always)]
    unsafe fn add(self, other: Self) -> Self {
        Portable(std::array::from_fn(|i| self.0[i] + other.0[i]))
    }
    #[inline(always)]
    unsafe fn sum(self) -> f32 {
        (self.0[0] + self.0[1]) + (self.0[2] + self.0[3])
    }
}

#[cfg(target_arch = "x86_64")]
mod avx {
    use std::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub(super) struct Avx(__m256);

    impl super::Vector for Avx {
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Avx(_mm256_setzero_ps())
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            Avx(_mm256_set1_ps(x))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            Avx(_mm256_loadu_ps(p))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            _mm256_storeu_ps(p, self.0)
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            Avx(_mm256_fmadd_ps(a.0, b.0, self.0))
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            Avx(_mm256_add_ps(self.0, other.0))
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            let quad = _mm_add_ps(
                _mm256_castps256_ps128(self.0),
                _mm256_extractf128_ps(self.0, 1),
            );
            let pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
            _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1)))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub(super) struct Avx512(__m512);

    impl super::Vector for Avx512 {
        const LANES: usize = 16;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Avx512(_mm512_setzero_ps())
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            Avx512(_mm512_set1_ps(x))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            Avx512(_mm512_loadu_ps(p))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            _mm512_storeu_ps(p, self.0)
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            Avx512(_mm512_fmadd_ps(a.0, b.0, self.0))
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            Avx512(_mm512_add_ps(self.0, other.0))
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            _mm512_reduce_add_ps(self.0)
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn nn_avx512(shape: Problem, args: Nn) {
    nn::<avx512::Avx512>(shape, args)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn nt_avx512(shape: Problem, args: Nt) {
    nt::<avx512::Avx512>(shape, args)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn nn_avx2(shape: Problem, args: Nn) {
    nn::<avx::Avx>(shape, args)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn nt_avx2(shape: Problem, args: Nt) {
    nt::<avx::Avx>(shape, args)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[derive(Clone, Copy)]
struct Simd128(core::arch::wasm32::v128);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Vector for Simd128 {
    const LANES: usize = 4;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Simd128(core::arch::wasm32::f32x4_splat(0.0))
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        Simd128(core::arch::wasm32::f32x4_splat(x))
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        Simd128(core::arch::wasm32::v128_load(p.cast()))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        core::arch::wasm32::v128_store(p.cast(), self.0)
    }
    /// Not fused: simd128 has no fused multiply-add, so wasm rounds the product and the sum
    /// separately where native AVX2+FMA rounds once. A wasm run and a native run of the same
    /// seed therefore drift apart from the first step on; each repeats itself exactly.
    #[inline(always)]
    unsafe fn mul_add(self, a: Self, b: Self) -> Self {
        use core::arch::wasm32::{f32x4_add, f32x4_mul};
        Simd128(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
    }
    #[inline(always)]
    unsafe fn add(self, other: Self) -> Self {
        Simd128(core::arch::wasm32::f32x4_add(self.0, other.0))
    }
    #[inline(always)]
    unsafe fn sum(self) -> f32 {
        use core::arch::wasm32::f32x4_extract_lane;
        (f32x4_extract_lane::<0>(self.0) + f32x4_extract_lane::<1>(self.0))
            + (f32x4_extract_lane::<2>(self.0) + f32x4_extract_lane::<3>(self.0))
    }
}

/// Relaxed SIMD: [`Simd128`] with one fused multiply-add (`f32x4.relaxed_madd`) in place of
/// a multiply and an add. "Relaxed" because the engine may fuse or not: V8 fuses where the
/// CPU has FMA, so a run repeats itself exactly on one machine and browser, but the same seed
/// on a CPU without FMA takes another path from the first step on.
#[cfg(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    feature = "relaxed-simd"
))]
mod relaxed {
    use super::{Nn, Nt, Problem, Simd128, Vector};
    use core::arch::wasm32::f32x4_relaxed_madd;

    #[derive(Clone, Copy)]
    pub(super) struct Relaxed(Simd128);

    impl Vector for Relaxed {
        const LANES: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            Relaxed(Simd128::zero())
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            Relaxed(Simd128::splat(x))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            Relaxed(Simd128::load(p))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            self.0.store(p)
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            Relaxed(Simd128(f32x4_relaxed_madd(a.0 .0, b.0 .0, self.0 .0)))
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            Relaxed(self.0.add(other.0))
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            self.0.sum()
        }
    }

    #[target_feature(enable = "relaxed-simd")]
    pub(super) unsafe fn nn(shape: Problem, args: Nn) {
        super::nn::<Relaxed>(shape, args)
    }

    #[target_feature(enable = "relaxed-simd")]
    pub(super) unsafe fn nt(shape: Problem, args: Nt) {
        super::nt::<Relaxed>(shape, args)
    }
}

/// Columns of C (and B) handled per block in NN, so that B's block stays in cache while
/// every tile of rows of C passes over it.
const NN_BLOCK: usize = 512;
/// Rows of C per NN tile.
const NN_ROWS: usize = 4;

#[inline(always)]
unsafe fn nn<V: Vector>(s: Problem, x: Nn) {
    let mut j0 = 0;
    while j0 < s.n {
        let end = min(j0 + NN_BLOCK, s.n);
        let mut i = 0;
        if V::LANES >= 16 {
            // Sixteen accumulators of 16 lanes fit AVX-512's 32 registers with room for
            // the loads: each vector of B loaded serves twice as many rows.
            while i + 2 * NN_ROWS <= s.m {
                nn_rows::<V, { 2 * NN_ROWS }>(s, x, i, j0, end);
                i += 2 * NN_ROWS;
            }
        }
        while i + NN_ROWS <= s.m {
            nn_rows::<V, NN_ROWS>(s, x, i, j0, end);
            i += NN_ROWS;
        }
        while i < s.m {
            nn_rows::<V, 1>(s, x, i, j0, end);
            i += 1;
        }
        j0 = end;
    }
}

/// Rows `i..i + R` of C, columns `j0..end`.
#[inline(always)]
unsafe fn nn_rows<V: Vector, const R: usize>(s: Problem, x: Nn, i: usize, j0: usize, end: usize) {
    let l = V::LANES;
    let a_at = |r: usize, p: usize| *x.a.add((i + r) * x.rsa + p * x.csa);
    let c_row = |r: usize| x.c.add((i + r) * s.n);
    let start: [f32; R] = std::array::from_fn(|r| {
        if x.bias.is_null() {
            0.0
        } else {
            *x.bias.add(i + r)
        }
    });
    let mut j = j0;
    while j + 2 * l <= end {
        let mut acc: [[V; 2]; R] = std::array::from_fn(|r| [V::splat(start[r]); 2]);
        for p in 0..s.k {
            let bp = x.b.add(p * x.ldb + j);
            let (b0, b1) = (V::load(bp), V::load(bp.add(l)));
            for (r, row) in acc.iter_mut().enumerate() {
                let av = V::splat(a_at(r, p));
                row[0] = row[0].mul_add(av, b0);
                row[1] = row[1].mul_add(av, b1);
            }
        }
        for (r, row) in acc.iter().enumerate() {
            let cp = c_row(r).add(j);
            let (mut c0, mut c1) = (row[0], row[1]);
            if s.accumulate {
                c0 = c0.add(V::load(cp));
                c1 = c1.add(V::load(cp.add(l)));
            }
            c0.store(cp);
            c1.store(cp.add(l));
        }
        j += 2 * l;
    }
    while j + l <= end {
        let mut acc: [V; R] = std::array::from_fn(|r| V::splat(start[r]));
        for p in 0..s.k {
            let bv = V::load(x.b.add(p * x.ldb + j));
            for (r, a) in acc.iter_mut().enumerate() {
                *a = a.mul_add(V::splat(a_at(r, p)), bv);
            }
        }
        for (r, a) in acc.iter().enumerate() {
            let cp = c_row(r).add(j);
            let v = if s.accumulate { a.add(V::load(cp)) } else { *a };
            v.store(cp);
        }
        j += l;
    }
    while j < end {
        for (r, &first) in start.iter().enumerate() {
            let mut sum = first;
            for p in 0..s.k {
                sum += a_at(r, p) * *x.b.add(p * x.ldb + j);
            }
            let cp = c_row(r).add(j);
            *cp = if s.accumulate { *cp + sum } else { sum };
        }
        j += 1;
    }
}

/// Length of the shared dimension handled per NT block (a multiple of every `LANES`).
const NT_BLOCK: usize = 512;

#[inline(always)]
unsafe fn nt<V: Vector>(s: Problem, x: Nt) {
    if !s.accumulate {
        std::slice::from_raw_parts_mut(x.c, s.m * s.n).fill(0.0);
    }
    let mut p0 = 0;
    while p0 < s.k {
        let p1 = min(p0 + NT_BLOCK, s.k);
        let mut i = 0;
        if V::LANES >= 16 {
            // As in `nn`: AVX-512's 32 registers hold a 4 × 4 tile of accumulators, so
            // each loaded vector serves four dot products instead of two.
            while i + 4 <= s.m {
                nt_rows::<V, 4>(s, x, i, p0, p1);
                i += 4;
            }
        }
        while i + 2 <= s.m {
            nt_rows::<V, 2>(s, x, i, p0, p1);
            i += 2;
        }
        if i < s.m {
            nt_rows::<V, 1>(s, x, i, p0, p1);
        }
        p0 = p1;
    }
}

#[inline(always)]
unsafe fn nt_rows<V: Vector, const R: usize>(s: Problem, x: Nt, i: usize, p0: usize, p1: usize) {
    let mut j = 0;
    while j + 4 <= s.n {
        nt_tile::<V, R, 4>(s, x, i, j, p0, p1);
        j += 4;
    }
    while j < s.n {
        nt_tile::<V, R, 1>(s, x, i, j, p0, p1);
        j += 1;
    }
}

/// Adds `Σ_{p0 ≤ p < p1} A[i + r, p] · B[j + q, p]` to `C[i + r, j + q]` for an R × Q tile.
#[inline(always)]
unsafe fn nt_tile<V: Vector, const R: usize, const Q: usize>(
    s: Problem,
    x: Nt,
    i: usize,
    j: usize,
    p0: usize,
    p1: usize,
) {
    let l = V::LANES;
    let a_row = |r: usize| x.a.add((i + r) * x.lda);
    let b_row = |q: usize| x.b.add((j + q) * x.ldb);
    let mut acc = [[V::zero(); Q]; R];
    let mut p = p0;
    while p + l <= p1 {
        let mut bv = [V::zero(); Q];
        for (q, v) in bv.iter_mut().enumerate() {
            *v = V::load(b_row(q).add(p));
        }
        for (r, row) in acc.iter_mut().enumerate() {
            let av = V::load(a_row(r).add(p));
            for (q, cell) in row.iter_mut().enumerate() {
                *cell = cell.mul_add(av, bv[q]);
            }
        }
        p += l;
    }
    for (r, row) in acc.iter().enumerate() {
        for (q, cell) in row.iter().enumerate() {
            let mut sum = cell.sum();
            for t in p..p1 {
                sum += *a_row(r).add(t) * *b_row(q).add(t);
            }
            *x.c.add((i + r) * s.n + j + q) += sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same product in float64, straight from the definition.
    fn reference(a: Mat, b: Mat) -> Vec<f64> {
        let mut c = vec![0.0; a.rows * b.cols];
        for i in 0..a.rows {
            for j in 0..b.cols {
                c[i * b.cols + j] = (0..a.cols)
                    .map(|p| {
                        f64::from(a.data[i * a.row_stride + p * a.col_stride])
                            * f64::from(b.data[p * b.row_stride + j * b.col_stride])
                    })
                    .sum();
            }
        }
        c
    }

    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = crate::nn::rng::Rng::new(seed);
        (0..n).map(|_| rng.normal() as f32).collect()
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn every_backend_and_layout_matches_float64() {
        let sizes = [
            (1, 1, 1),
            (3, 5, 7),
            (4, 16, 9),
            (10, 33, 784),
            (16, 1030, 72),
            (9, 37, 1100),
            (5, 3, 2),
        ];
        for backend in Backend::available() {
            for &(m, n, k) in &sizes {
                let a_data = values(m * k, 1);
                let b_data = values(k * n, 2);
                let start = values(m * n, 3);
                // A row-major or transposed; B row-major (NN) or transposed (NT, naive).
                let a_plain = Mat::row_major(&a_data, m, k);
                let a_tr = Mat::row_major(&a_data, k, m).t();
                let b_plain = Mat::row_major(&b_data, k, n);
                let b_tr = Mat::row_major(&b_data, n, k).t();
                for (a, b) in [
                    (a_plain, b_plain),
                    (a_tr, b_plain),
                    (a_plain, b_tr),
                    (a_tr, b_tr),
                ] {
                    let expected = reference(a, b);
                    let bias = values(m, 4);
                    let mut c = start.clone();
                    gemm_bias_with(backend, a, b, &bias, &mut c);
                    for (idx, (&got, &want)) in c.iter().zip(&expected).enumerate() {
                        let want = want + f64::from(bias[idx / n]);
                        let tol = 1e-5 * (k as f64).sqrt() * (1.0 + want.abs());
                        assert!(
                            (f64::from(got) - want).abs() <= tol,
                            "{backend:?} {m}×{n}×{k} bias [{idx}]: {got} vs {want}"
                        );
                    }
                    for accumulate in [false, true] {
                        let mut c = start.clone();
                        gemm_with(backend, a, b, &mut c, accumulate);
                        for (idx, (&got, &want)) in c.iter().zip(&expected).enumerate() {
                            let want = want
                                + if accumulate {
                                    f64::from(start[idx])
                                } else {
                                    0.0
                                };
                            let tol = 1e-5 * (k as f64).sqrt() * (1.0 + want.abs());
                            assert!(
                                (f64::from(got) - want).abs() <= tol,
                                "{backend:?} {m}×{n}×{k} acc {accumulate} [{idx}]: {got} vs {want}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn empty_shared_dimension_gives_zeros() {
        let mut c = vec![7.0; 6];
        gemm(
            Mat::row_major(&[], 2, 0),
            Mat::row_major(&[], 0, 3),
            &mut c,
            false,
        );
        assert_eq!(c, vec![0.0; 6]);
    }
}
