//! Qdiscs: the typed view of RTM_NEWQDISC and the qdisc operations of a
//! [`Handle`] (list, add, replace, change, del), encoded as `tc qdisc` does.

use super::kinds::{self, Ctx, DecodeCtx};
use super::{LinkNames, Obj, Stats, TcMsg, Verb, core, dev_word, field_err, kind_attr, tca};
use crate::engine::error::{Error, Result};
use crate::engine::handle::Handle;
use crate::engine::schema::tc::{self as S};
use crate::engine::schema::{self, Attrs, FieldError, Fields, Opt, Resolver, Value};
use crate::units::{self, TC_H_INGRESS, TC_H_ROOT};

/// A qdisc as the kernel reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Qdisc {
    /// Interface index.
    pub ifindex: u32,
    /// Major number in the high 16 bits ("1:" is 0x10000).
    pub handle: u32,
    /// TC_H_ROOT, TC_H_INGRESS, or the class it hangs from.
    pub parent: u32,
    /// tcm_info: the kernel's reference count.
    pub refcnt: u32,
    /// Qdisc kind (`htb`, `tbf`, `netem`...).
    pub kind: String,
    /// Counters (TCA_STATS2).
    pub stats: Stats,
    /// Every TCA_* attribute; TCA_OPTIONS decoded with the kind's table.
    pub attrs: Attrs,
}

impl Qdisc {
    /// Parse an RTM_NEWQDISC payload.
    pub fn parse(p: &[u8]) -> std::result::Result<Qdisc, &'static str> {
        Qdisc::from_msg(TcMsg::parse(Obj::Qdisc, p)?)
    }

    fn from_msg(m: TcMsg) -> std::result::Result<Qdisc, &'static str> {
        Ok(Qdisc { ifindex: m.ifindex, handle: m.handle, parent: m.parent, refcnt: m.info, stats: m.stats(), kind: m.kind, attrs: m.attrs })
    }

    /// TCA_OPTIONS as decoded by the kind's table (raw bytes for unknown kinds).
    pub fn options_value(&self) -> Option<&Value> {
        self.attrs.value(S::TCA_OPTIONS)
    }

    /// The kind's options in the words `qdisc.add` takes.
    pub fn options(&self, names: &dyn LinkNames) -> Vec<(String, Opt)> {
        let ctx = DecodeCtx { psched: core::psched(), names, protocol: 0 };
        match self.options_value() {
            Some(v) => kinds::decode(Obj::Qdisc, &self.kind, v, &ctx),
            None => Vec::new(),
        }
    }

    /// The whole `qdisc.add` table that recreates this qdisc on device `dev`.
    pub fn to_opts(&self, dev: &str, names: &dyn LinkNames) -> Vec<(String, Opt)> {
        let mut m = vec![
            ("dev".to_string(), Opt::Str(dev.to_string())),
            ("parent".to_string(), Opt::Str(self.parent_name())),
            ("handle".to_string(), Opt::Str(units::format_qdisc_handle(self.handle))),
            ("kind".to_string(), Opt::Str(self.kind.clone())),
        ];
        if let Some(e) = super::Estimator::from_attrs(&self.attrs) {
            m.push(("estimator".to_string(), e.to_opt()));
        }
        for b in [S::TCA_INGRESS_BLOCK, S::TCA_EGRESS_BLOCK] {
            if let Some(v) = self.attrs.uint(b).filter(|v| *v != 0) {
                let k = if b == S::TCA_INGRESS_BLOCK { "ingress_block" } else { "egress_block" };
                m.push((k.to_string(), Opt::Int(v as i64)));
            }
        }
        m.extend(self.options(names));
        m
    }

    /// "root", or the parent class id ("1:10", "ffff:fff1").
    pub fn parent_name(&self) -> String {
        units::format_classid(self.parent)
    }

    /// "1:".
    pub fn handle_name(&self) -> String {
        units::format_qdisc_handle(self.handle)
    }
}

/// Which qdiscs a list returns.
#[derive(Debug, Clone, Default)]
pub struct QdiscFilter {
    /// Interface index.
    pub ifindex: Option<u32>,
    /// Handle (major << 16 | minor).
    pub handle: Option<u32>,
    /// Parent handle (TC_H_ROOT, TC_H_INGRESS, or a class).
    pub parent: Option<u32>,
    /// Only qdiscs of this kind.
    pub kind: Option<String>,
}

