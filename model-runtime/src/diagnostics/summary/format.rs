//! The summary's cells as text, rounded from the Monte Carlo error (ArviZ's
//! `summary(round_to="auto")` rules; see [`Summary`](super::Summary)).

/// `x` rounded to `digits` significant digits (ArviZ's `round_num(x, "2g")`).
pub(super) fn round_significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    round_decimals(x, digits - x.abs().log10().floor() as i32 - 1)
}

/// `x` rounded to `decimals` places (negative: to tens, hundreds, ...), as Python's `round`.
fn round_decimals(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals.abs());
    if decimals >= 0 {
        (x * scale).round() / scale
    } else {
        (x / scale).round() * scale
    }
}

/// The mean to the decimal place of twice its MCSE (ArviZ's `get_decimal_places_from_se`);
/// in scientific notation when that place is left of the decimal point.
pub(super) fn format_mean(mean: f64, mcse: f64) -> String {
    if !mean.is_finite() {
        return format!("{mean}");
    }
    if !mcse.is_finite() {
        return general(round_significant(mean, 2));
    }
    let two_se = 2.0 * mcse;
    let magnitude = if two_se == 0.0 {
        0
    } else {
        two_se.abs().log10().floor() as i32
    };
    if magnitude > 0 {
        return format!("{mean:.2e}");
    }
    general(round_decimals(mean, -magnitude))
}

/// ESS rounded down to an integer.
pub(super) fn format_ess(ess: f64) -> String {
    if ess.is_finite() {
        format!("{}", ess.floor())
    } else {
        format!("{ess}")
    }
}

/// A number as C's `%g` prints it (six significant digits, no trailing zeros, scientific
/// notation below 1e-4 and from 1e6), which shows a rounded value exactly.
pub(super) fn general(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let exponent = x.abs().log10().floor() as i32;
    let trim = |s: String| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if !(-4..6).contains(&exponent) {
        let s = format!("{x:.5e}");
        let (mantissa, exp) = s.split_once('e').expect("scientific notation");
        return format!("{}e{exp}", trim(mantissa.to_string()));
    }
    let decimals = (5 - exponent).max(0) as usize;
    trim(format!("{x:.decimals$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_rounded_as_arviz_rounds_them() {
        // Expected strings printed by arviz_stats 1.3.3's `get_decimal_places_from_se`,
        // `round_num(x, "2g")` and Python's `%g` on the same numbers.
        let means = [
            ((4.387, 0.054), "4.4"),
            ((0.017634, 0.0004), "0.0176"),
            ((-0.00123456, 0.0000071), "-0.00123"),
            ((5.0, 0.13), "5"),
            ((2.0, 0.0), "2"),
        ];
        for ((mean, mcse), expected) in means {
            assert_eq!(
                format_mean(mean, mcse),
                expected,
                "mean {mean}, mcse {mcse}"
            );
        }
        let two_significant = [
            (0.017634, "0.018"),
            (3.2712, "3.3"),
            (10.04, "10"),
            (1234.5, "1200"),
            (-0.9234, "-0.92"),
            (0.00001234, "1.2e-5"),
        ];
        for (x, expected) in two_significant {
            assert_eq!(general(round_significant(x, 2)), expected, "{x}");
        }
        assert_eq!(format_ess(1989.9), "1989");
    }
}
