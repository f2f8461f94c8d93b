use model_runtime::prelude::*;

#[model]
fn improper_mixture(y: f64) {
    sample!(
        "y",
        Mixture::<ImproperUniform>::new(
            vec![0.5, 0.5],
            Components(vec![
                ImproperUniform::new(Support::Real),
                ImproperUniform::new(Support::Real)
            ]),
        ),
        obs = y
    );
}

fn main() {}
