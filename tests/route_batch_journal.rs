//! route.add with a list and route.flush are pipelined, and the journal still
//! sees every route: a failed run takes them all away again, `--down` of a
//! flush (3,000 routes: three chunks) brings them all back.

mod common;

fn world(body: &str) -> std::process::Output {
    common::world_sh(&format!("set -eu\nip link set lo up\nN=$NLUA\n{body}")).output().expect("run sh")
}

#[test]
fn batched_routes_are_journaled() {
    let o = world(
        r#"ip link add v0 type veth peer name v1; ip link set v0 up
mkdir -p /run/tmp
cat > /run/tmp/nlua_batch_$$.lua <<'LUA'
local l = {}
for i = 1, 500 do l[i] = {dst = ("10.9.%d.%d/32"):format(i // 256, i % 256), dev = "v0", table = 100} end
route.add(l)
if arg[1] == "fail" then error("boom") end
LUA
if $N /run/tmp/nlua_batch_$$.lua fail 2>/dev/null; then echo "should have failed"; exit 1; fi
echo "after rollback: $(ip route show table 100 | wc -l)"
$N /run/tmp/nlua_batch_$$.lua
echo "after run: $(ip route show table 100 | wc -l)"
$N --down nlua_batch_$$ 2>/dev/null
echo "after down: $(ip route show table 100 | wc -l)"
ip -batch - <<IP
$(for i in $(seq 1 3000); do echo "route add 10.5.$((i / 256)).$((i % 256))/32 dev v0 table 7"; done)
IP
$N --name flush -e 'assert(route.flush{table = 7} == 3000)'
$N --name flush2 -e 'route.flush{table = 7}' 2>/dev/null
echo "after flush: $(ip route show table 7 | wc -l)"
$N --down flush 2>/dev/null
echo "after flush down: $(ip route show table 7 | wc -l)"
"#,
    );
    let out = common::ok_stdout(&o);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["after rollback: 0", "after run: 500", "after down: 0", "after flush: 0", "after flush down: 3000"],
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