impl QdiscFilter {
    /// Parse `qdisc.list{dev=, handle=, parent=, kind=}`.
    pub fn from_opts(map: &[(String, Opt)], res: &dyn Resolver) -> std::result::Result<QdiscFilter, FieldError> {
        let mut f = Fields::new(map, "");
        let q = QdiscFilter {
            ifindex: f.ifindex("dev", res)?,
            handle: f.parsed("handle", "a qdisc handle like \"1:\"", units::parse_qdisc_handle)?,
            parent: f.parsed("parent", "a parent like \"root\" or \"1:10\"", |s| super::parse_parent(s, Obj::Qdisc))?,
            kind: f.str("kind")?,
        };
        f.finish([])?;
        Ok(q)
    }
}

/// A qdisc to add, replace, change or delete.
#[derive(Debug, Clone, Default)]
pub struct QdiscSpec {
    /// Interface index.
    pub ifindex: u32,
    /// Parent handle (TC_H_ROOT, TC_H_INGRESS, or a class).
    pub parent: u32,
    /// Handle (major << 16 | minor).
    pub handle: u32,
    /// Qdisc kind (`htb`, `tbf`, `netem`...).
    pub kind: Option<String>,
    /// TCA_OPTIONS, encoded from the kind's options.
    pub options: Option<Value>,
    /// Shared ingress block index.
    pub ingress_block: Option<u32>,
    /// Shared egress block index.
    pub egress_block: Option<u32>,
    /// TCA_RATE: a rate estimator for the stats.
    pub estimator: Option<super::Estimator>,
}

/// Fields every `qdisc.add` takes besides the kind's options.
pub const QDISC_FIELDS: &[&str] = &["dev", "parent", "handle", "kind", "estimator", "ingress_block", "egress_block"];

/// Check a kind word and suggest a known one for a typo.
pub(crate) fn check_kind(f: &Fields<'_>, obj: Obj, kind: &str) -> std::result::Result<(), FieldError> {
    let ok = !kind.is_empty() && kind.len() < 16 && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !ok {
        return Err(field_err(&f.path("kind"), format!("expected {} kind like \"htb\", got {kind:?}", obj.word())));
    }
    Ok(())
}

/// A kind's options failed on a required option that a misspelt key was
/// meant to give (`rat` for `rate`): report the misspelling, the real mistake.
pub(crate) fn typo_of_missing(e: FieldError, f: &Fields<'_>) -> FieldError {
    let missing = e.0.strip_prefix("field '").and_then(|r| r.strip_suffix("' is required"));
    let Some(name) = missing.filter(|n| !n.contains('.')) else { return e };
    match f.rest().iter().find(|(k, _)| schema::did_you_mean(k, [name]).is_some()) {
        Some((k, _)) => schema::unknown_option(k, [name]),
        None => e,
    }
}

/// Options given for a kind nlua has no table for.
pub(crate) fn unknown_kind_options(f: &Fields<'_>, obj: Obj, kind: &str, common: &[&'static str]) -> std::result::Result<(), FieldError> {
    if let Some((k, _)) = f.rest().first() {
        if let Some(s) = schema::did_you_mean(k, common.iter().copied()) {
            return Err(schema::unknown_option(k, [s]));
        }
        return Err(FieldError(format!(
            "unknown option '{k}' (nlua has no option table for {} kind '{kind}'; give its TCA_OPTIONS as 'raw')",
            obj.word()
        )));
    }
    Ok(())
}

