//! Every input that ever crashed a fuzz target (kept in `fuzz/regressions/<target>/`), fed again to
//! the same readers (`accord::probe`): each must be read or refused, never a panic.

use accord::probe::{Target, probe};

use crate::support::root;

#[test]
fn inputs_that_once_crashed_a_reader_are_read_or_refused() {
    let mut replayed = 0;
    for (target, name) in Target::ALL {
        let dir = root().join("fuzz/regressions").join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".gitkeep") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let _ = probe(target, &bytes);
            replayed += 1;
        }
    }
    // And a few hostile shapes every reader must survive, whatever the fuzzer found so far.
    for (target, _) in Target::ALL {
        for bytes in [
            &b""[..],
            b"\0",
            b"\xff\xfe\xff",
            b"PK\x03\x04",
            b"<!DOCTYPE x [<!ENTITY a \"b\">]><Project/>",
        ] {
            let _ = probe(target, bytes);
        }
    }
    eprintln!("replayed {replayed} inputs that once crashed a reader");
}

#[test]
fn the_probes_accept_good_input() {
    let sample = std::fs::read(root().join("samples/transcripts/P01_interview.txt")).unwrap();
    let mut txt = vec![0u8];
    txt.extend_from_slice(&sample);
    assert!(probe(Target::Transcript, &txt));
    let docx = std::fs::read(root().join("samples/transcripts/P03_interview.docx")).unwrap();
    assert!(probe(Target::Docx, &docx));
    assert!(probe(Target::Query, b"\"my supervisor\" role:participant"));
    assert!(!probe(Target::Query, b"(unclosed"));
    let mut toml = vec![2u8];
    toml.extend_from_slice(&std::fs::read(root().join("codebooks/capp-phase3.toml")).unwrap());
    assert!(probe(Target::Tables, &toml));
}
