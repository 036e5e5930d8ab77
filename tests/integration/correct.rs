//! Correcting a transcript after coding (issue 19): what a correction does to every rater's
//! codings, worked out before anything is written. A `--replace` is one known change; a whole
//! corrected file is compared by a character diff; codings whose words nobody touched keep their
//! words, and the review counts and lists the rest.

use accord::app::correct::{Correction, from_file, plan, replace};
use accord::model::anchors::Carried;

use crate::support::{accord, demo};

/// A passage of the demo's P01 that Maya Chen coded exactly (deleting it loses that coding).
pub(crate) const CODED_PASSAGE: &str = "They'd had a part-time person before me, a man who was there for about six months and then left, and I didn't know why he left at the time. I figured it out.";

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
    assert!(
        !c.turns_reread,
        "a change inside a turn's words keeps the turns"
    );
    assert_eq!(c.turns.0, c.turns.1);
    untouched_keep_their_words(&c);
    let resized: Vec<_> = c
        .codings
        .iter()
        .filter(|ch| matches!(ch.carried, Carried::Resized(_)))
        .collect();
    assert!(!resized.is_empty());
    for ch in &resized {
        assert!(
            ch.quote_before.contains("terrible first impression"),
            "{ch:?}"
        );
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
        .replacen(
            "Interviewer: Good to know.",
            "Interviewer 2: Good to know.",
            1,
        );
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
            CODED_PASSAGE,
            "",
        ],
    )
    .success();
    assert!(
        run.stdout.contains("Correcting P01_interview (1 change):"),
        "{}",
        run.stdout
    );
    let json: serde_json::Value = serde_json::from_str(
        &accord(
            dir.path(),
            &[
                "transcripts",
                "edit",
                p,
                "P01_interview",
                "--replace",
                CODED_PASSAGE,
                "",
                "--json",
            ],
        )
        .success()
        .stdout,
    )
    .unwrap();
    let codings = json["codings"].as_array().unwrap();
    assert!(
        codings.iter().any(|c| c["carried"]["kind"] == "lost"),
        "a coding of exactly that passage is lost"
    );
    for ch in codings {
        let before = ch["quote_before"].as_str().unwrap();
        let lost = ch["carried"]["kind"] == "lost";
        let inside = CODED_PASSAGE.contains(before);
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
            &[
                "transcripts",
                "edit",
                p,
                "P01_interview",
                "--replace",
                old,
                "x",
            ],
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

/// A transcript's text, turns and every coding (id, start, end, removed or not).
pub(crate) type State = (
    String,
    Vec<accord::model::Turn>,
    Vec<(String, usize, usize, bool)>,
);

/// A transcript's state as undo must give it back.
pub(crate) fn state(store: &accord::app::Store, name: &str) -> State {
    let t = accord::app::resolve::transcript(store, name).unwrap();
    let mut codings: Vec<_> = store
        .codings(&accord::model::CodingFilter {
            transcripts: vec![t.transcript_id],
            include_removed: true,
            ..accord::model::CodingFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                c.coding_id.to_text(),
                c.span.start,
                c.span.end,
                c.removed_at.is_some(),
            )
        })
        .collect();
    codings.sort();
    (t.text, t.turns, codings)
}

