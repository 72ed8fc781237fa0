//! Classes: the typed view of RTM_NEWTCLASS and the class operations of a
//! [`Handle`] (list, add, replace, change, del), encoded as `tc class` does.

use super::kinds::{self, Ctx, DecodeCtx};
use super::qdisc::{check_kind, explain_kind, typo_of_missing, unknown_kind_options};
use super::{LinkNames, Obj, Stats, TcMsg, Verb, core, dev_word, kind_attr, tca};
use crate::engine::error::Result;
use crate::engine::handle::Handle;
use crate::engine::schema::tc::{self as S};
use crate::engine::schema::{self, Attrs, FieldError, Fields, Opt, Resolver, Value};
use crate::units::{self, TC_H_ROOT};

/// A class as the kernel reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Interface index.
    pub ifindex: u32,
    /// The class id ("1:10" is 0x10010).
    pub classid: u32,
    /// Parent handle (TC_H_ROOT, TC_H_INGRESS, or a class).
    pub parent: u32,
    /// The handle of the qdisc attached to the class (0: none, the default).
    pub leaf: u32,
    /// Class kind (`htb`).
    pub kind: String,
    /// Counters (TCA_STATS2).
    pub stats: Stats,
    /// Every attribute as read, the ones without a typed field included.
    pub attrs: Attrs,
}

