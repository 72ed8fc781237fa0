//! Helpers for the bpf classifier tests: a tiny BPF ELF object, running Lua
//! in-process, reading `tc -j`.
#![allow(dead_code)]

use super::sh;

/// A minimal relocatable ELF64 (EM_BPF) with `section` holding one program
/// named `name` and a "license" section, as clang would lay it out.
pub fn bpf_object(section: &str, name: &str) -> Vec<u8> {
    // mov r0, 0 ; exit
    let text: [u8; 16] = [0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0];
    let license = b"GPL\0";
    let mut shstr = vec![0u8];
    let name_at = |s: &str, tab: &mut Vec<u8>| -> u32 {
        let at = tab.len() as u32;
        tab.extend_from_slice(s.as_bytes());
        tab.push(0);
        at
    };
    let n_sec = name_at(section, &mut shstr);
    let n_lic = name_at("license", &mut shstr);
    let n_sym = name_at(".symtab", &mut shstr);
    let n_str = name_at(".strtab", &mut shstr);
    let n_shs = name_at(".shstrtab", &mut shstr);
    let mut strtab = vec![0u8];
    let n_prog = name_at(name, &mut strtab);
    let mut symtab = vec![0u8; 24];
    let mut sym = Vec::new();
    sym.extend_from_slice(&n_prog.to_le_bytes());
    sym.push(0x12); // STB_GLOBAL | STT_FUNC
    sym.push(0);
    sym.extend_from_slice(&1u16.to_le_bytes()); // section 1
    sym.extend_from_slice(&0u64.to_le_bytes());
    sym.extend_from_slice(&16u64.to_le_bytes());
    symtab.extend_from_slice(&sym);

    let mut out = vec![0u8; 64];
    let place = |data: &[u8], out: &mut Vec<u8>| -> (u64, u64) {
        while !out.len().is_multiple_of(8) {
            out.push(0);
        }
        let off = out.len() as u64;
        out.extend_from_slice(data);
        (off, data.len() as u64)
    };
    let s_text = place(&text, &mut out);
    let s_lic = place(license, &mut out);
    let s_sym = place(&symtab, &mut out);
    let s_str = place(&strtab, &mut out);
    let s_shs = place(&shstr, &mut out);
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
    let shoff = out.len() as u64;
    // (name, type, flags, (offset, size), link, info, align, entsize)
    type Shdr = (u32, u32, u64, (u64, u64), u32, u32, u64, u64);
    let sections: [Shdr; 6] = [
        (0, 0, 0, (0, 0), 0, 0, 0, 0),
        (n_sec, 1, 6, s_text, 0, 0, 8, 0),
        (n_lic, 1, 3, s_lic, 0, 0, 1, 0),
        (n_sym, 2, 0, s_sym, 4, 1, 8, 24),
        (n_str, 3, 0, s_str, 0, 0, 1, 0),
        (n_shs, 3, 0, s_shs, 0, 0, 1, 0),
    ];
    for (nm, ty, fl, (off, size), link, info, align, ent) in sections {
        out.extend_from_slice(&nm.to_le_bytes());
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&fl.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes());
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&link.to_le_bytes());
        out.extend_from_slice(&info.to_le_bytes());
        out.extend_from_slice(&align.to_le_bytes());
        out.extend_from_slice(&ent.to_le_bytes());
    }
    let h = &mut out[0..64];
    h[0..4].copy_from_slice(b"\x7fELF");
    h[4] = 2; // 64-bit
    h[5] = 1; // little endian
    h[6] = 1; // version
    h[16..18].copy_from_slice(&1u16.to_le_bytes()); // ET_REL
    h[18..20].copy_from_slice(&247u16.to_le_bytes()); // EM_BPF
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[40..48].copy_from_slice(&shoff.to_le_bytes());
    h[52..54].copy_from_slice(&64u16.to_le_bytes()); // ehsize
    h[58..60].copy_from_slice(&64u16.to_le_bytes()); // shentsize
    h[60..62].copy_from_slice(&6u16.to_le_bytes()); // shnum
    h[62..64].copy_from_slice(&5u16.to_le_bytes()); // shstrndx
    out
}

pub fn lua(src: &str) -> Vec<String> {
    let rt = nlua::Runtime::new().unwrap();
    let f = rt.load_source(src.as_bytes(), "=test").unwrap();
    match rt.call_traced(&f, mlua::MultiValue::new()) {
        Ok(vals) => vals.into_iter().map(|v| v.to_string().unwrap_or_default()).collect(),
        Err(e) => panic!("lua failed: {e}"),
    }
}

pub fn tc_json(args: &str) -> serde_json::Value {
    serde_json::from_str(&sh(&format!("tc -j {args}"))).unwrap()
}

pub fn write_object(tag: &str) -> String {
    let path = std::env::temp_dir().join(format!("nlua-tc-bpf-{}-{tag}.o", std::process::id()));
    std::fs::write(&path, bpf_object("classifier", "pass")).unwrap();
    path.display().to_string()
}
