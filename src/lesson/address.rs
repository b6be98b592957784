//! How the lesson reaches the address bar: one history entry per settled change, so Back
//! and Forward walk through edits, not keystrokes. The page calls [`AddressBar::settle`] once
//! the settings have been still for a moment and does what it answers.

use super::same_but_place;

/// What to do with the address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// It already says this lesson.
    Keep,
    /// Rewrite the current history entry.
    Replace(String),
    /// A new history entry.
    Push(String),
}

/// What the address says now, as far as the page wrote or read it.
#[derive(Clone, Debug, Default)]
pub struct AddressBar {
    shown: Option<String>,
    /// A lesson was just opened from the address: the next change is how the page applied
    /// it (a step past the end, a picture not in the link), not an edit.
    fresh: bool,
}

impl AddressBar {
    /// The page opened the lesson of the address (on load, or Back and Forward), whose
    /// query is `query` (as it was: it may be empty, or name fields the page refused).
    pub fn opened(&mut self, query: String) {
        self.shown = Some(query);
        self.fresh = true;
    }

    /// How the settled lesson `query` reaches the address: an edit is a new entry;
    /// moving through a step-through, presenter mode, and the first write after an
    /// opening rewrite the current one.
    pub fn settle(&mut self, query: String) -> Write {
        let write = match &self.shown {
            Some(shown) if *shown == query => Write::Keep,
            Some(shown) if !self.fresh && !same_but_place(shown, &query) => {
                Write::Push(query.clone())
            }
            _ => Write::Replace(query.clone()),
        };
        self.shown = Some(query);
        self.fresh = false;
        write
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_entries_and_moves_rewrite_the_current_one() {
        let mut bar = AddressBar::default();
        bar.opened("v=1&stride=1".into());
        assert_eq!(bar.settle("v=1&stride=1".into()), Write::Keep);
        assert_eq!(
            bar.settle("v=1&stride=2".into()),
            Write::Push("v=1&stride=2".into())
        );
        assert_eq!(bar.settle("v=1&stride=2".into()), Write::Keep);
        assert!(matches!(
            bar.settle("v=1&stride=2&step=1&speed=2".into()),
            Write::Push(_)
        ));
        assert!(matches!(
            bar.settle("v=1&stride=2&step=9&speed=2".into()),
            Write::Replace(_)
        ));
        assert!(matches!(
            bar.settle("v=1&stride=2&step=9&speed=10&presenter".into()),
            Write::Replace(_)
        ));
        assert!(matches!(bar.settle("v=1&stride=2".into()), Write::Push(_)));
    }

    #[test]
    fn the_first_change_after_an_opening_rewrites_the_entry() {
        let mut bar = AddressBar::default();
        bar.opened("v=1&sample=own".into());
        assert_eq!(
            bar.settle("v=1&sample=cat".into()),
            Write::Replace("v=1&sample=cat".into())
        );
        assert!(matches!(
            bar.settle("v=1&sample=coffee".into()),
            Write::Push(_)
        ));
    }

    #[test]
    fn without_an_opening_the_first_write_replaces() {
        let mut bar = AddressBar::default();
        assert!(matches!(bar.settle("v=1".into()), Write::Replace(_)));
    }
}