impl Class {
    /// Parse an RTM_NEWTCLASS payload.
    pub fn parse(p: &[u8]) -> std::result::Result<Class, &'static str> {
        Ok(Class::from_msg(TcMsg::parse(Obj::Class, p)?))
    }

    fn from_msg(m: TcMsg) -> Class {
        Class { ifindex: m.ifindex, classid: m.handle, parent: m.parent, leaf: m.info, stats: m.stats(), kind: m.kind, attrs: m.attrs }
    }

    /// TCA_OPTIONS as decoded by the kind's table.
    pub fn options_value(&self) -> Option<&Value> {
        self.attrs.value(S::TCA_OPTIONS)
    }

    /// The kind's options in the words `class.add` takes.
    pub fn options(&self, names: &dyn LinkNames) -> Vec<(String, Opt)> {
        let ctx = DecodeCtx { psched: core::psched(), names, protocol: 0 };
        match self.options_value() {
            Some(v) => kinds::decode(Obj::Class, &self.kind, v, &ctx),
            None => Vec::new(),
        }
    }

    /// The whole `class.add` table that recreates this class on `dev`.
    pub fn to_opts(&self, dev: &str, names: &dyn LinkNames) -> Vec<(String, Opt)> {
        let mut m = vec![
            ("dev".to_string(), Opt::Str(dev.to_string())),
            ("parent".to_string(), Opt::Str(units::format_classid(self.parent))),
            ("classid".to_string(), Opt::Str(units::format_classid(self.classid))),
            ("kind".to_string(), Opt::Str(self.kind.clone())),
        ];
        if let Some(e) = super::Estimator::from_attrs(&self.attrs) {
            m.push(("estimator".to_string(), e.to_opt()));
        }
        m.extend(self.options(names));
        m
    }

    /// Kind-specific counters (htb: lends, borrows, giants, tokens, ctokens).
    pub fn xstats(&self) -> Vec<(&'static str, i64)> {
        let app = self.attrs.nested(S::TCA_STATS2).and_then(|s| s.value(S::TCA_STATS_APP));
        let raw = match (app, self.attrs.value(S::TCA_XSTATS)) {
            (Some(Value::Bytes(b)), _) | (None, Some(Value::Bytes(b))) => b,
            _ => return Vec::new(),
        };
        if self.kind != "htb" || raw.len() < S::HTB_XSTATS.size {
            return Vec::new();
        }
        match schema::decode_value(&schema::Type::Struct(&S::HTB_XSTATS), raw) {
            Value::Struct(_, f, _) => f
                .iter()
                .filter_map(|(n, v)| match v {
                    Value::U(x) => Some((*n, *x as i64)),
                    Value::I(x) => Some((*n, *x)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A class to add, replace, change or delete.
#[derive(Debug, Clone, Default)]
pub struct ClassSpec {
    /// Interface index.
    pub ifindex: u32,
    /// Parent handle (TC_H_ROOT, TC_H_INGRESS, or a class).
    pub parent: u32,
    /// Class id (major << 16 | minor).
    pub classid: u32,
    /// Class kind (`htb`).
    pub kind: Option<String>,
    /// The kind's options (TCA_OPTIONS), decoded.
    pub options: Option<Value>,
    /// TCA_RATE: a rate estimator for the stats.
    pub estimator: Option<super::Estimator>,
}

/// Fields every `class.add` takes besides the kind's options.
pub const CLASS_FIELDS: &[&str] = &["dev", "parent", "classid", "kind", "estimator"];

impl ClassSpec {
    /// Parse `class.add`/`replace`/`change`/`del` options: `dev`, `parent`
    /// ("1:" or "root"), `classid` ("1:10"), `kind`, the kind's options.
    pub fn from_opts(map: &[(String, Opt)], verb: Verb, res: &dyn Resolver) -> std::result::Result<ClassSpec, FieldError> {
        let mut f = Fields::new(map, "");
        let ifindex = super::dev_field(&mut f, res)?;
        let kind = f.str("kind")?;
        if let Some(k) = &kind {
            check_kind(&f, Obj::Class, k)?;
        }
        let parent = f.parsed("parent", "a parent like \"1:\" or \"1:10\"", units::parse_classid)?;
        let classid = f.parsed("classid", "a class id like \"1:10\"", units::parse_classid)?;
        if matches!(verb, Verb::Add | Verb::Replace) {
            if kind.is_none() {
                return Err(f.missing("kind"));
            }
            if classid.is_none() {
                return Err(f.missing("classid"));
            }
        }
        if verb == Verb::Del && classid.is_none() {
            return Err(f.missing("classid"));
        }
        let estimator = super::Estimator::field(&mut f)?;
        let mut options = None;
        if let (Some(k), true) = (&kind, verb != Verb::Del) {
            let ctx = Ctx { res, psched: core::psched(), protocol: 0, keep: Default::default() };
            options = kinds::encode(Obj::Class, k, &mut f, &ctx).map_err(|e| typo_of_missing(e, &f))?;
            if !kinds::known(Obj::Class, k) {
                unknown_kind_options(&f, Obj::Class, k, CLASS_FIELDS)?;
            }
        }
        f.finish(CLASS_FIELDS.iter().copied())?;
        let classid = classid.unwrap_or(0);
        // tc derives nothing; the kernel wants a parent for new classes: the qdisc of the class id.
        let parent = parent.unwrap_or(if verb == Verb::Del { 0 } else { classid & 0xffff_0000 });
        Ok(ClassSpec { ifindex, parent, classid, kind, options, estimator })
    }

    /// The spec that names an existing class.
    pub fn from_class(c: &Class) -> ClassSpec {
        ClassSpec {
            ifindex: c.ifindex,
            parent: c.parent,
            classid: c.classid,
            kind: Some(c.kind.clone()),
            options: c.options_value().cloned(),
            estimator: super::Estimator::from_attrs(&c.attrs),
        }
    }

    /// The tc words of this request (`class add dev v0 parent 1: classid 1:10 htb`).
    pub fn words(&self, h: &Handle, verb: Verb) -> String {
        let mut o = format!("class {} {}", verb.word(), dev_word(h, self.ifindex));
        match self.parent {
            TC_H_ROOT => o.push_str(" root"),
            0 => {}
            p => o.push_str(&format!(" parent {}", units::format_classid(p))),
        }
        o.push_str(&format!(" classid {}", units::format_classid(self.classid)));
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
        let (new, del, _) = Obj::Class.msg_types();
        let mut attrs = Vec::new();
        if let Some(k) = &self.kind {
            attrs.push(kind_attr(Obj::Class, k));
        }
        if let Some(e) = self.estimator.filter(|_| verb != Verb::Del) {
            attrs.push(e.attr(Obj::Class));
        }
        if verb != Verb::Del
            && let Some(o) = &self.options {
                attrs.push(tca(Obj::Class, S::TCA_OPTIONS, o.clone()));
            }
        let ty = if verb == Verb::Del { del } else { new };
        super::request(ty, verb, self.ifindex, self.classid, self.parent, 0, &attrs)
    }
}

impl Handle {
    /// The classes of device `ifindex` (of qdisc `qdisc` only, when given).
    pub fn class_list(&self, ifindex: u32, qdisc: Option<u32>) -> Result<Vec<Class>> {
        let msgs = super::dump(self, Obj::Class, ifindex, 0, &[], "class show")?;
        Ok(msgs
            .into_iter()
            .map(Class::from_msg)
            .filter(|c| c.ifindex == ifindex)
            .filter(|c| qdisc.is_none_or(|q| c.classid & 0xffff_0000 == q & 0xffff_0000))
            .collect())
    }

    /// Add, replace, change or delete a class.
    pub fn class_apply(&self, s: &ClassSpec, verb: Verb) -> Result<()> {
        // The operation's words name the device, which takes another request:
        // build them only on failure, once the socket is free again.
        self.observed(crate::engine::change::Change::Class(verb, s), || {
            self.request(s.message(verb), &String::new)
                .map_err(|e| explain_kind(e.with_op(s.words(self, verb)), Obj::Class, s.kind.as_deref(), verb))
        })
    }
}
