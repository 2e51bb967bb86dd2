//! Reading a small, fixed JSON shape (a permalink's scenario, the scenario object the npm
//! API is handed back) field by field from a [`serde_json::Value`].
//!
//! Why not `#[derive(Deserialize)]`: the npm engine already carries serde_json's `Value`
//! reader (for pasted `ip -j` output), while typed deserializers bring their own visitors,
//! serde's error texts and, through them, the float printer and Unicode tables of `{:?}`,
//! more than the engine's size budget can carry (docs/size.md). The messages name
//! the field, e.g. "`hosts[0].text` should be a string, found a number".

use serde_json::{Map, Value};

/// The fields of one JSON object; `at` is its path for messages (`""` for the top level,
/// `"hosts[0]."` for an element).
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    at: String,
}

impl<'a> Fields<'a> {
    /// `what` names the value in the message when it is not an object ("the scenario").
    pub fn of(v: &'a Value, at: String, what: &str) -> Result<Self, String> {
        match v {
            Value::Object(map) => Ok(Fields { map, at }),
            other => Err(format!("{what} should be an object, found {}", kind(other))),
        }
    }

    /// A present, non-null field.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> String {
        format!("`{}{key}` should be {expected}, found {}", self.at, kind(found))
    }

    /// A string field; absent or `null` is `None`.
    pub fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    /// A string field that must be there.
    pub fn required_string(&self, key: &str) -> Result<String, String> {
        self.string(key)?.ok_or_else(|| format!("`{}{key}` is missing", self.at))
    }

    /// A non-negative integer field; absent or `null` is `None`.
    pub fn index(&self, key: &str) -> Result<Option<usize>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.as_u64().and_then(|n| usize::try_from(n).ok()) {
                Some(n) => Ok(Some(n)),
                None => Err(self.wrong(key, "a non-negative integer", v)),
            },
        }
    }

    /// An array field; absent or `null` is `None`.
    pub fn array(&self, key: &str) -> Result<Option<&'a [Value]>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(v) => Err(self.wrong(key, "an array", v)),
        }
    }

    /// The path of element `i` of array field `key`, as a prefix for its fields.
    pub fn element_path(&self, key: &str, i: usize) -> String {
        format!("{}{key}[{i}].", self.at)
    }
}

/// What a JSON value is, in words.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_read_and_name_the_wrong_one() {
        let v = json!({ "name": "vm", "n": 3, "hosts": [{ "text": 5 }], "gone": null });
        let f = Fields::of(&v, String::new(), "the scenario").unwrap();
        assert_eq!(f.string("name").unwrap().as_deref(), Some("vm"));
        assert_eq!(f.string("gone").unwrap(), None);
        assert_eq!(f.string("absent").unwrap(), None);
        assert_eq!(f.index("n").unwrap(), Some(3));
        assert_eq!(f.index("name").unwrap_err(), "`name` should be a non-negative integer, found a string");
        assert_eq!(f.required_string("absent").unwrap_err(), "`absent` is missing");
        let hosts = f.array("hosts").unwrap().unwrap();
        let h = Fields::of(&hosts[0], f.element_path("hosts", 0), "`hosts[0]`").unwrap();
        assert_eq!(h.string("text").unwrap_err(), "`hosts[0].text` should be a string, found a number");
        assert_eq!(Fields::of(&json!([1]), String::new(), "the scenario").err().unwrap(), "the scenario should be an object, found an array");
        assert_eq!(Fields::of(&v, String::new(), "x").unwrap().index("hosts").unwrap_err(), "`hosts` should be a non-negative integer, found an array");
        let neg = json!({ "n": -1, "f": 1.5 });
        let f = Fields::of(&neg, String::new(), "x").unwrap();
        assert!(f.index("n").is_err() && f.index("f").is_err());
    }
}
