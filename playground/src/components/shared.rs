//! A value App computed, handed to components: equal when it is the same value, so a
//! component re-renders only when App computed a new one (and the value is never copied).

use std::ops::Deref;
use std::rc::Rc;

pub struct Shared<T>(pub Rc<T>);

/// A "line N" button that selects line `line` of the paste (trace and firewall steps).
pub fn line_link(jump: &yew::Callback<usize>, line: usize) -> yew::Html {
    let jump = jump.clone();
    yew::html! {
        <button type="button" class="line-link" onclick={yew::Callback::from(move |_: yew::MouseEvent| jump.emit(line))} aria-label={format!("Go to line {line}")}>{format!("line {line}")}</button>
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
