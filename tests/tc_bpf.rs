//! The bpf classifier against the real kernel: a program from an ELF object
//! (written here: `r0 = 0; exit`, direct action "pass"), from a pinned path,
//! and by id; tc reads what nlua attached and nlua reads what tc attached.
//! Pinning needs a private bpf filesystem, so that test re-runs this test
//! binary in fresh network and mount namespaces.

mod common;

use std::process::Command;

use common::{in_netns, isolate, sh};

/// A minimal relocatable ELF64 (EM_BPF) with `section` holding one program
/// named `name` and a "license" section, as clang would lay it out.
fn bpf_object(section: &str, name: &str) -> Vec<u8> {
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

fn lua(src: &str) -> Vec<String> {
    let rt = nlua::Runtime::new().unwrap();
    let f = rt.load_source(src.as_bytes(), "=test").unwrap();
    match rt.call_traced(&f, mlua::MultiValue::new()) {
        Ok(vals) => vals.into_iter().map(|v| v.to_string().unwrap_or_default()).collect(),
        Err(e) => panic!("lua failed: {e}"),
    }
}

fn tc_json(args: &str) -> serde_json::Value {
    serde_json::from_str(&sh(&format!("tc -j {args}"))).unwrap()
}

fn write_object(tag: &str) -> String {
    let path = std::env::temp_dir().join(format!("nlua-tc-bpf-{}-{tag}.o", std::process::id()));
    std::fs::write(&path, bpf_object("classifier", "pass")).unwrap();
    path.display().to_string()
}

#[test]
fn the_elf_reader_finds_the_program_and_license() {
    let obj = bpf_object("classifier", "pass");
    let (insns, lic) = nlua::engine::tc::bpf::elf_section(&obj, "classifier").unwrap();
    assert_eq!((insns.len(), lic.as_str()), (16, "GPL"));
    assert!(nlua::engine::tc::bpf::elf_section(&obj, "nosuch").unwrap_err().contains("no section"));
    assert!(nlua::engine::tc::bpf::elf_section(b"not elf", "x").is_err());
}

#[test]
fn bpf_object_attached_by_nlua_read_by_tc_and_back() {
    let obj = write_object("a");
    let o2 = obj.clone();
    in_netns(move || {
        sh("ip link add v0 type veth peer name v1 && tc qdisc add dev v0 clsact");
        let out = lua(&format!(
            r#"local f = filter.add{{dev="v0", parent="ingress", protocol="all", prio=10, kind="bpf", obj="{o2}", sec="classifier", da=true}}
               return f.handle, f.options.name, tostring(f.options.da), tostring(f.options.id)"#
        ));
        let base = std::path::Path::new(&o2).file_name().unwrap().to_str().unwrap().to_string();
        assert_eq!(out[0], "0x1");
        assert_eq!(out[1], format!("{base}:[classifier]"));
        assert_eq!(out[2], "true");
        let t = tc_json("filter show dev v0 ingress");
        let node = t.as_array().unwrap().iter().find(|x| x.get("options").is_some()).unwrap();
        assert_eq!(node["kind"], "bpf");
        assert_eq!(node["pref"], 10);
        assert_eq!(node["options"]["bpf_name"], format!("{base}:[classifier]"));
        assert_eq!(node["options"]["direct-action"], true);
        assert_eq!(node["options"]["prog"]["id"].to_string(), out[3], "the program id tc sees is the one nlua reports");
        // nlua's JSON agrees with tc's
        let ours: serde_json::Value = serde_json::from_str(&lua(
            "for _, f in ipairs(filter.list{dev='v0', parent='ingress'}) do if f.handle ~= '0x0' then return f:json() end end",
        )[0])
        .unwrap();
        for k in ["kind", "pref", "protocol"] {
            assert_eq!(ours[k], node[k], "{k}");
        }
        for k in ["bpf_name", "direct-action", "prog", "handle"] {
            assert_eq!(ours["options"][k], node["options"][k], "options.{k}");
        }
        // the listed options (program by id) attach the same program elsewhere
        lua(r#"for _, f in ipairs(filter.list{dev="v0", parent="ingress"}) do
                 if f.handle ~= "0x0" then local o = f.options; o.parent = "egress"; filter.add(o) end end"#);
        let e = tc_json("filter show dev v0 egress");
        let enode = e.as_array().unwrap().iter().find(|x| x.get("options").is_some()).unwrap();
        assert_eq!(enode["options"]["prog"]["id"], node["options"]["prog"]["id"]);
        assert_eq!(enode["options"]["bpf_name"], node["options"]["bpf_name"]);
    });
    let _ = std::fs::remove_file(obj);
}

#[test]
fn bpf_object_attached_by_tc_read_by_nlua() {
    let obj = write_object("b");
    let o2 = obj.clone();
    in_netns(move || {
        sh("ip link add v0 type veth peer name v1 && tc qdisc add dev v0 root handle 1: htb");
        sh(&format!("tc filter add dev v0 parent 1: protocol ip prio 3 bpf obj {o2} sec classifier classid 1:5"));
        let t = tc_json("filter show dev v0");
        let node = t.as_array().unwrap().iter().find(|x| x.get("options").is_some()).unwrap().clone();
        let out = lua(r#"local f
                         for _, x in ipairs(filter.list{dev="v0", parent="1:"}) do if x.handle ~= "0x0" then f = x end end
                         return f.kind, f.prio, f.protocol, f.options.flowid, f.options.name, tostring(f.options.id), tostring(f.options.da)"#);
        assert_eq!(out[..4], ["bpf", "3", "ip", "1:5"]);
        assert_eq!(serde_json::Value::String(out[4].clone()), node["options"]["bpf_name"]);
        assert_eq!(out[5], node["options"]["prog"]["id"].to_string());
        assert_eq!(out[6], "nil");
    });
    let _ = std::fs::remove_file(obj);
}

/// Child half of the pinned test: mounts a bpf filesystem, so it only runs
/// in the network and mount namespaces its parent test gives it.
#[test]
#[ignore = "run by bpf_pinned_program_attached_by_path in namespaces of its own"]
fn pinned_child() {
    assert!(std::env::var("NLUA_TC_PINNED_CHILD").is_ok(), "run through bpf_pinned_program_attached_by_path");
    sh("mount -t bpf bpf /sys/fs/bpf && ip link add v0 type veth peer name v1 && tc qdisc add dev v0 clsact");
    let obj = bpf_object("classifier", "pass");
    let (insns, lic) = nlua::engine::tc::bpf::elf_section(&obj, "classifier").unwrap();
    let fd = nlua::engine::tc::bpf::prog_load(nlua::engine::tc::bpf::PROG_TYPE_SCHED_CLS, &insns, &lic, "pinned_pass").unwrap();
    nlua::engine::tc::bpf::obj_pin(&fd, "/sys/fs/bpf/nlua_pass").unwrap();
    drop(fd);
    let out = lua(r#"local f = filter.add{dev="v0", parent="egress", kind="bpf", pinned="/sys/fs/bpf/nlua_pass", da=true}
                     return f.options.name, tostring(f.options.id)"#);
    assert_eq!(out[0], "nlua_pass:[*fsobj]");
    let t = tc_json("filter show dev v0 egress");
    let node = t.as_array().unwrap().iter().find(|x| x.get("options").is_some()).unwrap();
    assert_eq!(node["options"]["bpf_name"], "nlua_pass:[*fsobj]");
    assert_eq!(node["options"]["prog"]["id"].to_string(), out[1]);
}

#[test]
fn bpf_pinned_program_attached_by_path() {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", "pinned_child", "--ignored", "--nocapture", "--test-threads=1"]).env("NLUA_TC_PINNED_CHILD", "1");
    isolate(&mut c);
    let o = c.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.contains("1 passed"), "child failed:\n{out}\n{}", String::from_utf8_lossy(&o.stderr));
}
