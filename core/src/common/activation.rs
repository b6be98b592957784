//! Element-wise nonlinearities, forward and backward: one implementation for the explorer's
//! activation stage and the engine's activation layers.

/// A nonlinearity applied to every value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// `max(x, 0)`
    Relu,
    /// `x` for positive `x`, `slope · x` otherwise (TensorFlow's `tf.nn.leaky_relu`).
    LeakyRelu(f32),
    Tanh,
    /// `1 / (1 + e^−x)`
    Sigmoid,
}

impl Activation {
    /// `y = f(x)`, element by element (`y` as long as `x`).
    pub fn forward(self, x: &[f32], y: &mut [f32]) {
        let pairs = y.iter_mut().zip(x);
        match self {
            // A plain comparison: cheaper than `f32::max`'s NaN rules in wasm, and equal
            // for every number (NaN never reaches here: the explorer and the engine refuse
            // non-finite inputs and weights).
            Activation::Relu => pairs.for_each(|(y, &x)| *y = if x > 0.0 { x } else { 0.0 }),
            Activation::LeakyRelu(slope) => {
                pairs.for_each(|(y, &x)| *y = if x > 0.0 { x } else { slope * x })
            }
            Activation::Tanh => pairs.for_each(|(y, &x)| *y = x.tanh()),
            Activation::Sigmoid => pairs.for_each(|(y, &x)| *y = 1.0 / (1.0 + (-x).exp())),
        }
    }

    /// `dx = dy · f′(x)`, with `f′` written in terms of the output `y`.
    pub fn backward(self, y: &[f32], dy: &[f32], dx: &mut [f32]) {
        let triples = dx.iter_mut().zip(y.iter().zip(dy));
        match self {
            Activation::Relu => {
                triples.for_each(|(dx, (&y, &g))| *dx = if y > 0.0 { g } else { 0.0 })
            }
            Activation::LeakyRelu(slope) => {
                triples.for_each(|(dx, (&y, &g))| *dx = if y > 0.0 { g } else { slope * g })
            }
            Activation::Tanh => triples.for_each(|(dx, (&y, &g))| *dx = g * (1.0 - y * y)),
            Activation::Sigmoid => triples.for_each(|(dx, (&y, &g))| *dx = g * y * (1.0 - y)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Activation;

    #[test]
    fn values_and_slopes() {
        let x = [-2.0f32, 0.0, 3.0];
        let mut y = [0.0; 3];
        Activation::Relu.forward(&x, &mut y);
        assert_eq!(y, [0.0, 0.0, 3.0]);
        Activation::LeakyRelu(0.2).forward(&x, &mut y);
        assert_eq!(y, [-0.4, 0.0, 3.0]);
        let mut dx = [0.0; 3];
        Activation::LeakyRelu(0.2).backward(&y, &[1.0, 1.0, 1.0], &mut dx);
        assert_eq!(dx, [0.2, 0.2, 1.0]);
        Activation::Sigmoid.forward(&[0.0], &mut y[..1]);
        assert_eq!(y[0], 0.5);
    }
}
