//! A bpf classifier attached from a pinned path. Pinning needs a private bpf
//! filesystem, hence a mount namespace, which a multi-threaded test harness
//! cannot enter: this binary has no harness (`harness = false`) and unshares
//! its network and mount namespaces first thing in `main`, while it is still
//! single-threaded. It fails by panicking (non-zero exit).

mod common;

use common::bpf::{bpf_object, lua, tc_json};
use common::sh;
use nix::mount::{MsFlags, mount};
use nix::sched::{CloneFlags, unshare};

fn main() {
    unshare(CloneFlags::CLONE_NEWNET | CloneFlags::CLONE_NEWNS).expect("unshare net+mount (tests run as root)");
    mount(None::<&str>, "/", None::<&str>, MsFlags::MS_REC | MsFlags::MS_PRIVATE, None::<&str>).unwrap();
    sh("ip link set lo up && mount -t bpf bpf /sys/fs/bpf && ip link add v0 type veth peer name v1 && tc qdisc add dev v0 clsact");
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
    println!("test bpf_pinned_program_attached_by_path ... ok");
}
