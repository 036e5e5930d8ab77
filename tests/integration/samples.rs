//! The sample interviews: each imports with its speakers, roles and (where the format has them) time
//! stamps; they are as long as real 45-60 minute interviews; and the two raters' codings anchor.

use accord::import::{ImportOptions, read_transcript, transcript_files};
use accord::model::{CodingFilter, Role, SourceFormat};
use accord::store::Store;

use crate::support::{demo, samples};

#[test]
fn every_sample_imports_with_interviewer_and_participant_turns() {
    let (files, skipped) = transcript_files(&samples().join("transcripts")).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert!(files.len() >= 12);
    let mut formats = std::collections::BTreeSet::new();
    for file in &files {
        let imported = read_transcript(file, &ImportOptions::default()).unwrap();
        let t = &imported.transcript;
        formats.insert(t.format);
        let words = t.text.split_whitespace().count();
        assert!((3000..=8000).contains(&words), "{}: {words} words", t.name);
        let interviewer = t
            .turns
            .iter()
            .filter(|x| x.role == Role::Interviewer)
            .count();
        let participant = t
            .turns
            .iter()
            .filter(|x| x.role == Role::Participant)
            .count();
        assert!(
            interviewer > 10 && participant > 10,
            "{}: {interviewer} interviewer and {participant} participant turns",
            t.name
        );
        assert!(
            t.turns.iter().filter(|x| x.role == Role::Other).count() <= 1,
            "{}: unassigned speakers",
            t.name
        );
        if t.format == SourceFormat::Vtt {
            assert!(
                t.turns
                    .iter()
                    .all(|x| x.start_ms.is_some() && x.end_ms.is_some()),
                "{}",
                t.name
            );
        }
        assert_eq!(imported.case_name, t.name.split('_').next().unwrap());
    }
    assert!(
        formats.contains(&SourceFormat::Txt)
            && formats.contains(&SourceFormat::Vtt)
            && formats.contains(&SourceFormat::Docx)
    );
}

#[test]
fn accents_survive_import() {
    let file = samples().join("transcripts/P10_interview.txt");
    let t = read_transcript(&file, &ImportOptions::default())
        .unwrap()
        .transcript;
    for word in ["naïve", "café", "résumé", "Inés", "José"] {
        assert!(t.text.contains(word), "P10 lacks {word}");
    }
}

#[test]
fn two_raters_coded_at_least_four_transcripts_and_disagree_somewhere() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let store = Store::open(&project).unwrap();
    let raters = store.raters().unwrap();
    assert_eq!(
        raters.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Jordan Ellis", "Maya Chen"]
    );
    let codings = store.codings(&CodingFilter::default()).unwrap();
    let coded_by = |rater: usize| -> std::collections::BTreeSet<_> {
        codings
            .iter()
            .filter(|c| c.rater_id == raters[rater].rater_id)
            .map(|c| c.transcript_id)
            .collect()
    };
    let both: Vec<_> = coded_by(0).intersection(&coded_by(1)).copied().collect();
    assert!(
        both.len() >= 4,
        "both raters coded {} transcripts",
        both.len()
    );
    let spans = |rater: usize| -> std::collections::BTreeSet<_> {
        codings
            .iter()
            .filter(|c| c.rater_id == raters[rater].rater_id)
            .map(|c| (c.transcript_id, c.code_id, c.span))
            .collect()
    };
    let (a, b) = (spans(0), spans(1));
    let same = a.intersection(&b).count();
    assert!(
        same > 0 && same < a.len().min(b.len()),
        "identical spans: {same} of {} and {}",
        a.len(),
        b.len()
    );
    let book = store.codebook().unwrap();
    let peerness = book.paths()["Lived experience/Peerness"];
    assert!(
        codings.iter().filter(|c| c.code_id == peerness).count() >= 10,
        "peerness is barely coded"
    );
}