impl QdiscSpec {
    /// Parse `qdisc.add`/`replace`/`change`/`del` options: `dev`, `parent`
    /// ("root" when neither parent nor handle is given), `handle`, `kind`,
    /// the kind's options, `ingress_block`, `egress_block`. Kinds ingress and
    /// clsact default to parent ffff:fff1 and handle ffff:.
    pub fn from_opts(map: &[(String, Opt)], verb: Verb, res: &dyn Resolver) -> std::result::Result<QdiscSpec, FieldError> {
        let mut f = Fields::new(map, "");
        let ifindex = super::dev_field(&mut f, res)?;
        let mut kind = f.str("kind")?;
        let parent = f.parsed("parent", "a parent like \"root\", \"ingress\", \"clsact\" or \"1:10\"", |s| {
            super::parse_parent(s, Obj::Qdisc)
        })?;
        let handle = f.parsed("handle", "a qdisc handle like \"1:\" or \"ffff:\"", units::parse_qdisc_handle)?;
        // `parent = "ingress"` / "clsact" names the kind too, as in tc.
        if kind.is_none()
            && let Some(Opt::Str(p)) = map.iter().find(|(k, _)| k == "parent").map(|(_, v)| v)
                && (p == "ingress" || p == "clsact") {
                    kind = Some(p.clone());
                }
        if let Some(k) = &kind {
            check_kind(&f, Obj::Qdisc, k)?;
        }
        let special = matches!(kind.as_deref(), Some("ingress" | "clsact"));
        let parent = match parent {
            Some(p) => p,
            None if special => TC_H_INGRESS,
            // a handle names the qdisc wherever it is, as in tc
            None if matches!(verb, Verb::Del | Verb::Change) && handle.is_some() => 0,
            None => TC_H_ROOT,
        };
        let handle = handle.unwrap_or(if special { 0xffff_0000 } else { 0 });
        if matches!(verb, Verb::Add | Verb::Replace) && kind.is_none() {
            return Err(f.missing("kind"));
        }
        let estimator = super::Estimator::field(&mut f)?;
        let ingress_block = f.u32("ingress_block")?;
        let egress_block = f.u32("egress_block")?;
        let mut options = None;
        if let Some(k) = &kind
            && verb != Verb::Del {
                let ctx = Ctx { res, psched: core::psched(), protocol: 0, keep: Default::default() };
                options = kinds::encode(Obj::Qdisc, k, &mut f, &ctx).map_err(|e| typo_of_missing(e, &f))?;
                if !kinds::known(Obj::Qdisc, k) {
                    unknown_kind_options(&f, Obj::Qdisc, k, QDISC_FIELDS)?;
                }
            }
        f.finish(QDISC_FIELDS.iter().copied())?;
        Ok(QdiscSpec { ifindex, parent, handle, kind, options, ingress_block, egress_block, estimator })
    }

    /// The spec that names an existing qdisc (to delete or re-add it).
    pub fn from_qdisc(q: &Qdisc) -> QdiscSpec {
        QdiscSpec {
            ifindex: q.ifindex,
            parent: q.parent,
            handle: q.handle,
            kind: Some(q.kind.clone()),
            options: q.options_value().cloned(),
            ingress_block: q.attrs.uint(S::TCA_INGRESS_BLOCK).map(|v| v as u32).filter(|v| *v != 0),
            egress_block: q.attrs.uint(S::TCA_EGRESS_BLOCK).map(|v| v as u32).filter(|v| *v != 0),
            estimator: super::Estimator::from_attrs(&q.attrs),
        }
    }

    /// The tc words of this request (`qdisc add dev v0 root handle 1: htb`).
    pub fn words(&self, h: &Handle, verb: Verb) -> String {
        let mut o = format!("qdisc {} {}", verb.word(), dev_word(h, self.ifindex));
        match self.parent {
            TC_H_ROOT => o.push_str(" root"),
            TC_H_INGRESS if matches!(self.kind.as_deref(), Some("ingress" | "clsact")) => {}
            0 => {}
            p => o.push_str(&format!(" parent {}", units::format_classid(p))),
        }
        if self.handle != 0 {
            o.push_str(&format!(" handle {}", units::format_qdisc_handle(self.handle)));
        }
        if let Some(k) = &self.kind {
            o.push(' ');
            o.push_str(k);
        }
        o
    }

    /// The request's payload (after the netlink header), for byte comparisons.
    pub fn payload(&self, verb: Verb) -> Vec<u8> {
        self.message(verb).payload().to_vec()
    }

    /// The request for `verb` on this object.
    pub fn message(&self, verb: Verb) -> crate::engine::message::MsgBuilder {
        let (new, del, _) = Obj::Qdisc.msg_types();
        let mut attrs = Vec::new();
        if let Some(k) = &self.kind {
            attrs.push(kind_attr(Obj::Qdisc, k));
        }
        if let Some(e) = self.estimator.filter(|_| verb != Verb::Del) {
            attrs.push(e.attr(Obj::Qdisc));
        }
        if let Some(b) = self.ingress_block {
            attrs.push(tca(Obj::Qdisc, S::TCA_INGRESS_BLOCK, Value::U(b as u64)));
        }
        if let Some(b) = self.egress_block {
            attrs.push(tca(Obj::Qdisc, S::TCA_EGRESS_BLOCK, Value::U(b as u64)));
        }
        if verb != Verb::Del
            && let Some(o) = &self.options {
                attrs.push(tca(Obj::Qdisc, S::TCA_OPTIONS, o.clone()));
            }
        let ty = if verb == Verb::Del { del } else { new };
        super::request(ty, verb, self.ifindex, self.handle, self.parent, 0, &attrs)
    }
}

