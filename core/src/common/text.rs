//! A stranger's text (from a link or a file) shown safely in a notice: short, and with
//! nothing invisible in it.

/// The longest piece of a stranger's text a notice repeats.
const SHOWN_CHARS: usize = 32;

/// `text` as a notice may repeat it: at most [`SHOWN_CHARS`] characters, with control and
/// invisible formatting characters (bidirectional overrides, zero-width marks) replaced,
/// so the notice reads as what it is. Markup needs nothing here: the page shows it as text.
pub fn shown(text: &str) -> String {
    let mut shown = visible(&text.chars().take(SHOWN_CHARS).collect::<String>());
    if text.chars().nth(SHOWN_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

/// `text` with control and invisible formatting characters replaced.
pub fn visible(text: &str) -> String {
    text.chars()
        .map(|c| if invisible(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Whether `text` is short enough to repeat whole in a notice, and has nothing invisible.
pub fn short_and_visible(text: &str) -> bool {
    text.chars().count() <= SHOWN_CHARS && !text.chars().any(invisible)
}

fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strangers_text_is_shown_short_and_visible() {
        assert_eq!(shown("abc"), "abc");
        assert_eq!(shown(&"x".repeat(40)), format!("{}…", "x".repeat(32)));
        assert_eq!(
            shown("a\u{202E}b\nc\u{200B}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
    }
}
