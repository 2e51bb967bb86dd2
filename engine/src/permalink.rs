//! Permalinks: a whole scenario in a URL fragment as `v1:` + base64url(deflate(JSON)).
//!
//! Links come from anywhere, so decoding is defensive: the inflated size is capped (a
//! decompression bomb stops at the cap), and every failure is a [`PermalinkError`] that
//! says what was wrong.

use crate::json_fields::Fields;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// The prefix of the only format version so far.
pub const PREFIX: &str = "v1:";
/// The largest scenario a link may inflate to.
pub const MAX_INFLATED: usize = 4 * 1024 * 1024;
/// The longest link text accepted before any decoding work.
pub const MAX_LINK: usize = 2 * 1024 * 1024;

/// One host's paste, as a tab in the playground.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostPaste {
    pub name: String,
    pub text: String,
}

impl HostPaste {
    /// The hosts of array field `key` of a scenario's JSON object (`None` when absent); each
    /// needs its `name` and `text`.
    fn read_list(f: &Fields, key: &str) -> Result<Option<Vec<HostPaste>>, String> {
        let Some(items) = f.array(key)? else { return Ok(None) };
        let mut hosts = Vec::with_capacity(items.len());
        for (i, h) in items.iter().enumerate() {
            let at = f.element_path(key, i);
            let h = Fields::of(h, at.clone(), &format!("`{}`", at.trim_end_matches('.')))?;
            hosts.push(HostPaste { name: h.required_string("name")?, text: h.required_string("text")? });
        }
        Ok(Some(hosts))
    }
}

/// Everything a permalink restores (read back by [`Permalink::from_json`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Permalink {
    pub hosts: Vec<HostPaste>,
    /// The flow as `ip route get` arguments (`192.168.10.10 from 10.244.0.2 dport 53`).
    pub flow: String,
    /// The topology in its text form, when the scenario has one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub topology: String,
    /// The selected host tab and view, for the playground.
    pub selected: usize,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub view: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PermalinkError {
    #[error("the link is not a whyroute link: it should start with `v1:`")]
    UnknownVersion,
    #[error("the link is too long ({0} characters; at most {MAX_LINK})")]
    TooLong(usize),
    #[error("the link is damaged: it is not valid base64url (letters, digits, `-` and `_`)")]
    Base64,
    /// miniz's status says no more than that (bad data, checksum, cut short).
    #[error("the link is damaged or truncated: its compressed data does not inflate")]
    Inflate,
    #[error("the link inflates to more than {} MiB: refused", MAX_INFLATED / (1024 * 1024))]
    TooLarge,
    #[error("the link's scenario is not valid: {0}")]
    Json(String),
}

/// Encodes a scenario as `v1:…` (without the `#`).
pub fn encode(s: &Permalink) -> String {
    let json = serde_json::to_vec(s).expect("a scenario always serialises");
    let deflated = crate::deflate::deflate(&json);
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// Decodes `v1:…` (a leading `#` is allowed).
pub fn decode(link: &str) -> Result<Permalink, PermalinkError> {
    let link = link.trim().trim_start_matches('#');
    if link.len() > MAX_LINK {
        return Err(PermalinkError::TooLong(link.len()));
    }
    let body = link.strip_prefix(PREFIX).ok_or(PermalinkError::UnknownVersion)?;
    let bytes = URL_SAFE_NO_PAD.decode(body.trim_end_matches('=')).map_err(|_| PermalinkError::Base64)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_INFLATED).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => PermalinkError::TooLarge,
        _ => PermalinkError::Inflate,
    })?;
    // Text, not bytes: every JSON reader in the engine takes text (`json_text::read`).
    let text = String::from_utf8(json).map_err(|e| PermalinkError::Json(e.to_string()))?;
    Permalink::from_json(&text).map_err(PermalinkError::Json)
}

impl Permalink {
    /// Reads a scenario from its JSON text. Unknown fields are ignored (a newer writer may add
    /// some); absent ones take their defaults; each host needs its `name` and `text`.
    /// Field by field (`json_fields`), not `#[derive(Deserialize)]`: see that module for why.
    pub fn from_json(text: &str) -> Result<Permalink, String> {
        let f = ScenarioFields::from_value(&crate::json_text::read(text)?)?;
        Ok(Permalink {
            hosts: f.hosts.unwrap_or_default(),
            flow: f.flow.unwrap_or_default(),
            topology: f.topology.unwrap_or_default(),
            selected: f.selected.unwrap_or_default(),
            view: f.view.unwrap_or_default(),
        })
    }
}

/// A scenario object as a facade receives it back (what `parse` and `decodePermalink`
/// return, or the permalink's own fields): only the fields that matter on the way in; the host
/// model itself is recomputed from `text`, so it is never read.
#[derive(Debug, Default)]
pub struct ScenarioFields {
    pub text: Option<String>,
    pub name: Option<String>,
    pub flow: Option<String>,
    pub hosts: Option<Vec<HostPaste>>,
    pub selected: Option<usize>,
    pub topology: Option<String>,
    pub view: Option<String>,
}