#[test]
fn a_correction_is_written_undone_and_redone_exactly() {
    use accord::app::{Command, TranscriptCommand, Workspace};
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut ws = Workspace::open(&project).unwrap();
    let before = state(ws.store(), "P01_interview");
    // A sentence with codings inside deleted, and a word replaced elsewhere.
    let t = accord::app::resolve::transcript(ws.store(), "P01_interview").unwrap();
    let text =
        t.text
            .replacen(CODED_PASSAGE, "", 1)
            .replacen("I'm a form reader", "I'm a form-reader", 1);
    let c = plan(ws.store(), &t, &text, None).unwrap();
    let lost: Vec<_> = c
        .codings
        .iter()
        .filter(|ch| !ch.removed && ch.carried == Carried::Lost)
        .map(|ch| ch.coding_id)
        .collect();
    assert!(!lost.is_empty(), "a coding of exactly that passage is lost");
    let write = c.to_write(None);
    ws.apply(
        "Correct",
        Command::Transcripts(TranscriptCommand::Correct(Box::new(write))),
    )
    .unwrap();
    let after = state(ws.store(), "P01_interview");
    assert_eq!(after.0, text);
    assert_eq!(ws.store().transcript_version(t.transcript_id).unwrap(), 2);
    // Every coding kept its id; the lost ones are removed, their words kept.
    assert_eq!(after.2.len(), before.2.len());
    for id in &lost {
        let row = after.2.iter().find(|r| r.0 == id.to_text()).unwrap();
        assert!(row.3, "a lost coding is removed");
        let (span, quote) = ws.store().coding_loss(*id).unwrap().expect("its loss kept");
        assert!(CODED_PASSAGE.contains(&quote));
        assert_eq!(span.end - span.start, quote.chars().count());
    }
    // Untouched codings quote the same words.
    for ch in &c.codings {
        if let Carried::Same(s) | Carried::Moved(s) = ch.carried {
            let now: String = text.chars().skip(s.start).take(s.end - s.start).collect();
            assert_eq!(now, ch.quote_before);
        }
    }
    ws.undo().unwrap();
    assert_eq!(
        state(ws.store(), "P01_interview"),
        before,
        "undo gives back the text, turns and codings exactly"
    );
    for id in &lost {
        assert!(ws.store().coding_loss(*id).unwrap().is_none());
    }
    ws.redo().unwrap();
    assert_eq!(state(ws.store(), "P01_interview"), after);
    ws.undo().unwrap();
    assert_eq!(state(ws.store(), "P01_interview"), before);
    assert!(ws.store().integrity_check().unwrap().is_empty());
}

#[test]
fn the_agreement_report_changes_only_where_the_edit_changed_the_passages() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let report = |dir: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(
            &accord(
                dir,
                &["agreement", p, "--format", "json", "--replicates", "0"],
            )
            .success()
            .stdout,
        )
        .unwrap()
    };
    let before = report(dir.path());
    // "terrible" -> "awful": three characters fewer, inside a passage both raters coded.
    let review: serde_json::Value = serde_json::from_str(
        &accord(
            dir.path(),
            &[
                "transcripts",
                "edit",
                p,
                "P01_interview",
                "--replace",
                "terrible first impression",
                "awful first impression",
                "--json",
            ],
        )
        .success()
        .stdout,
    )
    .unwrap();
    let resized: std::collections::BTreeSet<String> = review["codings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["carried"]["kind"] == "resized")
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect();
    assert!(!resized.is_empty());
    accord(
        dir.path(),
        &[
            "transcripts",
            "edit",
            p,
            "P01_interview",
            "--replace",
            "terrible first impression",
            "awful first impression",
            "--apply",
        ],
    )
    .success()
    .stdout_has("text version 2");
    // Search reads the text as it is now (the index follows the correction).
    accord(dir.path(), &["search", p, "\"awful first impression\""])
        .success()
        .stdout_has("1 of 1 matching turns");
    accord(dir.path(), &["search", p, "\"terrible first impression\""])
        .success()
        .stdout_has("0 of 0");
    let after = report(dir.path());
    let rows = |r: &serde_json::Value| -> std::collections::BTreeMap<String, serde_json::Value> {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row["code"].as_str().unwrap().to_string(), row.clone()))
            .collect()
    };
    let (b, a) = (rows(&before), rows(&after));
    assert_eq!(b.len(), a.len());
    for (code, row) in &b {
        let new = &a[code];
        // Every code compares three characters fewer (the text is shorter).
        assert_eq!(
            new["units"].as_u64().unwrap() + 3,
            row["units"].as_u64().unwrap(),
            "{code}"
        );
        if resized.contains(code) {
            continue;
        }
        // A code no edited coding has: what each rater coded, and where they differ, is as it was.
        assert_eq!(new["coded_by_rater"], row["coded_by_rater"], "{code}");
        assert_eq!(new["disagreements"], row["disagreements"], "{code}");
    }
    for code in &resized {
        let (old, new) = (&b[code]["coded_by_rater"], &a[code]["coded_by_rater"]);
        let shrunk: Vec<i64> = old
            .as_array()
            .unwrap()
            .iter()
            .zip(new.as_array().unwrap())
            .map(|(o, n)| o.as_i64().unwrap() - n.as_i64().unwrap())
            .collect();
        assert!(
            shrunk.iter().all(|d| *d == 0 || *d == 3),
            "{code}: {shrunk:?}"
        );
        assert!(shrunk.contains(&3), "{code}: {shrunk:?}");
    }
}

