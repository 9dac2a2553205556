//! The state's collections, remembering what changed since the journal last
//! took it (`State::take_changes`): a keyed map marks each key put or
//! removed, a list marks itself as a whole. They read like the map or `Vec`
//! they wrap (`Deref`); the only ways to change a map are the methods here,
//! which mark, so a change cannot escape the journal. They serialise as the
//! plain map or list, so state.json keeps its shape.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The operations `Tracked` needs from a map keyed by strings.
pub trait Keyed: Default {
    type Value;
    fn get_mut(&mut self, key: &str) -> Option<&mut Self::Value>;
    fn insert(&mut self, key: String, value: Self::Value) -> Option<Self::Value>;
    fn remove(&mut self, key: &str) -> Option<Self::Value>;
    fn retain(&mut self, keep: impl FnMut(&String, &mut Self::Value) -> bool);
    fn entry(&mut self, key: String, make: impl FnOnce() -> Self::Value) -> &mut Self::Value;
    fn clear(&mut self);
}

impl<V> Keyed for HashMap<String, V> {
    type Value = V;
    fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        HashMap::get_mut(self, key)
    }
    fn insert(&mut self, key: String, value: V) -> Option<V> {
        HashMap::insert(self, key, value)
    }
    fn remove(&mut self, key: &str) -> Option<V> {
        HashMap::remove(self, key)
    }
    fn retain(&mut self, keep: impl FnMut(&String, &mut V) -> bool) {
        HashMap::retain(self, keep)
    }
    fn entry(&mut self, key: String, make: impl FnOnce() -> V) -> &mut V {
        HashMap::entry(self, key).or_insert_with(make)
    }
    fn clear(&mut self) {
        HashMap::clear(self)
    }
}

impl<V> Keyed for BTreeMap<String, V> {
    type Value = V;
    fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        BTreeMap::get_mut(self, key)
    }
    fn insert(&mut self, key: String, value: V) -> Option<V> {
        BTreeMap::insert(self, key, value)
    }
    fn remove(&mut self, key: &str) -> Option<V> {
        BTreeMap::remove(self, key)
    }
    fn retain(&mut self, keep: impl FnMut(&String, &mut V) -> bool) {
        BTreeMap::retain(self, keep)
    }
    fn entry(&mut self, key: String, make: impl FnOnce() -> V) -> &mut V {
        BTreeMap::entry(self, key).or_insert_with(make)
    }
    fn clear(&mut self) {
        BTreeMap::clear(self)
    }
}

/// A map that remembers the keys put or removed (and whether it was
/// cleared) until `take_changes`.
#[derive(Debug, Default)]
pub struct Tracked<M> {
    map: M,
    changed: HashSet<String>,
    cleared: bool,
}

/// What a map's changes were: whether it was cleared first, then the keys
/// put or removed since (sorted, so journal entries are reproducible).
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub cleared: bool,
    pub keys: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.cleared && self.keys.is_empty()
    }
}

impl<M> Deref for Tracked<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.map
    }
}

