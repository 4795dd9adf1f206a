//! Fuzz target: no byte string may make the BER-TLV decoder, the DOL parser or the
//! explainers panic, and every decoded object must re-encode to a form that decodes the same.
//! Run with `cargo +nightly fuzz run tlv_decode` from emv-kernel/.

#![no_main]

use emv_kernel::tlv::{self, TlvIter};
use emv_kernel::{bits, dol, tags};
use libfuzzer_sys::fuzz_target;

fn walk(iter: TlvIter<'_>) {
    for item in iter {
        let Ok(t) = item else { return };
        let _ = bits::explain(t.tag, t.value);
        let _ = tags::masked(t.tag, t.value);
        let again = tlv::encoded(t.tag, t.value);
        let back = tlv::parse(&again).expect("re-encoded object decodes");
        assert_eq!(back.len(), 1);
        assert_eq!((back[0].tag, back[0].value), (t.tag, t.value));
        walk(t.children());
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = tlv::validate(data);
    let _ = dol::parse(data);
    walk(TlvIter::new(data));
});
