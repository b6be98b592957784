//! The query string's text: splitting it into fields as browsers encode forms, escaping
//! values for an address, and listing choices in a notice.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What stays readable in a value: letters, digits and the marks kernels are written
/// with (`-1,0,1`, `1/9`, `2.5`). `+` is escaped, since forms read it as a space.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',')
    .remove(b'/');

/// `key=value` pairs joined into a query (without the `?`); an empty value is a bare flag.
pub fn join(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| {
            if value.is_empty() {
                key.to_string()
            } else {
                format!("{key}={}", utf8_percent_encode(value, ESCAPED))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The query's fields in order, decoded (`+` is a space, `%xx` a byte, invalid UTF-8
/// replaced), with or without the leading `?`.
pub fn split(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(query.strip_prefix('?').unwrap_or(query).as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
}

/// `a`, `a or b`, `a, b or c`.
pub fn either<T: ToString>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(T::to_string).collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_kernel_marks_readable_and_escape_the_rest() {
        let query = join(&[
            ("f1", "-1,0,1/9,2.5e-3".into()),
            ("b1", "1e+5".into()),
            ("name", "a b&c=d#e".into()),
            ("presenter", String::new()),
        ]);
        assert_eq!(
            query,
            "f1=-1,0,1/9,2.5e-3&b1=1e%2B5&name=a%20b%26c%3Dd%23e&presenter"
        );
        let back: Vec<(String, String)> = split(&format!("?{query}")).collect();
        assert_eq!(back[0], ("f1".into(), "-1,0,1/9,2.5e-3".into()));
        assert_eq!(back[1], ("b1".into(), "1e+5".into()));
        assert_eq!(back[2], ("name".into(), "a b&c=d#e".into()));
        assert_eq!(back[3], ("presenter".into(), String::new()));
    }

    #[test]
    fn lists_read_as_a_sentence() {
        assert_eq!(either(&[1]), "1");
        assert_eq!(either(&[1, 2]), "1 or 2");
        assert_eq!(either(&["a", "b", "c"]), "a, b or c");
    }
}