impl<M: Keyed> Tracked<M> {
    /// The value under `key`, to change (marks it).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut M::Value> {
        match self.map.get_mut(key) {
            Some(value) => {
                self.changed.insert(key.to_string());
                Some(value)
            }
            None => None,
        }
    }

    pub fn insert(&mut self, key: String, value: M::Value) -> Option<M::Value> {
        self.changed.insert(key.clone());
        self.map.insert(key, value)
    }

    pub fn remove(&mut self, key: &str) -> Option<M::Value> {
        let removed = self.map.remove(key);
        if removed.is_some() {
            self.changed.insert(key.to_string());
        }
        removed
    }

    /// Keeps the entries `keep` accepts (seeing them, not changing them).
    pub fn retain(&mut self, mut keep: impl FnMut(&String, &M::Value) -> bool) {
        let changed = &mut self.changed;
        self.map.retain(|key, value| {
            let kept = keep(key, value);
            if !kept {
                changed.insert(key.clone());
            }
            kept
        });
    }

    /// The value under `key`, inserted by `make` when missing (marks it).
    pub fn entry_or_insert_with(
        &mut self,
        key: String,
        make: impl FnOnce() -> M::Value,
    ) -> &mut M::Value {
        self.changed.insert(key.clone());
        self.map.entry(key, make)
    }

    pub fn entry_or_default(&mut self, key: String) -> &mut M::Value
    where
        M::Value: Default,
    {
        self.entry_or_insert_with(key, Default::default)
    }

    pub fn clear(&mut self) {
        self.map.clear();
        self.changed.clear();
        self.cleared = true;
    }

    /// The keys changed since the last `take_changes`, without taking them.
    pub fn changed_keys(&self) -> impl Iterator<Item = &String> {
        self.changed.iter()
    }

    /// Whether the map was cleared since the last `take_changes`.
    pub fn was_cleared(&self) -> bool {
        self.cleared
    }

    /// Takes (and forgets) what changed.
    pub fn take_changes(&mut self) -> Changes {
        let mut keys: Vec<String> = self.changed.drain().collect();
        keys.sort_unstable();
        Changes {
            cleared: std::mem::take(&mut self.cleared),
            keys,
        }
    }

    /// Puts or removes without marking (replaying the journal).
    pub fn restore(&mut self, key: String, value: Option<M::Value>) {
        match value {
            Some(value) => {
                self.map.insert(key, value);
            }
            None => {
                self.map.remove(&key);
            }
        }
    }

    /// Mutable access without marking, for the journal taking the marks of
    /// a value that keeps its own (a usage day's delivery records).
    pub fn get_mut_unmarked(&mut self, key: &str) -> Option<&mut M::Value> {
        self.map.get_mut(key)
    }

    /// Clears without marking (replaying the journal).
    pub fn restore_clear(&mut self) {
        self.map.clear();
    }

    /// Mutable access without marking, for a value being replayed.
    pub fn restore_entry(&mut self, key: String, make: impl FnOnce() -> M::Value) -> &mut M::Value {
        self.map.entry(key, make)
    }
}

impl<M: Serialize> Serialize for Tracked<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de, M: Deserialize<'de>> Deserialize<'de> for Tracked<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Tracked {
            map: M::deserialize(deserializer)?,
            changed: HashSet::new(),
            cleared: false,
        })
    }
}

/// A list saved as a whole whenever it changed: any mutable access marks it.
/// For the account's short lists (custom metadata fields, saved extensions,
/// named transformations, origins, URL endpoints).
#[derive(Debug)]
pub struct Listed<T> {
    list: Vec<T>,
    changed: bool,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Listed {
            list: Vec::new(),
            changed: false,
        }
    }
}

impl<T> Listed<T> {
    /// Whether the list changed since the last call (and forgets it).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// Replaces the list without marking (replaying the journal).
    pub fn restore(&mut self, list: Vec<T>) {
        self.list = list;
    }
}

impl<T> Deref for Listed<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.list
    }
}

impl<T> DerefMut for Listed<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        self.changed = true;
        &mut self.list
    }
}

impl<T: Serialize> Serialize for Listed<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.list.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Listed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Listed {
            list: Vec::deserialize(deserializer)?,
            changed: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_is_marked_and_taken_once() {
        let mut map: Tracked<BTreeMap<String, u32>> = Tracked::default();
        map.insert("a".into(), 1);
        map.insert("b".into(), 2);
        map.insert("c".into(), 3);
        assert_eq!(map.take_changes().keys, ["a", "b", "c"]);
        assert!(map.take_changes().is_empty());
        assert!(map.get_mut("missing").is_none());
        *map.get_mut("a").unwrap() += 1;
        map.retain(|k, _| k != "b");
        map.remove("zz");
        *map.entry_or_default("d".into()) += 4;
        assert_eq!(map.take_changes().keys, ["a", "b", "d"]);
        map.insert("e".into(), 5);
        map.clear();
        map.insert("f".into(), 6);
        assert_eq!(
            map.take_changes(),
            Changes {
                cleared: true,
                keys: vec!["f".into()]
            }
        );
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"f":6}"#);
    }

    #[test]
    fn a_list_is_marked_by_any_mutable_access() {
        let mut list: Listed<u32> = serde_json::from_str("[1,2]").unwrap();
        assert!(!list.take_changed());
        assert_eq!(list.len(), 2);
        assert!(!list.take_changed(), "reading does not mark");
        list.push(3);
        assert!(list.take_changed());
        assert!(!list.take_changed());
        assert_eq!(serde_json::to_string(&list).unwrap(), "[1,2,3]");
    }
}
