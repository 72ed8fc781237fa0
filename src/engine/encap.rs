//! Lightweight-tunnel encapsulation of a route or nexthop (RTA_ENCAP_TYPE +
//! RTA_ENCAP): MPLS label stacks and IPv6 segment routing headers, encoded the
//! way `ip route ... encap mpls|seg6 ...` encodes them (ip/iproute_lwtunnel.c).
//! Other encap types are kept as attributes and re-encoded unchanged.

use std::net::Ipv6Addr;

use super::schema::route::{self as S, ENCAP_NAMES};
use super::schema::{self, FieldError, Fields, Opt, Value};

/// SEG6_IPTUN_MODE_*, named as ip names them.
pub const SEG6_MODES: &[(u32, &str)] = &[(0, "inline"), (1, "encap"), (2, "l2encap"), (3, "encap.red"), (4, "l2encap.red")];

/// SR6_FLAG1_HMAC and SR6_TLV_HMAC.
const SR6_FLAG1_HMAC: u8 = 0x08;
const SR6_TLV_HMAC: u8 = 5;
/// Bytes of struct sr6_tlv_hmac.
const HMAC_TLV_LEN: usize = 40;

/// An encapsulation.
#[derive(Debug, Clone, PartialEq)]
pub enum Encap {
    /// Push a label stack (outermost first) with an optional TTL.
    Mpls {
        /// Labels, outermost first.
        labels: Vec<u32>,
        /// TTL of the pushed labels.
        ttl: Option<u8>,
    },
    /// Segment routing header. `segs` are in path order as `ip` prints them;
    /// in inline mode the last one is the slot the kernel fills with the
    /// packet's destination (`::`).
    Seg6 {
        /// Encapsulation mode (SEG6_IPTUN_MODE_*).
        mode: u32,
        /// Segments, in path order.
        segs: Vec<Ipv6Addr>,
        /// HMAC key id.
        hmac: Option<u32>,
    },
    /// A type nlua has no typed view of: the RTA_ENCAP payload, kept for re-encoding.
    Other {
        /// Encapsulation type (LWTUNNEL_ENCAP_*).
        kind: u16,
        /// The RTA_ENCAP payload.
        payload: Vec<u8>,
    },
}

/// An MPLS label stack "100/200" as `ip` prints it.
pub fn labels_text(labels: &[u32]) -> String {
    labels.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("/")
}

fn mode_name(m: u32) -> String {
    SEG6_MODES.iter().find(|(k, _)| *k == m).map(|(_, n)| n.to_string()).unwrap_or_else(|| "<unknown>".into())
}

impl Encap {
    /// The RTA_ENCAP_TYPE value.
    pub fn kind(&self) -> u16 {
        match self {
            Encap::Mpls { .. } => S::LWTUNNEL_ENCAP_MPLS,
            Encap::Seg6 { .. } => S::LWTUNNEL_ENCAP_SEG6,
            Encap::Other { kind, .. } => *kind,
        }
    }

    /// The type word ("mpls", "seg6").
    pub fn kind_name(&self) -> String {
        let k = self.kind() as u64;
        ENCAP_NAMES.iter().find(|(i, _)| *i == k).map(|(_, n)| n.to_string()).unwrap_or_else(|| k.to_string())
    }

    /// The seg6 mode word, for seg6.
    pub fn seg6_mode(&self) -> Option<String> {
        match self {
            Encap::Seg6 { mode, .. } => Some(mode_name(*mode)),
            _ => None,
        }
    }

    /// Segments as a user gives them (inline mode's placeholder dropped).
    pub fn user_segs(&self) -> Vec<Ipv6Addr> {
        match self {
            Encap::Seg6 { mode: 0, segs, .. } if !segs.is_empty() => segs[..segs.len() - 1].to_vec(),
            Encap::Seg6 { segs, .. } => segs.clone(),
            _ => Vec::new(),
        }
    }

    /// Read an encap from RTA_ENCAP_TYPE and the RTA_ENCAP payload.
    pub fn decode(kind: u16, payload: &[u8]) -> Encap {
        let other = || Encap::Other { kind, payload: payload.to_vec() };
        match kind {
            S::LWTUNNEL_ENCAP_MPLS => {
                let a = schema::decode(&S::ENCAP_MPLS, payload);
                let Some(Value::Bytes(stack)) = a.value(S::MPLS_IPTUNNEL_DST) else { return other() };
                let mut labels = Vec::new();
                for c in stack.chunks_exact(4) {
                    let e = u32::from_be_bytes(c.try_into().unwrap());
                    labels.push(e >> 12);
                    if e & 0x100 != 0 {
                        break;
                    }
                }
                Encap::Mpls { labels, ttl: a.uint(S::MPLS_IPTUNNEL_TTL).map(|t| t as u8) }
            }
            S::LWTUNNEL_ENCAP_SEG6 => {
                let a = schema::decode(&S::ENCAP_SEG6, payload);
                let Some(Value::Bytes(t)) = a.value(S::SEG6_IPTUNNEL_SRH) else { return other() };
                if t.len() < 12 {
                    return other();
                }
                let mode = u32::from_ne_bytes(t[0..4].try_into().unwrap());
                let srh = &t[4..];
                let first = srh[4] as usize;
                let mut segs = Vec::new();
                for i in (0..=first).rev() {
                    let off = 8 + 16 * i;
                    match srh.get(off..off + 16) {
                        Some(b) => segs.push(Ipv6Addr::from(<[u8; 16]>::try_from(b).unwrap())),
                        None => return other(),
                    }
                }
                let hmac = if srh[5] & SR6_FLAG1_HMAC != 0 {
                    let off = ((srh[1] as usize + 1) << 3).saturating_sub(HMAC_TLV_LEN);
                    srh.get(off + 4..off + 8).map(|b| u32::from_be_bytes(b.try_into().unwrap()))
                } else {
                    None
                };
                Encap::Seg6 { mode, segs, hmac }
            }
            _ => other(),
        }
    }

