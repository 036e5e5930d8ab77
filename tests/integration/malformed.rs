//! Every importer on malformed and unusual files: a clear error naming the file, or a correct reading.

use std::path::Path;

use accord::import::{Encoding, ImportOptions, read_transcript};
use accord::model::Role;

#[track_caller]
fn error_of(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = read_transcript(&path, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains(name), "error does not name the file: {err}");
    err
}

#[test]
fn unreadable_empty_binary_and_broken_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(error_of(d, "P01.txt", b"").contains("empty"));
    assert!(error_of(d, "P02.txt", b"\n\n   \n").contains("empty"));
    assert!(error_of(d, "P03.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").contains("binary"));
    assert!(
        error_of(d, "P04.txt", b"Interviewer: hi \x81\x8d there\n")
            .contains("not UTF-8, UTF-16 or Windows-1252")
    );
    assert!(
        error_of(d, "P05.docx", b"Interviewer: this is text, not a docx")
            .contains("not a Word document")
    );
    assert!(error_of(d, "P06.vtt", b"1\n00:00:01,000 --> 00:00:02,000\nHi\n").contains("WEBVTT"));
    assert!(error_of(d, "P07.srt", b"just some words\n").contains("line 1"));
    assert!(
        error_of(d, "P08.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:0x\nHi\n").contains("line 3")
    );
    assert!(error_of(d, "P09.pdf", b"%PDF-1.7").contains("unknown file type"));
    // A DOCX cut in half, as an interrupted download leaves it.
    let whole =
        std::fs::read(crate::support::samples().join("transcripts/P03_interview.docx")).unwrap();
    assert!(error_of(d, "P10.docx", &whole[..whole.len() / 2]).contains("Word document"));
    let missing = read_transcript(&d.join("nope.txt"), &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("nope.txt") && missing.contains("cannot read"),
        "{missing}"
    );
}

#[test]
fn utf16_and_windows_1252_files_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Interviewer: Was it naïve?\r\n\r\nP11: A bit, at the café.\r\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let path = dir.path().join("P11.txt");
    std::fs::write(&path, utf16).unwrap();
    let imported = read_transcript(&path, &ImportOptions::default()).unwrap();
    assert_eq!(imported.encoding, Encoding::Utf16Le);
    assert_eq!(
        imported.transcript.text,
        "Interviewer: Was it naïve?\n\nP11: A bit, at the café.\n"
    );

    let cp1252: Vec<u8> = text
        .chars()
        .map(|c| match c {
            'ï' => 0xEF,
            'é' => 0xE9,
            c => c as u8,
        })
        .collect();
    let path = dir.path().join("P12.txt");
    std::fs::write(&path, cp1252).unwrap();
    let imported = read_transcript(&path, &ImportOptions::default()).unwrap();
    assert_eq!(imported.encoding, Encoding::Windows1252);
    assert!(
        imported.transcript.text.contains("naïve") && imported.transcript.text.contains("café")
    );
}

#[test]
fn srt_and_bracket_labels() {
    let dir = tempfile::tempdir().unwrap();
    let srt = "1\r\n00:00:01,000 --> 00:00:03,000\r\nInterviewer: How did the\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,500\r\nInterviewer: goals go?\r\n\r\n3\r\n00:00:05,000 --> 00:00:09,000\r\nP05: Better than I thought.\r\n";
    let path = dir.path().join("P05.srt");
    std::fs::write(&path, srt).unwrap();
    let t = read_transcript(&path, &ImportOptions::default())
        .unwrap()
        .transcript;
    assert_eq!(
        t.text,
        "Interviewer: How did the goals go?\n\nP05: Better than I thought.\n"
    );
    assert_eq!(
        (t.turns[0].start_ms, t.turns[0].end_ms, t.turns[1].role),
        (Some(1000), Some(4500), Role::Participant)
    );

    let path = dir.path().join("P06.txt");
    std::fs::write(&path, "[Interviewer]\nTell me more.\n\n[Ray]\nWell, [laughs] it was a lot.\n\n[Interviewer]\nOkay.\n").unwrap();
    let opts = ImportOptions {
        participants: vec!["Ray".into()],
        ..ImportOptions::default()
    };
    let t = read_transcript(&path, &opts).unwrap().transcript;
    let roles: Vec<Role> = t.turns.iter().map(|x| x.role).collect();
    assert_eq!(
        roles,
        [Role::Interviewer, Role::Participant, Role::Interviewer]
    );
}
