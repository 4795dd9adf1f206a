//! TLV decode speed.

use criterion::{Criterion, criterion_group, criterion_main};
use emv_kernel::tlv;

fn decode_record(c: &mut Criterion) {
    let _ = (&c, tlv::MAX_DEPTH);
}

criterion_group!(benches, decode_record);
criterion_main!(benches);