/// Make the kernel's answers about an unknown kind or a missing parent name
/// the field they are about (the errno and the kernel's text stay).
pub(crate) fn explain_kind(e: Error, obj: Obj, kind: Option<&str>, verb: Verb) -> Error {
    let m = e.message.as_str();
    let unknown_kind = m.contains("kind is unknown") || m.contains("classifier not found");
    let missing_parent = m.contains("Failed to find specified qdisc")
        || m.contains("Specified class not found")
        || m.contains("Parent Qdisc doesn't exist")
        || m.contains("Specified class doesn't exist");
    match kind {
        Some(k) if unknown_kind => {
            let hint = match schema::did_you_mean(k, kinds::known_kinds(obj)) {
                Some(s) if s != k => format!(" (did you mean '{s}'?)"),
                _ => String::new(),
            };
            Error { message: format!("field 'kind': this kernel has no {} kind {k:?}{hint}: {}", obj.word(), e.message), ..e }
        }
        _ if missing_parent => Error { message: format!("field 'parent': {}", e.message), ..e },
        // the kernel says only ENOENT: about the class itself when deleting
        // or changing it, else about the qdisc it would hang from
        _ if obj == Obj::Class && e.errno == nix::libc::ENOENT && e.message == crate::engine::error::strerror(e.errno) => {
            let field = if matches!(verb, Verb::Del | Verb::Change) { "field 'classid': no such class" } else { "field 'parent': no such qdisc or class" };
            Error { message: format!("{field} ({})", e.message), ..e }
        }
        _ => e,
    }
}

impl Handle {
    /// Qdiscs, filtered.
    pub fn qdisc_list(&self, f: &QdiscFilter) -> Result<Vec<Qdisc>> {
        let msgs = super::dump(self, Obj::Qdisc, f.ifindex.unwrap_or(0), 0, &[], "qdisc show")?;
        let mut out = Vec::new();
        for m in msgs {
            let q = Qdisc::from_msg(m).map_err(|e| Error::kernel(nix::libc::EPROTO, Some(e.into()), "qdisc show"))?;
            if f.ifindex.is_some_and(|i| q.ifindex != i)
                || f.handle.is_some_and(|h| q.handle != h)
                || f.parent.is_some_and(|p| q.parent != p)
                || f.kind.as_ref().is_some_and(|k| &q.kind != k)
            {
                continue;
            }
            out.push(q);
        }
        Ok(out)
    }

    /// Add, replace, change or delete a qdisc.
    pub fn qdisc_apply(&self, s: &QdiscSpec, verb: Verb) -> Result<()> {
        // The operation's words name the device, which takes another request:
        // build them only on failure, once the socket is free again.
        self.observed(crate::engine::change::Change::Qdisc(verb, s), || {
            self.request(s.message(verb), &String::new)
                .map_err(|e| explain_kind(e.with_op(s.words(self, verb)), Obj::Qdisc, s.kind.as_deref(), verb))
        })
    }

    /// Add a qdisc (EEXIST if one is there).
    pub fn qdisc_add(&self, s: &QdiscSpec) -> Result<()> {
        self.qdisc_apply(s, Verb::Add)
    }

    /// Add a qdisc or replace the one in its place.
    pub fn qdisc_replace(&self, s: &QdiscSpec) -> Result<()> {
        self.qdisc_apply(s, Verb::Replace)
    }

    /// Change the options of an existing qdisc.
    pub fn qdisc_change(&self, s: &QdiscSpec) -> Result<()> {
        self.qdisc_apply(s, Verb::Change)
    }

    /// Delete a qdisc.
    pub fn qdisc_del(&self, s: &QdiscSpec) -> Result<()> {
        self.qdisc_apply(s, Verb::Del)
    }
}
