//! Decode throughput of the library decoder (`tapterm decode`, `pay --decode`, the developer
//! screen): the tree with names, values, bit explanations, IAD, qualifiers and names, then
//! its text, on inputs of 50, 100 and 200 KB built from card responses of the shapes a tap
//! returns (GPO response with 9F10/9F6E/9F4B, records with DOLs, CVM list, country and
//! currency codes). Throughput in bytes per second that stays the same across the sizes
//! means the decoder is linear. Run with `cargo bench --bench decode`; it reports numbers and
//! asserts nothing about them.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use emv_kernel::tlv::{self, Tag};
use tapterm::decode::{Options, decode_with, render_text};

/// One GPO answer and two records, as TLV without status words.
fn tap_shapes() -> Vec<u8> {
    let gpo: &[(u32, &str)] = &[
        (0x82, "2040"),
        (0x94, "18010300"),
        (0x9F36, "0051"),
        (0x9F26, "C21624CB9CD4F92D"),
        (
            0x9F10,
            "1F4A6360A0000000001003027300000000400000000000000000000000000000",
        ),
        (0x9F6C, "0000"),
        (0x9F6E, "23880000"),
        (0x9F27, "80"),
        (0x9F4B, &"A5".repeat(128)),
    ];
    let record: &[(u32, &str)] = &[
        (0x5F28, "0826"),
        (0x9F07, "C000"),
        (0x5F2D, "656E6672"),
        (0x8C, "9F02069F03069F1A0295055F2A029A039C019F3704"),
        (0x8E, "000000000000000042031E031F03"),
        (0x9F0D, "B450840000"),
        (0x9F0E, "0000000000"),
        (0x9F0F, "B470848000"),
        (0x9F4A, "82"),
        (0x9F69, "0130A7A7880000"),
        (0x5F24, "231231"),
        (0x9F42, "0826"),
    ];
    let template = |tag: u32, objects: &[(u32, &str)]| {
        let mut inner = Vec::new();
        for (t, v) in objects {
            tlv::encode(
                Tag::new(*t),
                &hex::decode(v).unwrap_or_default(),
                &mut inner,
            );
        }
        tlv::encoded(Tag::new(tag), &inner)
    };
    let mut out = template(0x77, gpo);
    out.extend(template(0x70, record));
    out
}

fn input(size: usize) -> Vec<u8> {
    let unit = tap_shapes();
    let mut out = Vec::with_capacity(size + unit.len());
    while out.len() < size {
        out.extend_from_slice(&unit);
    }
    out
}

fn decode_throughput(c: &mut Criterion) {
    let options = Options {
        reveal: false,
        aid: Some(vec![0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10]),
        currency: None,
    };
    let mut group = c.benchmark_group("decode");
    group.sample_size(20);
    for kb in [50, 100, 200] {
        let data = input(kb * 1000);
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_with_input(BenchmarkId::new("tree and text", kb), &data, |b, data| {
            b.iter(|| {
                let decoded = decode_with(black_box(data), &options);
                decoded.map(|d| render_text(&d).len()).unwrap_or_default()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decode_throughput);
criterion_main!(benches);