    /// The RTA_ENCAP payload (the nested attributes).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Encap::Mpls { labels, ttl } => {
                let mut stack = Vec::with_capacity(labels.len() * 4);
                for (i, l) in labels.iter().enumerate() {
                    let mut e = l << 12;
                    if i + 1 == labels.len() {
                        e |= 0x100;
                    }
                    stack.extend_from_slice(&e.to_be_bytes());
                }
                super::message::put_attr(&mut out, S::MPLS_IPTUNNEL_DST, &stack);
                if let Some(t) = ttl {
                    super::message::put_attr(&mut out, S::MPLS_IPTUNNEL_TTL, &[*t]);
                }
            }
            Encap::Seg6 { mode, segs, hmac } => {
                let n = segs.len();
                let mut srh_len = 8 + 16 * n;
                if hmac.is_some() {
                    srh_len += HMAC_TLV_LEN;
                }
                let mut t = vec![0u8; 4 + srh_len];
                t[0..4].copy_from_slice(&mode.to_ne_bytes());
                let srh = &mut t[4..];
                srh[1] = ((srh_len >> 3) - 1) as u8;
                srh[2] = 4; // routing type 4: segment routing
                srh[3] = (n - 1) as u8;
                srh[4] = (n - 1) as u8;
                // Segments are stored last hop first.
                for (k, s) in segs.iter().enumerate() {
                    let i = n - 1 - k;
                    srh[8 + 16 * i..8 + 16 * i + 16].copy_from_slice(&s.octets());
                }
                if let Some(key) = hmac {
                    srh[5] |= SR6_FLAG1_HMAC;
                    let off = srh_len - HMAC_TLV_LEN;
                    srh[off] = SR6_TLV_HMAC;
                    srh[off + 1] = (HMAC_TLV_LEN - 2) as u8;
                    srh[off + 4..off + 8].copy_from_slice(&key.to_be_bytes());
                }
                super::message::put_attr(&mut out, S::SEG6_IPTUNNEL_SRH, &t);
            }
            Encap::Other { payload, .. } => out.extend_from_slice(payload),
        }
        out
    }

    /// Parse `encap={type="mpls", labels="100/200", ttl=}` or
    /// `encap={type="seg6", mode="encap", segs={...}, hmac=}`; `path` names the
    /// field in errors ("encap", "nexthops\[1\].encap").
    pub fn from_opt(v: &Opt, path: &str) -> Result<Encap, FieldError> {
        let Opt::Map(m) = v else {
            return Err(FieldError(format!(
                "field '{path}': expected table like {{type=\"mpls\", labels=\"100\"}}, got {}",
                v.describe()
            )));
        };
        let mut f = Fields::new(m, &format!("{path}."));
        let kind = match f.take("type") {
            Some(Opt::Str(s)) if s == "mpls" || s == "seg6" => s.clone(),
            Some(v) => return Err(f.expected("type", "\"mpls\" or \"seg6\"", v)),
            None => return Err(f.missing("type")),
        };
        let e = if kind == "mpls" {
            let labels = match f.take("labels") {
                None => return Err(f.missing("labels")),
                Some(v) => parse_labels(v)
                    .ok_or_else(|| f.expected("labels", "MPLS labels like \"100/200\" or {100, 200} (each < 2^20)", v))?,
            };
            let ttl = f.int("ttl", 0, 255)?.map(|t| t as u8);
            Encap::Mpls { labels, ttl }
        } else {
            let mode = match f.take("mode") {
                None => 1,
                Some(v @ Opt::Str(s)) => match SEG6_MODES.iter().find(|(_, n)| n == s) {
                    Some((k, _)) => *k,
                    None => {
                        return Err(f.expected(
                            "mode",
                            "one of \"encap\", \"inline\", \"l2encap\", \"encap.red\", \"l2encap.red\"",
                            v,
                        ));
                    }
                },
                Some(v) => return Err(f.expected("mode", "seg6 mode string", v)),
            };
            let mut segs = match f.take("segs") {
                None => return Err(f.missing("segs")),
                Some(v) => {
                    parse_segs(v).ok_or_else(|| f.expected("segs", "IPv6 segments like {\"2001:db8::1\", \"2001:db8::2\"}", v))?
                }
            };
            if mode == 0 {
                segs.push(Ipv6Addr::UNSPECIFIED);
            }
            if segs.len() > 128 {
                return Err(f.error("segs", "has more than 128 segments"));
            }
            let hmac = f.u32("hmac")?.filter(|k| *k != 0);
            Encap::Seg6 { mode, segs, hmac }
        };
        f.finish([])?;
        Ok(e)
    }

    /// The option tree that [`Encap::from_opt`] reads back to this encap.
    pub fn to_opt(&self) -> Opt {
        let mut m = vec![("type".to_string(), Opt::Str(self.kind_name()))];
        match self {
            Encap::Mpls { labels, ttl } => {
                m.push(("labels".into(), Opt::Str(labels_text(labels))));
                if let Some(t) = ttl {
                    m.push(("ttl".into(), Opt::Int(*t as i64)));
                }
            }
            Encap::Seg6 { mode, hmac, .. } => {
                m.push(("mode".into(), Opt::Str(mode_name(*mode))));
                m.push(("segs".into(), Opt::List(self.user_segs().iter().map(|s| Opt::Str(s.to_string())).collect())));
                if let Some(k) = hmac {
                    m.push(("hmac".into(), Opt::Int(*k as i64)));
                }
            }
            Encap::Other { payload, .. } => m.push(("payload".into(), Opt::Bytes(payload.clone()))),
        }
        Opt::Map(m)
    }
}

