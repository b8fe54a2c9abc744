//! The door between the macros and the runtime: every runtime item an
//! expansion names (listed by a test of einsum-macros in
//! `einsum-macros/snapshots/door.rs`) resolves through
//! `einsum_static::__private`. This file compiles only if they all do.

#![allow(unused_imports)]

include!("../einsum-macros/snapshots/door.rs");

#[test]
fn the_door_holds_every_item_the_macros_name() {
    let listed = include_str!("../einsum-macros/snapshots/door.rs");
    assert!(listed.lines().filter(|l| l.starts_with("use ")).count() > 20);
}
