//! Fuzz target: arbitrary bytes through Accord's qdpx reader(s) (see `accord::probe`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = accord::probe::probe(accord::probe::Target::Qdpx, data);
});
