//! Numbers as the page prints them: short, with a typographic minus.

/// A value for a legend or summary: up to four significant digits, scientific notation
/// outside 0.001–9999, `−` for negatives. `-0` prints as `0`.
pub fn number(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs();
    let text = if !(1e-3..1e4).contains(&magnitude) {
        let formatted = format!("{magnitude:.2e}");
        match formatted.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
            None => formatted,
        }
    } else {
        let decimals = (3 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
        trim_zeros(&format!("{magnitude:.decimals$}")).to_string()
    };
    if value < 0.0 {
        format!("−{text}")
    } else {
        text
    }
}

/// A count in en-US style, with a comma between thousands: `123,456`.
pub fn grouped(count: u64) -> String {
    let digits = count.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::{grouped, number};

    #[test]
    fn prints_short_numbers() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(-2.3137), "−2.314");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(7.5), "7.5");
        assert_eq!(number(1234.6), "1235");
        assert_eq!(number(8e30), "8e30");
        assert_eq!(number(-1.25e-5), "−1.25e-5");
        assert_eq!(number(12345.0), "1.23e4");
    }

    #[test]
    fn groups_thousands_like_en_us() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(123_456), "123,456");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
