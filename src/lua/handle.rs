//! `Handle` userdata: a netlink handle bound to one namespace, with every
//! module's ops as methods (`h:link_list{}`, `h:addr_add(...)`).

use std::rc::Rc;

use mlua::{AnyUserData, MetaMethod, MultiValue, UserData, UserDataFields, UserDataMethods};

use super::{MODULES, call_op};
use crate::engine;

/// A handle shared by every object read through it.
#[derive(Clone)]
pub struct Handle(pub Rc<engine::Handle>);

impl UserData for Handle {
    fn add_fields<F: UserDataFields<Self>>(f: &mut F) {
        f.add_field_method_get("inode", |_, s| Ok(s.0.ns().inode));
    }

    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        for module in MODULES {
            for op in module.ops {
                let name = module.name;
                m.add_method(format!("{}_{}", module.name, op.name), move |lua, s, args: MultiValue| {
                    call_op(lua, name, op, &s.0, args)
                });
            }
        }
        m.add_meta_method(MetaMethod::ToString, |_, s, ()| {
            let ns = s.0.ns();
            Ok(match &ns.name {
                Some(n) => format!("Handle(netns {n})"),
                None => format!("Handle(netns inode {})", ns.inode),
            })
        });
        m.add_meta_method(MetaMethod::Eq, |_, s, o: AnyUserData| Ok(o.borrow::<Handle>().is_ok_and(|o| o.0.ns() == s.0.ns())));
    }
}
