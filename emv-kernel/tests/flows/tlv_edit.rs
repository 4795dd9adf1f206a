//! Structure-aware changes to a card answer: one BER-TLV object emptied, removed, grown,
//! shrunk or doubled, with every enclosing template's length kept right, so the change
//! reaches the kernel's data checks instead of stopping at the TLV decoder.

use emv_kernel::tlv::{self, Tag, TlvIter};

/// What to do to the chosen object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Value (or content) of length 0: `8C 00`.
    Empty,
    /// The object is gone.
    Remove,
    /// One byte more (`00` appended): a 9-byte 9F26.
    Grow,
    /// One byte less.
    Shrink,
    /// The object twice in a row.
    Double,
}

/// All changes, for exhaustive tests.
pub const CHANGES: [Change; 5] = [
    Change::Empty,
    Change::Remove,
    Change::Grow,
    Change::Shrink,
    Change::Double,
];

enum Node {
    Primitive(Tag, Vec<u8>),
    Constructed(Tag, Vec<Node>),
}

fn tree(data: &[u8]) -> Option<Vec<Node>> {
    fn walk(iter: TlvIter<'_>) -> Option<Vec<Node>> {
        let mut out = Vec::new();
        for item in iter {
            let t = item.ok()?;
            out.push(if t.is_constructed() {
                Node::Constructed(t.tag, walk(t.children())?)
            } else {
                Node::Primitive(t.tag, t.value.to_vec())
            });
        }
        Some(out)
    }
    walk(TlvIter::new(data))
}

fn encode(nodes: &[Node], out: &mut Vec<u8>) {
    for node in nodes {
        match node {
            Node::Primitive(tag, value) => tlv::encode(*tag, value, out),
            Node::Constructed(tag, children) => {
                let mut inner = Vec::new();
                encode(children, &mut inner);
                tlv::encode(*tag, &inner, out);
            }
        }
    }
}

fn count(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .map(|n| match n {
            Node::Primitive(..) => 1,
            Node::Constructed(_, c) => 1 + count(c),
        })
        .sum()
}

fn copy(node: &Node) -> Node {
    match node {
        Node::Primitive(t, v) => Node::Primitive(*t, v.clone()),
        Node::Constructed(t, c) => Node::Constructed(*t, c.iter().map(copy).collect()),
    }
}

/// Applies `change` to object number `index` (depth first, templates counted) of the list;
/// returns whether an object had that number.
fn apply(nodes: &mut Vec<Node>, index: &mut usize, change: Change) -> bool {
    let mut i = 0;
    while i < nodes.len() {
        if *index == 0 {
            match change {
                Change::Remove => {
                    nodes.remove(i);
                }
                Change::Double => {
                    let twin = copy(&nodes[i]);
                    nodes.insert(i + 1, twin);
                }
                Change::Empty => match &mut nodes[i] {
                    Node::Primitive(_, v) => v.clear(),
                    Node::Constructed(_, c) => c.clear(),
                },
                Change::Grow => match &mut nodes[i] {
                    Node::Primitive(_, v) => v.push(0x00),
                    Node::Constructed(_, c) => c.push(Node::Primitive(Tag::new(0xDF7F), vec![0])),
                },
                Change::Shrink => match &mut nodes[i] {
                    Node::Primitive(_, v) => {
                        v.pop();
                    }
                    Node::Constructed(_, c) => {
                        c.pop();
                    }
                },
            }
            return true;
        }
        *index -= 1;
        if let Node::Constructed(_, children) = &mut nodes[i]
            && apply(children, index, change)
        {
            return true;
        }
        i += 1;
    }
    false
}

/// How many objects (templates included) the data of a response holds; 0 if it is not
/// well-formed TLV.
pub fn objects(data: &[u8]) -> usize {
    tree(data).map_or(0, |t| count(&t))
}

/// The response `data` with object number `index` changed; `None` if the data is not
/// well-formed TLV or has fewer objects.
pub fn edit(data: &[u8], index: usize, change: Change) -> Option<Vec<u8>> {
    let mut nodes = tree(data)?;
    let mut index = index;
    if !apply(&mut nodes, &mut index, change) {
        return None;
    }
    let mut out = Vec::new();
    encode(&nodes, &mut out);
    Some(out)
}
