//! How objects read: text lines the way `ip`/`tc` print them, and JSON with
//! the keys `ip -j` uses. Pure functions of engine objects; names of other
//! links come through [`Names`] so callers decide whether to look them up live
//! or from a list they already have.

pub mod addr;
pub mod event;
pub mod json;
pub mod link;
pub mod link_kinds;
pub mod neigh;
pub mod route;
pub mod rule;
pub mod tc;
pub mod tc_filter;
pub mod tc_flower;

pub use json::Json;

/// Answers the questions a printer has about other links and namespaces.
pub trait Names {
    /// The name of link `index` in this namespace.
    fn link_name(&self, index: u32) -> Option<String>;
    /// Whether link `index` is administratively up (for ip's M-DOWN mark).
    fn link_up(&self, index: u32) -> Option<bool>;
    /// The name of the namespace this one knows as `nsid`.
    fn netns_name(&self, _nsid: i32) -> Option<String> {
        None
    }
}

/// Link `index` as ip and tc print it: its name, or "if{index}" when it has none here.
pub fn dev_name(n: &dyn Names, index: u32) -> String {
    n.link_name(index).unwrap_or_else(|| format!("if{index}"))
}

/// Names from a list of links already read.
pub struct LinkTable<'a>(pub &'a [crate::engine::Link]);

impl Names for LinkTable<'_> {
    fn link_name(&self, index: u32) -> Option<String> {
        self.0.iter().find(|l| l.index == index).map(|l| l.name.clone())
    }
    fn link_up(&self, index: u32) -> Option<bool> {
        self.0.iter().find(|l| l.index == index).map(|l| l.is_up())
    }
}

/// Names looked up live through a handle.
impl Names for crate::engine::Handle {
    fn link_name(&self, index: u32) -> Option<String> {
        self.link_get(index).ok().map(|l| l.name)
    }
    fn link_up(&self, index: u32) -> Option<bool> {
        self.link_get(index).ok().map(|l| l.is_up())
    }
    /// As `ip link` finds it: the name under /run/netns this namespace numbers `nsid`.
    fn netns_name(&self, nsid: i32) -> Option<String> {
        crate::netns::list().ok()?.into_iter().find(|name| {
            crate::netns::open(name).is_ok_and(|ns| matches!(self.nsid_of(&ns), Ok(Some(id)) if id == nsid))
        })
    }
}
