//! TLV decode speed: a full tree walk over a READ RECORD response of about 250 bytes, the
//! shape a card's records take (Book 3 5.4: template 70 around primitive data objects).
//! Goal from issue 2: under 1 µs per record.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use emv_kernel::tlv::{self, Tag, TlvError, TlvIter};

/// A record like the ones Mastercard and Visa cards return in SFI 1–3: track 2, names,
/// dates, DOLs, CVM list, issuer action codes and a short certificate, with `90 00`.
fn read_record_response() -> Vec<u8> {
    let objects: &[(u32, &str)] = &[
        (0x57, "5413330089600010D251220100000000000F"),
        (0x5F20, "2020202020202020202020202020202020202020202020202F"),
        (0x5A, "5413330089600010"),
        (0x5F24, "251231"),
        (0x5F25, "200101"),
        (0x5F28, "0840"),
        (0x5F34, "01"),
        (
            0x8C,
            "9F02069F03069F1A0295055F2A029A039C019F37049F35019F45029F4C089F3403",
        ),
        (0x8D, "910A8A0295059F37049F4C08"),
        (0x8E, "000000000000000042031E031F03"),
        (0x9F07, "FF00"),
        (0x9F08, "0002"),
        (0x9F0D, "B450840000"),
        (0x9F0E, "0000000000"),
        (0x9F0F, "B470848000"),
        (0x9F4A, "82"),
        (0x8F, "F1"),
        (0x9F32, "03"),
        (0x9F47, "03"),
        (0x9F49, "9F3704"),
        (0x9F42, "0840"),
        (0x9F44, "02"),
        (
            0x92,
            "A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4",
        ),
    ];
    let mut inner = Vec::new();
    for (tag, value) in objects {
        tlv::encode(Tag::new(*tag), &hex::decode(value).unwrap(), &mut inner);
    }
    let mut record = tlv::encoded(Tag::new(0x70), &inner);
    record.extend_from_slice(&[0x90, 0x00]);
    record
}

/// Visits every object and every child; returns a checksum so nothing is optimised away.
fn walk(iter: TlvIter<'_>) -> Result<usize, TlvError> {
    let mut sum = 0;
    for item in iter {
        let t = item?;
        sum += t.value.len() + t.tag.value() as usize;
        sum += walk(t.children())?;
    }
    Ok(sum)
}

fn decode_record(c: &mut Criterion) {
    let response = read_record_response();
    let data = &response[..response.len() - 2];
    assert!((240..=260).contains(&response.len()), "{}", response.len());
    assert!(walk(TlvIter::new(data)).is_ok());
    c.bench_function("read_record_250b_tree_walk", |b| {
        b.iter(|| walk(TlvIter::new(black_box(data))))
    });
}

criterion_group!(benches, decode_record);
criterion_main!(benches);
