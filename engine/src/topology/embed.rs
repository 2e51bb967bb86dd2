//! A scenario handed over by an embedder that has no files: the pastes by host name, and the
//! node a flow starts from, checked against the scenario before anything is traced.

use super::model::{FlowSpec, LinuxHost, Scenario};
use super::preset;

impl Scenario {
    /// Puts each `(host, paste)` in as that Linux host's transcript: a declared host, or one
    /// the wizard generates (the paste then replaces the generated one). Refuses a name the
    /// scenario has no Linux host for, and a host left with only a `transcript_file`.
    pub fn use_transcripts(&mut self, pastes: Vec<(String, String)>) -> Result<(), String> {
        let linux: Vec<String> = if pastes.is_empty() { Vec::new() } else { preset::expand(self).hosts.into_iter().map(|h| h.name).collect() };
        for (name, paste) in pastes {
            if let Some(h) = self.hosts.iter_mut().find(|h| h.name == name) {
                h.transcript = Some(paste);
                h.transcript_file = None;
            } else if linux.contains(&name) {
                self.hosts.push(LinuxHost { name, transcript: Some(paste), ..LinuxHost::default() });
            } else {
                let have = if linux.is_empty() {
                    "it has none: declare one with [[host]] name = \"…\"".to_string()
                } else {
                    format!("its Linux hosts are {}", linux.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
                };
                return Err(format!("transcripts: the scenario has no Linux host named `{name}` ({have})"));
            }
        }
        match self.hosts.iter().find(|h| h.transcript.is_none() && h.transcript_file.is_some()) {
            Some(h) => Err(format!(
                "host `{0}` names transcript_file = \"{1}\", which cannot be read here: pass its paste as transcripts: {{ \"{0}\": \"…\" }} or write it into the scenario as transcript = \"\"\"…\"\"\"",
                h.name,
                h.transcript_file.as_deref().unwrap_or_default()
            )),
            None => Ok(()),
        }
    }

    /// Refuses a flow starting at a node the scenario does not have (a trace would report it
    /// as "no route"; a caller's typo is better told as an error).
    pub fn check_origin(&self, f: &FlowSpec) -> Result<(), String> {
        let Some(n) = &f.from_node else { return Ok(()) };
        let names = preset::expand(self).node_names();
        if names.iter().any(|x| x == n) {
            return Ok(());
        }
        let list: Vec<String> = names.iter().map(|x| format!("`{x}`")).collect();
        Err(format!("flow field `from_node`: the scenario has no node named `{n}` (its nodes are {})", list.join(", ")))
    }
}