fn parse_labels(v: &Opt) -> Option<Vec<u32>> {
    let labels: Vec<u32> = match v {
        Opt::Str(s) => s.split('/').map(|p| p.trim().parse::<u32>().ok()).collect::<Option<_>>()?,
        Opt::List(items) => items.iter().map(|i| i.as_int().and_then(|n| u32::try_from(n).ok())).collect::<Option<_>>()?,
        _ => vec![u32::try_from(v.as_int()?).ok()?],
    };
    // An MPLS route carries at most 30 labels (MAX_NEW_LABELS in the kernel).
    if labels.is_empty() || labels.len() > 30 || labels.iter().any(|l| *l >= 1 << 20) {
        return None;
    }
    Some(labels)
}

fn parse_segs(v: &Opt) -> Option<Vec<Ipv6Addr>> {
    let parts: Vec<String> = match v {
        Opt::Str(s) => s.split(',').map(|p| p.trim().to_string()).collect(),
        Opt::List(items) => items.iter().map(|i| i.as_str().map(str::to_string)).collect::<Option<_>>()?,
        _ => return None,
    };
    if parts.is_empty() {
        return None;
    }
    parts.iter().map(|p| p.parse::<Ipv6Addr>().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mpls_round_trips() {
        let e = Encap::Mpls { labels: vec![100, 200], ttl: Some(5) };
        let b = e.encode();
        // label 100 = 0x64 << 12, no bottom-of-stack bit; 200 has it.
        assert_eq!(&b[4..12], &[0x00, 0x06, 0x40, 0x00, 0x00, 0x0c, 0x81, 0x00]);
        assert_eq!(Encap::decode(1, &b), e);
        assert_eq!(Encap::from_opt(&e.to_opt(), "encap").unwrap(), e);
    }

    #[test]
    fn seg6_round_trips_with_hmac_and_inline() {
        let segs: Vec<Ipv6Addr> = vec!["2001:db8::1".parse().unwrap(), "2001:db8::2".parse().unwrap()];
        let e = Encap::Seg6 { mode: 1, segs: segs.clone(), hmac: Some(7) };
        assert_eq!(Encap::decode(5, &e.encode()), e);
        let opt = Opt::Map(vec![
            ("type".into(), Opt::Str("seg6".into())),
            ("mode".into(), Opt::Str("inline".into())),
            ("segs".into(), Opt::Str("2001:db8::1".into())),
        ]);
        let i = Encap::from_opt(&opt, "encap").unwrap();
        assert_eq!(i.user_segs(), vec![segs[0]]);
        assert_eq!(Encap::decode(5, &i.encode()), i);
    }

    #[test]
    fn bad_encaps_name_the_field() {
        let opt = Opt::Map(vec![("type".into(), Opt::Str("mpls".into())), ("labels".into(), Opt::Str("100/x".into()))]);
        assert_eq!(
            Encap::from_opt(&opt, "nexthops[2].encap").unwrap_err().0,
            "field 'nexthops[2].encap.labels': expected MPLS labels like \"100/200\" or {100, 200} (each < 2^20), got \"100/x\""
        );
        let opt = Opt::Map(vec![("type".into(), Opt::Str("gre".into()))]);
        assert!(Encap::from_opt(&opt, "encap").unwrap_err().0.contains("field 'encap.type'"));
    }
}
