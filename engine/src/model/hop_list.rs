//! The list of a route's nexthops, sized for the one nexthop nearly every route has.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A route's nexthops: one, inline, for all but multipath routes (one allocation fewer per
/// route of a million-route table), else a boxed Vec. No bigger than a nexthop: the tag lives
/// in the nexthop's spare bits (its gateway's `Option` tag), where a `SmallVec` adds a word
/// for its length, and a boxed Vec is one word. Reads as a slice of nexthops.
#[derive(Clone)]
pub struct HopList<T>(Repr<T>);

#[derive(Clone)]
enum Repr<T> {
    One(T),
    /// None (a route without nexthops: no allocation), or several.
    #[expect(clippy::box_collection, reason = "one word where a Vec is three: beside a nexthop's bytes, not after them")]
    Many(Option<Box<Vec<T>>>),
}

impl<T> HopList<T> {
    pub const fn new() -> Self {
        HopList(Repr::Many(None))
    }

    const fn one(hop: T) -> Self {
        HopList(Repr::One(hop))
    }

    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            Repr::One(hop) => std::slice::from_ref(hop),
            Repr::Many(Some(hops)) => hops,
            Repr::Many(None) => &[],
        }
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        match &mut self.0 {
            Repr::One(hop) => std::slice::from_mut(hop),
            Repr::Many(Some(hops)) => hops,
            Repr::Many(None) => &mut [],
        }
    }

    pub fn push(&mut self, hop: T) {
        match &mut self.0 {
            Repr::Many(Some(hops)) => hops.push(hop),
            Repr::Many(None) => *self = HopList::one(hop),
            Repr::One(_) => {
                let Repr::One(first) = std::mem::replace(&mut self.0, Repr::Many(None)) else { unreachable!("matched One") };
                self.0 = Repr::Many(Some(Box::new(vec![first, hop])));
            }
        }
    }

    pub fn clear(&mut self) {
        self.0 = Repr::Many(None);
    }
}

impl<T> Default for HopList<T> {
    fn default() -> Self {
        HopList::new()
    }
}

/// The one nexthop (as `SmallVec::from([hop])`, which the wasm builds use).
impl<T> From<[T; 1]> for HopList<T> {
    fn from([hop]: [T; 1]) -> Self {
        HopList::one(hop)
    }
}

impl<T> From<Vec<T>> for HopList<T> {
    fn from(mut hops: Vec<T>) -> Self {
        match hops.len() {
            0 => HopList::new(),
            1 => HopList::one(hops.pop().expect("one")),
            _ => HopList(Repr::Many(Some(Box::new(hops)))),
        }
    }
}

impl<T> std::ops::Deref for HopList<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> std::ops::DerefMut for HopList<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T> FromIterator<T> for HopList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(hops: I) -> Self {
        let mut hops = hops.into_iter();
        match (hops.next(), hops.next()) {
            (None, _) => HopList::new(),
            (Some(hop), None) => HopList::one(hop),
            (Some(a), Some(b)) => HopList(Repr::Many(Some(Box::new([a, b].into_iter().chain(hops).collect())))),
        }
    }
}

impl<T> Extend<T> for HopList<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, hops: I) {
        for hop in hops {
            self.push(hop);
        }
    }
}

impl<'a, T> IntoIterator for &'a HopList<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<'a, T> IntoIterator for &'a mut HopList<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_mut_slice().iter_mut()
    }
}

impl<T: PartialEq> PartialEq for HopList<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for HopList<T> {}

impl<T: std::fmt::Debug> std::fmt::Debug for HopList<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// A sequence, as a Vec of nexthops would be.
impl<T: Serialize> Serialize for HopList<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for HopList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::deserialize(d).map(HopList::from)
    }
}

#[cfg(test)]
mod tests {
    use super::HopList;
    use crate::model::{NextHop, NextHops};

    #[test]
    fn is_no_bigger_than_a_nexthop() {
        assert_eq!(std::mem::size_of::<NextHops>(), std::mem::size_of::<NextHop>());
    }

    #[test]
    fn reads_as_the_slice_it_was_built_from() {
        for n in 0..4u32 {
            let pushed = (0..n).fold(HopList::new(), |mut l, i| {
                l.push(i);
                l
            });
            let want: Vec<u32> = (0..n).collect();
            assert_eq!(pushed.as_slice(), want.as_slice());
            assert_eq!((0..n).collect::<HopList<u32>>().as_slice(), want.as_slice());
            assert_eq!(HopList::from(want.clone()).as_slice(), want.as_slice());
            assert_eq!(serde_json::to_string(&pushed).unwrap(), serde_json::to_string(&want).unwrap());
            let read: HopList<u32> = serde_json::from_str(&serde_json::to_string(&want).unwrap()).unwrap();
            assert!(read == pushed);
        }
    }
}