impl ScenarioFields {
    /// The field names read, at every level (`hosts[i]` has `name` and `text`).
    pub const NAMES: [&str; 7] = ["text", "name", "flow", "hosts", "selected", "topology", "view"];

    /// Field by field from a JSON value (see `json_fields` for why not a derived Deserialize).
    pub fn from_value(v: &serde_json::Value) -> Result<ScenarioFields, String> {
        let f = Fields::of(v, String::new(), "the scenario")?;
        Ok(ScenarioFields {
            text: f.string("text")?,
            name: f.string("name")?,
            flow: f.string("flow")?,
            hosts: HostPaste::read_list(&f, "hosts")?,
            selected: f.index("selected")?,
            topology: f.string("topology")?,
            view: f.string("view")?,
        })
    }

    /// The paste: `text`, or for a permalink-shaped object (`{hosts, selected}`) without it,
    /// the selected host's (the first when `selected` is out of range).
    pub fn paste(&self) -> Option<String> {
        self.text.clone().or_else(|| self.hosts.as_ref().and_then(|h| h.get(self.selected.unwrap_or(0)).or(h.first())).map(|h| h.text.clone()))
    }

    /// The permalink of this scenario with `text` as its selected host's paste and `flow` (as
    /// `ip route get` arguments) when given, else the scenario's own flow.
    pub fn to_permalink(&self, text: String, flow: Option<String>) -> Permalink {
        let mut hosts = self.hosts.clone().unwrap_or_default();
        let selected = self.selected.unwrap_or(0);
        match hosts.get_mut(selected) {
            Some(h) => h.text = text,
            None => {
                hosts.clear();
                hosts.push(HostPaste { name: self.name.clone().unwrap_or_else(|| "host".into()), text });
            }
        }
        Permalink {
            selected: selected.min(hosts.len() - 1),
            hosts,
            flow: flow.or_else(|| self.flow.clone()).unwrap_or_default(),
            topology: self.topology.clone().unwrap_or_default(),
            view: self.view.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = Permalink {
            hosts: vec![HostPaste { name: "supervisor VM".into(), text: "ip rule show\n0: from all lookup local\n".into() }],
            flow: "192.168.10.10 dport 53".into(),
            ..Permalink::default()
        };
        let link = encode(&s);
        assert!(link.starts_with("v1:"));
        assert_eq!(decode(&link).unwrap(), s);
        assert_eq!(decode(&format!("#{link}")).unwrap(), s);
    }

    #[test]
    fn hostile_links() {
        assert_eq!(decode("garbage"), Err(PermalinkError::UnknownVersion));
        assert!(matches!(decode("v1:!!!"), Err(PermalinkError::Base64)));
        let link = encode(&Permalink::default());
        assert!(matches!(decode(&link[..link.len() - 3]), Err(PermalinkError::Inflate) | Err(PermalinkError::Json(_))));
        // 50 MB of zeros deflate to ~50 KB; decoding must stop at the cap.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 50 * 1024 * 1024], 9);
        let link = format!("v1:{}", URL_SAFE_NO_PAD.encode(bomb));
        assert_eq!(decode(&link), Err(PermalinkError::TooLarge));
        assert!(matches!(decode("v2:abc"), Err(PermalinkError::UnknownVersion)));
    }

    #[test]
    fn scenario_json_fields() {
        let s = Permalink::from_json(r#"{"hosts":[{"name":"a","text":"t"}],"flow":"1.1.1.1","selected":0,"future":true}"#).unwrap();
        assert_eq!(s, Permalink { hosts: vec![HostPaste { name: "a".into(), text: "t".into() }], flow: "1.1.1.1".into(), ..Permalink::default() });
        assert_eq!(Permalink::from_json("{}").unwrap(), Permalink::default());
        assert_eq!(Permalink::from_json(r#"{"hosts":[{"name":"a"}]}"#).unwrap_err(), "`hosts[0].text` is missing");
        assert_eq!(Permalink::from_json(r#"{"hosts":[7]}"#).unwrap_err(), "`hosts[0]` should be an object, found a number");
        assert_eq!(Permalink::from_json(r#"{"selected":"1"}"#).unwrap_err(), "`selected` should be a non-negative integer, found a string");
        assert_eq!(Permalink::from_json("[]").unwrap_err(), "the scenario should be an object, found an array");
        assert!(Permalink::from_json("{").is_err());
        // What encode writes, from_json reads back.
        let s = Permalink { topology: "x".into(), view: "topology".into(), selected: 1, hosts: vec![HostPaste::default(); 2], flow: "f".into() };
        assert_eq!(Permalink::from_json(&serde_json::to_string(&s).unwrap()).unwrap(), s);
    }
}