#[test]
fn a_rater_file_proposes_a_correction_that_the_lead_reviews_accepts_or_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    let file = d.join("maya.accord");
    let f = file.to_str().unwrap();
    accord(
        d,
        &[
            "rater-file",
            p,
            "--rater",
            "Maya Chen",
            "--transcripts",
            "P01_interview",
            "--out",
            f,
        ],
    )
    .success();
    let edit = |project: &str, old: &str, new: &str, note: &str| {
        accord(
            d,
            &[
                "transcripts",
                "edit",
                project,
                "P01_interview",
                "--replace",
                old,
                new,
                "--apply",
                "--note",
                note,
            ],
        )
    };
    // A rater file's transcript is the lead's: a time stamp cannot even be proposed, and the
    // file is left as it was.
    let before = crate::support::snapshot(&file);
    accord(
        d,
        &[
            "transcripts",
            "edit",
            f,
            "P01_interview",
            "--turn",
            "1",
            "--time",
            "00:00:05",
            "--apply",
        ],
    )
    .failure()
    .stderr_has("not a time stamp");
    assert_eq!(crate::support::snapshot(&file), before);
    // Words are proposed: the file keeps its text, and its list shows the proposal.
    edit(
        f,
        "terrible first impression",
        "awful first impression",
        "misheard",
    )
    .success()
    .stdout_has("proposed the correction of P01_interview to the lead");
    edit(
        f,
        "I read the form twice.",
        "I read the form three times.",
        "",
    )
    .success();
    let text_of = |project: &std::path::Path| {
        let store = accord::Store::open(project).unwrap();
        let id = store
            .find_transcript("P01_interview")
            .unwrap()
            .transcript_id;
        store.transcript(id).unwrap().text
    };
    assert!(text_of(&file).contains("terrible first impression"));
    accord(d, &["proposals", "list", f])
        .success()
        .stdout_has("correction of P01_interview by Maya Chen (1 change)");
    // Merged to the lead, with the rater's work; merging again brings nothing new.
    accord(d, &["merge", p, f])
        .success()
        .stdout_has("2 proposed corrections");
    accord(d, &["merge", p, f])
        .success()
        .stdout_has("nothing new");
    let listed: serde_json::Value = serde_json::from_str(
        &accord(d, &["proposals", "list", p, "--json"])
            .success()
            .stdout,
    )
    .unwrap();
    let corrections: Vec<&serde_json::Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == "correction")
        .collect();
    assert_eq!(corrections.len(), 2, "{listed}");
    let id_of = |word: &str| {
        corrections
            .iter()
            .find(|c| c["edits"][0][1].as_str().unwrap().contains(word))
            .unwrap()["id"]
            .as_str()
            .unwrap()[..8]
            .to_string()
    };
    let (awful, three) = (id_of("awful"), id_of("three"));
    assert_eq!(corrections[0]["note"].as_str(), Some("misheard"));
    // The lead reads the review before deciding: the change and what it does to the codings.
    accord(d, &["proposals", "show", p, &awful])
        .success()
        .stdout_has("\"terrible\" -> \"awful\"")
        .stdout_has("Codings:");
    let codings_before = crate::support::codings_json(d, p);
    accord(d, &["proposals", "accept", p, &awful, "--note", "yes"])
        .success()
        .stdout_has("accepted correction proposal");
    let corrected = text_of(&project);
    assert!(corrected.contains("awful first impression"));
    assert!(!corrected.contains("terrible first impression"));
    // Every coding is carried: as many as before, those away from the word with the same words.
    let codings_after = crate::support::codings_json(d, p);
    assert_eq!(codings_after.len(), codings_before.len());
    let unchanged = codings_before
        .iter()
        .filter(|(_, q)| !q.contains("terrible"))
        .filter(|c| codings_after.contains(c))
        .count();
    assert_eq!(
        unchanged,
        codings_before
            .iter()
            .filter(|(_, q)| !q.contains("terrible"))
            .count()
    );
    assert!(
        codings_after
            .iter()
            .any(|(_, q)| q.contains("awful first impression"))
    );
    accord(
        d,
        &["proposals", "reject", p, &three, "--note", "it was twice"],
    )
    .success()
    .stdout_has("rejected correction proposal");
    assert!(text_of(&project).contains("I read the form twice."));
    accord(d, &["proposals", "list", p])
        .success()
        .stdout_has("decision: it was twice")
        .stdout_has("0 open");
    // Undo takes the rejection and the acceptance back: the text and every coding as before, the
    // proposals open again.
    accord(d, &["undo", p]).success();
    accord(d, &["undo", p]).success();
    assert!(text_of(&project).contains("terrible first impression"));
    assert_eq!(crate::support::codings_json(d, p), codings_before);
    accord(d, &["proposals", "list", p])
        .success()
        .stdout_has("2 open");
    // Once the lead has corrected the text otherwise, the proposal cannot be accepted as it is:
    // refused, naming why, nothing written.
    edit(
        p,
        "I read the form twice.",
        "I read the form twice, slowly.",
        "",
    )
    .success();
    accord(d, &["proposals", "list", p])
        .success()
        .stdout_has("the text has changed since");
    let before = crate::support::snapshot(&project);
    accord(d, &["proposals", "accept", p, &awful])
        .failure()
        .stderr_has("has changed since this correction was proposed");
    assert_eq!(crate::support::snapshot(&project), before);
}

