//! Correcting a transcript after coding (issue 19): what a correction does to every rater's
//! codings, worked out before anything is written. A `--replace` is one known change; a whole
//! corrected file is compared by a character diff; codings whose words nobody touched keep their
//! words, and the review counts and lists the rest.

use accord::app::correct::{Correction, from_file, plan, replace};
use accord::model::anchors::Carried;

use crate::support::{accord, demo};

/// Every coding whose words no change touched quotes the same words after.
fn untouched_keep_their_words(c: &Correction) {
    for ch in &c.codings {
        if matches!(ch.carried, Carried::Same(_) | Carried::Moved(_)) {
            assert_eq!(
                ch.quote_after.as_deref(),
                Some(ch.quote_before.as_str()),
                "{ch:?}"
            );
        }
    }
}

#[test]
fn one_word_replaced_inside_a_coded_passage() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let store = accord::app::Store::open(&project).unwrap();
    let c = replace(
        &store,
        "P01_interview",
        "terrible first impression",
        "awful first impression",
    )
    .unwrap();
    assert_eq!(
        c.edits,
        [(
            "terrible first impression".to_string(),
            "awful first impression".to_string()
        )]
    );
    assert!(!c.turns_reread, "a change inside a turn's words keeps the turns");
    assert_eq!(c.turns.0, c.turns.1);
    untouched_keep_their_words(&c);
    let resized: Vec<_> = c
        .codings
        .iter()
        .filter(|ch| matches!(ch.carried, Carried::Resized(_)))
        .collect();
    assert!(!resized.is_empty());
    for ch in &resized {
        assert!(ch.quote_before.contains("terrible first impression"), "{ch:?}");
        let after = ch.quote_after.as_deref().unwrap();
        assert_eq!(
            after,
            ch.quote_before
                .replace("terrible first impression", "awful first impression")
        );
    }
    let n = c.counts;
    let live = c.codings.iter().filter(|ch| !ch.removed).count();
    assert_eq!(n.same + n.moved + n.resized + n.lost, live);
    assert_eq!(n.lost, 0);
    // Codings before the change stay where they were; after it, they move by three characters.
    let at = c.splices[0].start;
    for ch in &c.codings {
        match ch.carried {
            Carried::Same(s) => assert!(ch.before.end <= at && s == ch.before),
            Carried::Moved(s) => {
                assert!(ch.before.start >= c.splices[0].end);
                assert_eq!(s.start + 3, ch.before.start);
            }
            _ => {}
        }
    }
    // The corrected transcript's turns still cover their words.
    let t = &c.corrected;
    assert_eq!(t.len_chars, t.text.chars().count());
    assert!(t.turns.iter().all(|turn| turn.span.end <= t.len_chars));
}

#[test]
fn a_whole_corrected_file_with_a_new_label_and_a_split_turn() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let store = accord::app::Store::open(&project).unwrap();
    let t = accord::app::resolve::transcript(&store, "P01_interview").unwrap();
    // A misheard word, a turn split in two, and a wrong speaker label corrected.
    let text = t
        .text
        .replacen("I'm a form reader", "I'm a form-reader", 1)
        .replacen(
            "I read the form twice. ",
            "I read the form twice.\n\nP01: ",
            1,
        )
        .replacen("Interviewer: Good to know.", "Interviewer 2: Good to know.", 1);
    let file = dir.path().join("P01_corrected.txt");
    std::fs::write(&file, &text).unwrap();
    let c = from_file(&store, "P01_interview", &file).unwrap();
    assert_eq!(c.corrected.text, text);
    assert!(c.turns_reread);
    assert_eq!(c.turns.1, c.turns.0 + 1, "one turn split in two");
    let relabelled = c
        .corrected
        .turns
        .iter()
        .find(|turn| turn.speaker == "Interviewer 2")
        .expect("the new label");
    assert!(c.corrected.text[..].contains("Interviewer 2: Good to know."));
    assert!(relabelled.span.end <= c.corrected.len_chars);
    // Turns that start where an old one started keep its id.
    let kept = c
        .corrected
        .turns
        .iter()
        .filter(|turn| t.turns.iter().any(|old| old.turn_id == turn.turn_id))
        .count();
    assert!(kept >= t.turns.len() - 2, "{kept} of {}", t.turns.len());
    untouched_keep_their_words(&c);
    assert_eq!(c.edits.len(), 3, "{:?}", c.edits);
    // The same text planned with the diff is the file's plan.
    let again = plan(&store, &t, &text, None).unwrap();
    assert_eq!(again.splices, c.splices);
}

#[test]
fn a_deleted_passage_loses_its_codings_and_the_review_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    // The whole of a coded sentence deleted: every coding inside it is lost, by name.
    let run = accord(
        dir.path(),
        &[
            "transcripts",
            "edit",
            p,
            "P01_interview",
            "--replace",
            "That's a terrible first impression for a peer. ",
            "",
        ],
    )
    .success();
    assert!(run.stdout.contains("Correcting P01_interview (1 change):"), "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(
        &accord(
            dir.path(),
            &[
                "transcripts",
                "edit",
                p,
                "P01_interview",
                "--replace",
                "That's a terrible first impression for a peer. ",
                "",
                "--json",
            ],
        )
        .success()
        .stdout,
    )
    .unwrap();
    let codings = json["codings"].as_array().unwrap();
    for ch in codings {
        let before = ch["quote_before"].as_str().unwrap();
        let lost = ch["carried"]["kind"] == "lost";
        let inside = "That's a terrible first impression for a peer. ".contains(before);
        assert_eq!(lost, inside, "{ch}");
    }
    // Bad input: named, nothing written.
    for (old, says) in [
        ("no such words here", "is not in P01_interview"),
        ("the", "occurs"),
        ("", "empty"),
    ] {
        accord(
            dir.path(),
            &["transcripts", "edit", p, "P01_interview", "--replace", old, "x"],
        )
        .failure()
        .stderr_has(says);
    }
    accord(
        dir.path(),
        &["transcripts", "edit", p, "Nope", "--replace", "a", "b"],
    )
    .failure()
    .stderr_has("Nope");
}
