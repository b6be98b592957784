//! Optimizers: SGD with momentum and Adam, updating all parameters in one pass over the
//! network's contiguous parameter buffer.

use super::error::NnError;
use super::spec::Optimizer;

/// An optimizer with its per-parameter state.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizerState {
    config: Optimizer,
    /// SGD: the velocity. Adam: the first moment.
    first: Vec<f32>,
    /// Adam: the second moment.
    second: Vec<f32>,
    /// β₁ᵗ and β₂ᵗ for Adam's bias correction.
    beta_powers: (f64, f64),
}

fn check(ok: bool, message: impl FnOnce() -> String) -> Result<(), NnError> {
    if ok {
        Ok(())
    } else {
        Err(NnError::Hyperparameter(message()))
    }
}

impl OptimizerState {
    /// Checks the hyperparameters and sets up the state for `parameters` values.
    pub fn new(config: Optimizer, parameters: usize) -> Result<OptimizerState, NnError> {
        let lr = config.learning_rate();
        check(lr.is_finite() && lr > 0.0, || {
            format!("the learning rate must be a positive number, not {lr}")
        })?;
        let (first, second) = match config {
            Optimizer::Sgd { momentum, .. } => {
                check((0.0..1.0).contains(&momentum), || {
                    format!("the momentum must be in [0, 1), not {momentum}")
                })?;
                (if momentum > 0.0 { parameters } else { 0 }, 0)
            }
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
                ..
            } => {
                for (name, beta) in [("β₁", beta1), ("β₂", beta2)] {
                    check((0.0..1.0).contains(&beta), || {
                        format!("Adam's {name} must be in [0, 1), not {beta}")
                    })?;
                }
                check(epsilon.is_finite() && epsilon > 0.0, || {
                    format!("Adam's ε must be a positive number, not {epsilon}")
                })?;
                (parameters, parameters)
            }
        };
        Ok(OptimizerState {
            config,
            first: vec![0.0; first],
            second: vec![0.0; second],
            beta_powers: (1.0, 1.0),
        })
    }

    pub fn config(&self) -> Optimizer {
        self.config
    }

    /// Changes the learning rate and keeps the momentum or moments, so a running
    /// training carries on with bigger or smaller steps.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<(), NnError> {
        check(learning_rate.is_finite() && learning_rate > 0.0, || {
            format!("the learning rate must be a positive number, not {learning_rate}")
        })?;
        match &mut self.config {
            Optimizer::Sgd {
                learning_rate: lr, ..
            }
            | Optimizer::Adam {
                learning_rate: lr, ..
            } => *lr = learning_rate,
        }
        Ok(())
    }

    /// Bytes of state held.
    pub fn memory_bytes(&self) -> usize {
        4 * (self.first.capacity() + self.second.capacity())
    }

    /// One update of `params` along `grads`.
    pub fn step(&mut self, params: &mut [f32], grads: &[f32]) {
        match self.config {
            Optimizer::Sgd {
                learning_rate,
                momentum,
            } => {
                if self.first.is_empty() {
                    for (p, &g) in params.iter_mut().zip(grads) {
                        *p -= learning_rate * g;
                    }
                } else {
                    for ((p, &g), v) in params.iter_mut().zip(grads).zip(&mut self.first) {
                        *v = momentum * *v + g;
                        *p -= learning_rate * *v;
                    }
                }
            }
            Optimizer::Adam {
                learning_rate,
                beta1,
                beta2,
                epsilon,
            } => {
                self.beta_powers.0 *= f64::from(beta1);
                self.beta_powers.1 *= f64::from(beta2);
                let step = (f64::from(learning_rate) / (1.0 - self.beta_powers.0)) as f32;
                let correction = (1.0 / (1.0 - self.beta_powers.1)) as f32;
                let moments = self.first.iter_mut().zip(&mut self.second);
                for ((p, &g), (m, v)) in params.iter_mut().zip(grads).zip(moments) {
                    *m = beta1 * *m + (1.0 - beta1) * g;
                    *v = beta2 * *v + (1.0 - beta2) * g * g;
                    *p -= step * *m / ((*v * correction).sqrt() + epsilon);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgd_with_momentum_follows_its_definition() {
        let config = Optimizer::Sgd {
            learning_rate: 0.5,
            momentum: 0.9,
        };
        let mut state = OptimizerState::new(config, 1).expect("valid");
        let mut p = [1.0f32];
        state.step(&mut p, &[2.0]); // v = 2, p = 1 − 1
        assert_eq!(p, [0.0]);
        state.step(&mut p, &[2.0]); // v = 3.8, p = 0 − 1.9
        assert!((p[0] + 1.9).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn adam_first_step_moves_by_the_learning_rate() {
        // With bias correction, Adam's first step is lr · g / (|g| + ε·…) ≈ lr · sign(g).
        let mut state = OptimizerState::new(Optimizer::adam(0.01), 2).expect("valid");
        let mut p = [0.0f32, 0.0];
        state.step(&mut p, &[3.0, -0.5]);
        assert!(
            (p[0] + 0.01).abs() < 1e-6 && (p[1] - 0.01).abs() < 1e-6,
            "{p:?}"
        );
    }

    #[test]
    fn a_new_learning_rate_keeps_the_velocity() {
        let sgd = Optimizer::Sgd {
            learning_rate: 0.5,
            momentum: 0.5,
        };
        let mut state = OptimizerState::new(sgd, 1).expect("valid");
        let mut p = [0.0f32];
        state.step(&mut p, &[2.0]); // v = 2, p = −1
        state.set_learning_rate(0.25).expect("valid");
        state.step(&mut p, &[2.0]); // v = 0.5·2 + 2 = 3, p = −1 − 0.75
        assert!((p[0] + 1.75).abs() < 1e-6, "{p:?}");
        for bad in [0.0, -1.0, f32::INFINITY, f32::NAN] {
            assert!(state.set_learning_rate(bad).is_err(), "{bad}");
        }
        assert_eq!(state.config().learning_rate(), 0.25);
    }

    #[test]
    fn bad_hyperparameters_are_refused() {
        for config in [
            Optimizer::Sgd {
                learning_rate: 0.0,
                momentum: 0.0,
            },
            Optimizer::Sgd {
                learning_rate: f32::NAN,
                momentum: 0.0,
            },
            Optimizer::Sgd {
                learning_rate: 0.1,
                momentum: 1.0,
            },
            Optimizer::Adam {
                learning_rate: 0.1,
                beta1: 0.9,
                beta2: 1.5,
                epsilon: 1e-8,
            },
        ] {
            assert!(
                matches!(
                    OptimizerState::new(config, 3),
                    Err(NnError::Hyperparameter(_))
                ),
                "{config:?}"
            );
        }
    }
}