mod random_edits {
    //! Random insertions, deletions, replacements, turn splits and merges on a coded transcript:
    //! every coding whose characters were not touched quotes the same words after, and undo gives
    //! back the text, turns and codings exactly.
    use accord::app::{Command, TranscriptCommand, Workspace};
    use accord::model::anchors::Carried;
    use proptest::prelude::*;

    /// One edit, as offsets into the text's chars (taken modulo its length).
    #[derive(Debug, Clone)]
    enum Edit {
        Insert(usize, String),
        Delete(usize, usize),
        Replace(usize, usize, String),
        Split(usize),
        Merge(usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<usize>(), "[a-z ]{1,12}").prop_map(|(at, s)| Edit::Insert(at, s)),
            (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
            (any::<usize>(), 1usize..20, "[a-z ]{1,12}")
                .prop_map(|(at, n, s)| Edit::Replace(at, n, s)),
            any::<usize>().prop_map(Edit::Split),
            any::<usize>().prop_map(Edit::Merge),
        ]
    }

    /// The text with the edit made, and the old chars it touched (`start..end`, or the insertion
    /// point as `at..at`).
    fn apply(text: &str, e: &Edit) -> Option<(String, usize, usize)> {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let splice = |s: usize, e: usize, new: &str| -> String {
            chars[..s]
                .iter()
                .chain(new.chars().collect::<Vec<_>>().iter())
                .chain(chars[e..].iter())
                .collect()
        };
        match e {
            Edit::Insert(at, s) => {
                let at = at % n;
                Some((splice(at, at, s), at, at))
            }
            Edit::Delete(at, len) => {
                let at = at % n;
                let end = (at + len).min(n);
                Some((splice(at, end, ""), at, end))
            }
            Edit::Replace(at, len, s) => {
                let at = at % n;
                let end = (at + len).min(n);
                Some((splice(at, end, s), at, end))
            }
            Edit::Split(at) => {
                // After a full stop followed by a space, inside a participant's turn.
                let stops: Vec<usize> = (1..n.saturating_sub(1))
                    .filter(|&i| chars[i - 1] == '.' && chars[i] == ' ')
                    .collect();
                let i = *stops.get(at % stops.len().max(1))?;
                Some((splice(i, i + 1, "\n\nP01: "), i, i + 1))
            }
            Edit::Merge(at) => {
                // A blank line and the next label taken away: two turns become one.
                let starts: Vec<usize> = text
                    .match_indices("\n\nP01: ")
                    .map(|(b, _)| text[..b].chars().count())
                    .collect();
                let i = *starts.get(at % starts.len().max(1))?;
                Some((splice(i, i + 7, " "), i, i + 7))
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
        #[test]
        fn untouched_codings_keep_their_words_and_undo_is_exact(e in edit()) {
            let dir = tempfile::tempdir().unwrap();
            let project = crate::support::demo(dir.path());
            let mut ws = Workspace::open(&project).unwrap();
            let before = super::state(ws.store(), "P01_interview");
            let t = accord::app::resolve::transcript(ws.store(), "P01_interview").unwrap();
            let Some((text, start, end)) = apply(&t.text, &e) else { return Ok(()); };
            // The place is known (as for --replace and the window's edits): the splice itself. (A
            // diff of the two texts may place an ambiguous edit, "e" inserted before "ex", one
            // character off; `model::anchors` checks the diff path on its own.)
            let splice = accord::model::anchors::Splice {
                start,
                end,
                new_len: text.chars().count() + (end - start) - t.text.chars().count(),
            };
            let c = accord::app::correct::plan(ws.store(), &t, &text, Some(&[splice])).unwrap();
            for ch in &c.codings {
                let touched = if start == end {
                    ch.before.start < start && start < ch.before.end
                } else {
                    ch.before.start < end && start < ch.before.end
                };
                if !touched {
                    prop_assert_eq!(ch.quote_after.as_deref(), Some(ch.quote_before.as_str()), "{:?} {:?}", e, ch);
                }
            }
            ws.apply("Correct", Command::Transcripts(TranscriptCommand::Correct(Box::new(c.to_write(None))))).unwrap();
            let after = super::state(ws.store(), "P01_interview");
            prop_assert_eq!(&after.0, &text);
            for ch in &c.codings {
                if let Some(s) = ch.carried.span() {
                    let now: String = text.chars().skip(s.start).take(s.end - s.start).collect();
                    prop_assert_eq!(Some(now), ch.quote_after.clone());
                } else {
                    prop_assert!(matches!(ch.carried, Carried::Lost));
                }
            }
            ws.undo().unwrap();
            prop_assert_eq!(super::state(ws.store(), "P01_interview"), before);
        }
    }
}

#[test]
fn a_rater_file_issued_before_two_corrections_merges_on_the_right_words() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let file = dir.path().join("maya.accord");
    let f = file.to_str().unwrap();
    accord(
        dir.path(),
        &[
            "rater-file",
            p,
            "--rater",
            "Maya Chen",
            "--transcripts",
            "P01_interview",
            "--out",
            f,
        ],
    )
    .success();
    // Maya codes in her file, on the text as issued.
    for (code, quote) in [
        ("Peerness", "I read the form twice."),
        (
            "Own recovery",
            "That's a terrible first impression for a peer.",
        ),
        ("Role clarity", "You want them to meet you as a person"),
    ] {
        accord(
            dir.path(),
            &[
                "code",
                f,
                "-t",
                "P01_interview",
                "-c",
                code,
                "-r",
                "Maya Chen",
                "--quote",
                quote,
            ],
        )
        .success();
    }
    // Meanwhile the lead corrects the transcript twice: words added before her first passage, then
    // her second passage deleted, and a word inside her third changed.
    for (old, new) in [
        ("Yes, absolutely.", "Yes, absolutely, yes."),
        ("That's a terrible first impression for a peer. ", ""),
        ("to meet you as a person", "to meet you as a human person"),
    ] {
        accord(
            dir.path(),
            &[
                "transcripts",
                "edit",
                p,
                "P01_interview",
                "--replace",
                old,
                new,
                "--apply",
            ],
        )
        .success();
    }
    let run = accord(dir.path(), &["merge", p, f]).success();
    assert!(
        run.stdout.contains(
            "carried through the corrections made here since the file was issued: P01_interview"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("lost (a correction deleted its words; kept as removed, with them): \"That's a terrible first impression for a peer.\""),
        "{}",
        run.stdout
    );
    let listed: serde_json::Value = serde_json::from_str(
        &accord(
            dir.path(),
            &["codings", "list", p, "--rater", "Maya Chen", "--json"],
        )
        .success()
        .stdout,
    )
    .unwrap();
    let quote_of = |code: &str| -> Vec<String> {
        listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["code"].as_str().unwrap().ends_with(code))
            .map(|c| c["quote"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(quote_of("Peerness").contains(&"I read the form twice.".to_string()));
    assert!(
        quote_of("Role clarity")
            .contains(&"You want them to meet you as a human person".to_string()),
        "{:?}",
        quote_of("Role clarity")
    );
    // The lost one is not live, and its words are kept.
    assert!(
        !quote_of("Own recovery")
            .iter()
            .any(|q| q.contains("terrible first impression"))
    );
    // Merging again changes nothing.
    accord(dir.path(), &["merge", p, f])
        .success()
        .stdout_has("nothing new");
}

#[test]
fn a_turns_time_stamp_is_fixed_and_words_corrected_in_a_subtitle_transcript_keep_the_times() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let turns = |_: &std::path::Path| -> Vec<accord::model::Turn> {
        let store = accord::app::Store::open(&project).unwrap();
        accord::app::resolve::transcript(&store, "P02_interview")
            .unwrap()
            .turns
    };
    let before = turns(dir.path());
    assert!(
        before[2].start_ms.is_some(),
        "a WebVTT transcript has times"
    );
    let run = accord(
        dir.path(),
        &[
            "transcripts",
            "edit",
            p,
            "P02_interview",
            "--turn",
            "3",
            "--time",
            "00:01:02.5-00:01:09",
        ],
    )
    .success();
    assert!(run.stdout.contains("turn 3's time"), "{}", run.stdout);
    assert!(
        run.stdout.contains("-> 00:01:02-00:01:09"),
        "{}",
        run.stdout
    );
    assert_eq!(turns(dir.path()), before, "nothing written without --apply");
    accord(
        dir.path(),
        &[
            "transcripts",
            "edit",
            p,
            "P02_interview",
            "--turn",
            "3",
            "--time",
            "00:01:02.5-00:01:09",
            "--apply",
        ],
    )
    .success()
    .stdout_has("text version 1");
    let after = turns(dir.path());
    assert_eq!(after[2].start_ms, Some(62_500));
    assert_eq!(after[2].end_ms, Some(69_000));
    for (i, (a, b)) in after.iter().zip(&before).enumerate() {
        if i != 2 {
            assert_eq!(a, b);
        }
    }
    // A word corrected inside a turn's words: every turn keeps its id, speaker and times.
    let t = {
        let store = accord::app::Store::open(&project).unwrap();
        accord::app::resolve::transcript(&store, "P02_interview").unwrap()
    };
    let words: String = t
        .text
        .chars()
        .skip(t.turns[4].content_span().start)
        .take(12)
        .collect();
    let replaced = format!("{words} [sic]");
    accord(
        dir.path(),
        &[
            "transcripts",
            "edit",
            p,
            "P02_interview",
            "--replace",
            &words,
            &replaced,
            "--apply",
        ],
    )
    .success();
    let again = turns(dir.path());
    assert_eq!(again.len(), after.len());
    for (a, b) in again.iter().zip(&after) {
        assert_eq!(
            (a.turn_id, &a.speaker, a.start_ms, a.end_ms),
            (b.turn_id, &b.speaker, b.start_ms, b.end_ms)
        );
    }
    // Undo twice: the times as they were.
    accord(dir.path(), &["undo", p]).success();
    accord(dir.path(), &["undo", p]).success();
    assert_eq!(turns(dir.path()), before);
    // Bad input.
    for (turn, time, says) in [
        ("999", "00:00:01", "has turns 1 to"),
        ("3", "00:01:09-00:01:02", "is after the end"),
        ("3", "1:75", "not a time stamp"),
    ] {
        accord(
            dir.path(),
            &[
                "transcripts",
                "edit",
                p,
                "P02_interview",
                "--turn",
                turn,
                "--time",
                time,
            ],
        )
        .failure()
        .stderr_has(says);
    }
}

#[test]
fn a_lost_coding_is_listed_with_its_words_and_placed_again_by_choice() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    accord(
        dir.path(),
        &[
            "transcripts",
            "edit",
            p,
            "P01_interview",
            "--replace",
            CODED_PASSAGE,
            "",
            "--apply",
        ],
    )
    .success()
    .stdout_has("1 lost");
    let listed: serde_json::Value = serde_json::from_str(
        &accord(dir.path(), &["codings", "lost", p, "--json"])
            .success()
            .stdout,
    )
    .unwrap();
    let lost = &listed.as_array().unwrap()[0];
    assert_eq!(lost["quote"], CODED_PASSAGE);
    assert_eq!(lost["rater"], "Maya Chen");
    let id = lost["coding_id"].as_str().unwrap().to_string();
    // Placed again on words still there: the same coding, live again, on them.
    let words = "I read the form twice.";
    let before = accord(dir.path(), &["codings", "list", p, "--json"])
        .success()
        .stdout;
    let live_before = serde_json::from_str::<serde_json::Value>(&before).unwrap();
    accord(
        dir.path(),
        &["codings", "place", p, &id[..8], "--quote", words],
    )
    .success()
    .stdout_has("placed Maya Chen");
    let now: serde_json::Value = serde_json::from_str(
        &accord(dir.path(), &["codings", "list", p, "--json"])
            .success()
            .stdout,
    )
    .unwrap();
    let placed = now
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coding_id"] == id.as_str())
        .expect("live again, with its id");
    assert_eq!(placed["quote"], words);
    assert_eq!(
        now.as_array().unwrap().len(),
        live_before.as_array().unwrap().len() + 1
    );
    accord(dir.path(), &["codings", "lost", p])
        .success()
        .stdout_has("0 lost codings");
    // Undo: lost again, with its words.
    accord(dir.path(), &["undo", p]).success();
    accord(dir.path(), &["codings", "lost", p])
        .success()
        .stdout_has("1 lost codings");
    // Only a lost coding can be placed again.
    let some_live = live_before.as_array().unwrap()[0]["coding_id"]
        .as_str()
        .unwrap()
        .to_string();
    accord(
        dir.path(),
        &["codings", "place", p, &some_live, "--quote", words],
    )
    .failure()
    .stderr_has("no lost coding");
}

/// A memo on a passage follows its words through a correction, stays (as a point) where its words
/// were deleted, and undo puts both back exactly.
#[test]
fn memos_on_passages_follow_the_words_and_undo_is_exact() {
    use accord::app::{Command, MemoCommand, Outcome, TranscriptCommand, Workspace};
    use accord::model::{MemoTarget, Span};
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut ws = Workspace::open(&project).unwrap();
    let t = accord::app::resolve::transcript(ws.store(), "P01_interview").unwrap();
    let kept_words = "I'm a form reader, that's kind of my thing.";
    let memo_on = |ws: &mut Workspace, words: &str| {
        let span = accord::app::resolve::quote_span(&t, words).unwrap();
        let Outcome::Memo(memo) = ws
            .apply(
                "Memo on a passage",
                Command::Memos(MemoCommand::Add {
                    target: MemoTarget::Passage {
                        transcript: t.transcript_id,
                        span,
                    },
                    rater: None,
                    text: format!("on {words}"),
                }),
            )
            .unwrap()
        else {
            panic!("no memo")
        };
        memo.memo_id
    };
    let kept = memo_on(&mut ws, kept_words);
    let gone = memo_on(&mut ws, CODED_PASSAGE);
    let spans = |ws: &Workspace| -> Vec<(accord::model::MemoId, Span)> {
        let mut out: Vec<_> = ws
            .store()
            .all_memos()
            .unwrap()
            .into_iter()
            .filter_map(|m| match m.target {
                MemoTarget::Passage { span, .. } => Some((m.memo_id, span)),
                _ => None,
            })
            .collect();
        out.sort();
        out
    };
    let before = spans(&ws);
    // Words inserted before both passages, then the second passage deleted.
    for (old, new) in [
        ("Yes, absolutely.", "Yes, absolutely, yes."),
        (CODED_PASSAGE, ""),
    ] {
        let c = replace(ws.store(), "P01_interview", old, new).unwrap();
        ws.apply(
            "Correct",
            Command::Transcripts(TranscriptCommand::Correct(Box::new(c.to_write(None)))),
        )
        .unwrap();
    }
    let now = accord::app::resolve::transcript(ws.store(), "P01_interview").unwrap();
    let after = spans(&ws);
    let span_of = |id| after.iter().find(|(m, _)| *m == id).unwrap().1;
    let chars: Vec<char> = now.text.chars().collect();
    let words = |s: Span| chars[s.start..s.end].iter().collect::<String>();
    assert_eq!(words(span_of(kept)), kept_words);
    assert!(
        span_of(gone).is_empty(),
        "kept, at the place its words were: {:?} {:?}",
        span_of(gone),
        words(span_of(gone))
    );
    ws.undo().unwrap();
    ws.undo().unwrap();
    assert_eq!(spans(&ws), before);
}

/// A whole corrected file in which a passage is deleted that begins with the words just before it
/// (`he'd had. They'd had ...`): the diff could keep those words of the passage and shrink its
/// coding to them. The review shows the two changes as made, and the coding of the passage lost.
#[test]
fn a_deleted_passage_that_repeats_the_words_before_it_is_deleted_whole() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let store = accord::Store::open(&project).unwrap();
    let source = crate::support::root().join("samples/transcripts/P01_interview.txt");
    let text = std::fs::read_to_string(source).unwrap();
    let fixed = dir.path().join("P01_fixed.txt");
    std::fs::write(
        &fixed,
        text.replacen("Yes, absolutely.", "Yes, absolutely, yes.", 1)
            .replacen(CODED_PASSAGE, "", 1),
    )
    .unwrap();
    let c = from_file(&store, "P01_interview", &fixed).unwrap();
    assert_eq!(
        c.edits,
        vec![
            (String::new(), ", yes".to_string()),
            (CODED_PASSAGE.to_string(), String::new())
        ]
    );
    let passage: Vec<_> = c
        .codings
        .iter()
        .filter(|ch| ch.quote_before == CODED_PASSAGE)
        .collect();
    assert!(!passage.is_empty());
    assert!(
        passage.iter().all(|ch| ch.carried == Carried::Lost),
        "{passage:?}"
    );
    untouched_keep_their_words(&c);
}
