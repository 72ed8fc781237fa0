//! The bpf classifier against the real kernel: a program from an ELF object
//! (written here: `r0 = 0; exit`, direct action "pass"), from a pinned path,
//! and by id; tc reads what nlua attached and nlua reads what tc attached.
//! Pinning needs a private bpf filesystem: see tests/tc_bpf_pinned.rs.

mod common;

use common::bpf::{bpf_object, lua, tc_json, write_object};
use common::{in_netns, sh};





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


