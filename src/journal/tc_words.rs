//! tc(8) words for decoded tc options, for `--trace`: most options are
//! `name value` as tc spells them; netem's are positional, u32 keys are
//! `match u32 VAL MASK at OFF` and actions follow `action KIND ...`.

use crate::engine::schema::Opt;

/// An option value as a command word.
pub fn opt_word(o: &Opt) -> String {
    match o {
        Opt::Bool(b) => b.to_string(),
        Opt::Int(i) => i.to_string(),
        Opt::Num(n) => n.to_string(),
        Opt::Str(s) => s.clone(),
        Opt::Bytes(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        Opt::List(l) => l.iter().map(opt_word).collect::<Vec<_>>().join(","),
        Opt::Map(m) => m.iter().map(|(_, v)| opt_word(v)).collect::<Vec<_>>().join(" "),
    }
}

/// Options as `name value` words, booleans as `name`/`noname`.
pub fn option_words(opts: &[(String, Opt)], out: &mut String) {
    for (k, v) in opts {
        match v {
            Opt::Bool(true) => out.push_str(&format!(" {k}")),
            Opt::Bool(false) => out.push_str(&format!(" no{k}")),
            v => out.push_str(&format!(" {k} {}", opt_word(v))),
        }
    }
}

fn get<'a>(m: &'a [(String, Opt)], k: &str) -> Option<&'a Opt> {
    m.iter().find(|(n, _)| n == k).map(|(_, v)| v)
}

fn int(m: &[(String, Opt)], k: &str) -> i64 {
    match get(m, k) {
        Some(Opt::Int(i)) => *i,
        _ => 0,
    }
}

/// netem: `delay TIME [JITTER]`, `loss random P`, the rest by name.
fn netem(opts: &[(String, Opt)], out: &mut String) {
    if let Some(d) = get(opts, "delay") {
        out.push_str(&format!(" delay {}", opt_word(d)));
        if let Some(j) = get(opts, "jitter") {
            out.push_str(&format!(" {}", opt_word(j)));
        }
    }
    if let Some(l) = get(opts, "loss") {
        out.push_str(&format!(" loss random {}", opt_word(l)));
    }
    let rest: Vec<(String, Opt)> = opts.iter().filter(|(k, _)| !["delay", "jitter", "loss"].contains(&k.as_str())).cloned().collect();
    option_words(&rest, out);
}

/// One action: `action mirred egress redirect dev X`, `action gact drop`,
/// `action police rate R burst B conform-exceed E/C`.
fn action_words(a: &[(String, Opt)], out: &mut String) {
    let kind = get(a, "kind").map(opt_word).unwrap_or_default();
    out.push_str(&format!(" action {kind}"));
    match kind.as_str() {
        "mirred" => {
            for k in ["direction", "action"] {
                if let Some(v) = get(a, k) {
                    out.push_str(&format!(" {}", opt_word(v)));
                }
            }
            if let Some(d) = get(a, "dev") {
                out.push_str(&format!(" dev {}", opt_word(d)));
            }
            if let Some(c) = get(a, "control") {
                out.push_str(&format!(" {}", opt_word(c)));
            }
        }
        "gact" => {
            if let Some(v) = get(a, "action") {
                out.push_str(&format!(" {}", opt_word(v)));
            }
            if let Some(Opt::Map(r)) = get(a, "random") {
                let w = |k| get(r, k).map(opt_word).unwrap_or_default();
                out.push_str(&format!(" random {} {} {}", w("type"), w("action"), w("value")));
            }
        }
        "police" => {
            let rest: Vec<(String, Opt)> = a.iter().filter(|(k, _)| !["kind", "exceed", "conform"].contains(&k.as_str())).cloned().collect();
            option_words(&rest, out);
            if let Some(e) = get(a, "exceed") {
                let c = get(a, "conform").map(opt_word).unwrap_or_else(|| "ok".into());
                out.push_str(&format!(" conform-exceed {}/{c}", opt_word(e)));
            }
        }
        _ => {
            let rest: Vec<(String, Opt)> = a.iter().filter(|(k, _)| k != "kind").cloned().collect();
            option_words(&rest, out);
        }
    }
}

/// Filter options: u32 keys as `match u32`, actions as `action ...`.
fn filter(opts: &[(String, Opt)], out: &mut String) {
    for (k, v) in opts {
        match (k.as_str(), v) {
            ("sel", Opt::List(keys)) => {
                for key in keys {
                    if let Opt::Map(m) = key {
                        let (val, mask, off) = (int(m, "val") as u32, int(m, "mask") as u32, int(m, "off"));
                        out.push_str(&format!(" match u32 0x{val:08x} 0x{mask:08x} at {off}"));
                    }
                }
            }
            ("actions", Opt::List(acts)) => {
                for a in acts {
                    if let Opt::Map(m) = a {
                        action_words(m, out);
                    }
                }
            }
            _ => option_words(&[(k.clone(), v.clone())], out),
        }
    }
}

/// The words of decoded options of a `kind` qdisc, class or filter.
pub fn words(filter_obj: bool, kind: &str, opts: &[(String, Opt)], out: &mut String) {
    if kind == "netem" {
        netem(opts, out)
    } else if filter_obj {
        filter(opts, out)
    } else {
        option_words(opts, out)
    }
}
