//! Fuzz target: arbitrary bytes through Accord's transcript reader(s) (see `accord::probe`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = accord::probe::probe(accord::probe::Target::Transcript, data);
});
