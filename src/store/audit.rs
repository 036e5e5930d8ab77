//! The audit log: one record per change, written in the change's own transaction, so the log and the
//! data never disagree. Later undo and history read it.
//!
//! The type keeps it so: [`Store::write`](super::Store) takes a closure that returns an
//! [`Audited`] value, which only an [`Audit`] record makes (one or more, never none), and `write`
//! stores those records in the transaction before it commits. A write that changed nothing may say
//! so ([`Audited::unchanged`]); `write` checks that it did change nothing.

use rusqlite::Connection;
use serde::Serialize;

use super::{Result, Store, StoreError};
use crate::model::now_rfc3339;

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Order of the change.
    pub seq: i64,
    /// When (RFC 3339).
    pub at: String,
    /// What was done (`import`, `code`, `uncode`, ...).
    pub action: String,
    /// What kind of entity.
    pub entity: String,
    /// Which entity.
    pub entity_id: Option<String>,
    /// Details as JSON.
    pub detail: String,
}

/// An audit record about to be written with its change.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a change is stored only with its audit record: return it from the write"]
pub(super) struct Audit {
    action: String,
    entity: &'static str,
    entity_id: Option<String>,
    detail: serde_json::Value,
}

impl Audit {
    /// A record: what was done, to what kind of entity, which one, and details.
    pub(super) fn new(
        action: &str,
        entity: &'static str,
        entity_id: Option<&str>,
        detail: serde_json::Value,
    ) -> Self {
        Self {
            action: action.to_string(),
            entity,
            entity_id: entity_id.map(str::to_string),
            detail,
        }
    }

    /// The change's result, with this record.
    pub(super) fn with<T>(self, value: T) -> Audited<T> {
        Audited {
            records: vec![self],
            value,
            unchanged: false,
        }
    }

    fn insert(&self, tx: &Connection) -> Result<()> {
        tx.execute(
            "INSERT INTO audit (at, action, entity, entity_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                now_rfc3339(),
                &self.action,
                self.entity,
                self.entity_id.as_deref(),
                self.detail.to_string(),
            ),
        )?;
        Ok(())
    }
}

/// The result of a write with the audit records that say what it did (at least one, unless the
/// write changed nothing). Made only by [`Audit::with`] or [`Audited::unchanged`].
#[derive(Debug)]
#[must_use]
pub(super) struct Audited<T> {
    records: Vec<Audit>,
    value: T,
    unchanged: bool,
}

impl<T> Audited<T> {
    /// A write that changed nothing, so writes no record ([`Store::write`](super::Store) refuses
    /// it, rolling back, when it did change a row).
    pub(super) fn unchanged(value: T) -> Self {
        Self {
            records: Vec::new(),
            value,
            unchanged: true,
        }
    }

    /// Records made earlier in the same change (written first, in their order).
    pub(super) fn after(mut self, earlier: Vec<Audit>) -> Self {
        self.records.splice(0..0, earlier);
        self
    }

    /// Writes the records inside `tx` (which then commits) and gives the result. `changes_before`
    /// is the connection's count of changed rows when the write began.
    pub(super) fn store(self, tx: &Connection, changes_before: u64) -> Result<T> {
        if self.unchanged {
            if tx.total_changes() != changes_before {
                return Err(StoreError::Refused(
                    "a change without its audit record was refused (a bug in Accord); nothing was changed"
                        .into(),
                ));
            }
        } else {
            for record in &self.records {
                record.insert(tx)?;
            }
        }
        Ok(self.value)
    }
}

impl Store {
    /// The audit log, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, action, entity, entity_id, detail FROM audit ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                action: r.get(2)?,
                entity: r.get(3)?,
                entity_id: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::model::{
        CaseId, CodingId, MemoTarget, ProposalId, Rater, RaterId, RaterKind, RoundId, Span,
    };
    use crate::model::{Edit, NewCoding, Proposal, Round};

    /// The (action, entity) of every audit record `change` writes.
    fn records(store: &mut Store, change: impl FnOnce(&mut Store)) -> Vec<(String, String)> {
        let before = store.audit_log().unwrap().len();
        change(store);
        store.audit_log().unwrap()[before..]
            .iter()
            .map(|e| (e.action.clone(), e.entity.clone()))
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(a, e)| ((*a).to_string(), (*e).to_string()))
            .collect()
    }

    #[test]
    #[allow(clippy::too_many_lines)]
    fn every_change_writes_exactly_its_audit_record() {
        let mut store = Store::open_in_memory("t").unwrap();
        assert_eq!(
            store.audit_log().unwrap().len(),
            1,
            "creating the project is audited"
        );
        let t = crate::import::read_transcript_bytes(
            Path::new("P01.txt"),
            b"Interviewer: Hi.\n\nP01: Hello there.\n",
            crate::model::SourceFormat::Txt,
            &crate::import::ImportOptions::default(),
        )
        .unwrap()
        .transcript;
        let book =
            crate::import::codebook_toml::parse("[codebook]\nname='b'\n[[codes]]\nname='A'\n")
                .unwrap();
        let code = book.codes[0].code_id;
        let tid = t.transcript_id;

        let r = records(&mut store, |s| {
            s.insert_transcript(&t, Some("P01")).unwrap();
        });
        assert_eq!(r, pairs(&[("create", "case"), ("import", "transcript")]));
        let r = records(&mut store, |s| {
            s.import_codebook(&book, "b").unwrap();
        });
        assert_eq!(r, pairs(&[("import", "codebook")]));
        let mut ana = None;
        let r = records(&mut store, |s| {
            ana = Some(s.add_rater("Ana", RaterKind::Human).unwrap());
        });
        assert_eq!(r, pairs(&[("create", "rater")]));
        let ana = ana.unwrap();
        let ben = Rater {
            rater_id: RaterId::new_random(),
            name: "Ben".into(),
            kind: RaterKind::Human,
        };
        let r = records(&mut store, |s| s.insert_rater(&ben).unwrap());
        assert_eq!(r, pairs(&[("create", "rater")]));
        let r = records(&mut store, |s| s.insert_rater(&ben).unwrap());
        assert_eq!(r, pairs(&[]), "a rater already stored changes nothing");
        let r = records(&mut store, |s| {
            s.link_pass(ben.rater_id, ana.rater_id).unwrap();
        });
        assert_eq!(r, pairs(&[("second-pass", "rater")]));

        let coding = NewCoding {
            coding_id: CodingId::new_random(),
            transcript_id: tid,
            code_id: code,
            rater_id: ana.rater_id,
            span: Span::new(23, 28),
            memo: None,
            created_at: None,
        };
        let r = records(&mut store, |s| {
            s.add_codings(std::slice::from_ref(&coding), "code")
                .unwrap();
        });
        assert_eq!(r, pairs(&[("code", "codings")]));
        let r = records(&mut store, |s| {
            s.remove_codings(&[coding.coding_id], None).unwrap();
        });
        assert_eq!(r, pairs(&[("uncode", "codings")]));
        let r = records(&mut store, |s| {
            s.edit(&Edit {
                restore: vec![coding.coding_id],
                action: "restore".into(),
                ..Edit::default()
            })
            .unwrap();
        });
        assert_eq!(r, pairs(&[("restore", "edit")]));

        let mut memo = None;
        let r = records(&mut store, |s| {
            memo = Some(s.add_memo(MemoTarget::Project, None, "note").unwrap());
        });
        assert_eq!(r, pairs(&[("create", "memo")]));
        let memo = memo.unwrap();
        let r = records(&mut store, |s| s.delete_memo(memo.memo_id).unwrap());
        assert_eq!(r, pairs(&[("delete", "memo")]));
        let r = records(&mut store, |s| s.restore_memo(&memo).unwrap());
        assert_eq!(r, pairs(&[("restore", "memo")]));
        let r = records(&mut store, |s| s.set_setting("x", Some("1")).unwrap());
        assert_eq!(r, pairs(&[("set", "setting")]));

        let mut proposed = book.codes[0].clone();
        proposed.short_definition = "changed".into();
        let proposal = Proposal {
            proposal_id: ProposalId::new_random(),
            rater_id: Some(ana.rater_id),
            base_version: 1,
            proposed,
            note: "why".into(),
            created_at: crate::model::now_rfc3339(),
            status: "open".into(),
            decision_note: None,
        };
        let r = records(&mut store, |s| s.add_proposal(&proposal).unwrap());
        assert_eq!(r, pairs(&[("propose", "code")]));
        let id = proposal.proposal_id;
        let r = records(&mut store, |s| s.reject_proposal(id, "no").unwrap());
        assert_eq!(r, pairs(&[("rejected", "proposal")]));
        let r = records(&mut store, |s| s.reopen_proposal(id).unwrap());
        assert_eq!(r, pairs(&[("reopen", "proposal")]));
        let r = records(&mut store, |s| s.delete_proposal(id).unwrap());
        assert_eq!(r, pairs(&[("delete", "proposal")]));
        let r = records(&mut store, |s| s.restore_proposal(&proposal).unwrap());
        assert_eq!(r, pairs(&[("restore", "proposal")]));

        let round = Round {
            round_id: RoundId::new_random(),
            name: "R1".into(),
            codebook_version: 1,
            unit: "char".into(),
            created_at: crate::model::now_rfc3339(),
            computed_at: None,
            transcripts: vec![tid],
            raters: vec![ana.rater_id],
        };
        let r = records(&mut store, |s| s.add_round(&round).unwrap());
        assert_eq!(r, pairs(&[("create", "round")]));
        let r = records(&mut store, |s| {
            s.set_round_results(round.round_id, &[(code, "{}".into())], "now")
                .unwrap();
        });
        assert_eq!(r, pairs(&[("compute", "round")]));
        let rule = crate::model::RoundRule {
            statistic: "kappa".into(),
            lower_bound: 0.7,
            set_at: "now".into(),
        };
        let r = records(&mut store, |s| {
            s.set_round_rule(round.round_id, Some(&rule)).unwrap();
        });
        assert_eq!(r, pairs(&[("set-rule", "round")]));
        let r = records(&mut store, |s| {
            s.set_round_rule(round.round_id, None).unwrap();
        });
        assert_eq!(r, pairs(&[("clear-rule", "round")]));
        let r = records(&mut store, |s| s.remove_round(round.round_id).unwrap());
        assert_eq!(r, pairs(&[("remove", "round")]));

        let r = records(&mut store, |s| {
            s.insert_case(CaseId::new_random(), "P02").unwrap();
        });
        assert_eq!(r, pairs(&[("create", "case")]));
        let rows = vec![
            (
                "P01".to_string(),
                BTreeMap::from([("age".to_string(), "30".to_string())]),
            ),
            (
                "P03".to_string(),
                BTreeMap::from([("age".to_string(), "40".to_string())]),
            ),
        ];
        let r = records(&mut store, |s| {
            s.set_attributes(&rows, true).unwrap();
        });
        assert_eq!(r, pairs(&[("create", "case"), ("set", "attributes")]));
        let r = records(&mut store, |s| s.replace_attributes(&rows[..1]).unwrap());
        assert_eq!(r, pairs(&[("replace", "attributes")]));
        let r = records(&mut store, |s| {
            s.remove_empty_cases(&["P02".to_string(), "P03".to_string()])
                .unwrap();
        });
        assert_eq!(r, pairs(&[("remove", "cases")]));

        let mut step = 0;
        let r = records(&mut store, |s| {
            step = s.push_step("Code", "{}", "{}").unwrap();
        });
        assert_eq!(r, pairs(&[]), "the undo history is not project data");
        let r = records(&mut store, |s| s.set_step_done(step, false).unwrap());
        assert_eq!(r, pairs(&[("undo", "step")]));

        let r = records(&mut store, |s| {
            s.remove_transcript(tid).unwrap();
        });
        assert_eq!(r, pairs(&[("remove", "transcript")]));
        let r = records(&mut store, |s| s.restore_transcript(tid).unwrap());
        assert_eq!(r, pairs(&[("restore", "transcript")]));

        let cy = Rater {
            rater_id: RaterId::new_random(),
            name: "Cy".into(),
            kind: RaterKind::Human,
        };
        store.insert_rater(&cy).unwrap();
        let r = records(&mut store, |s| s.remove_rater(cy.rater_id).unwrap());
        assert_eq!(r, pairs(&[("remove", "rater")]));
        let r = records(&mut store, |s| s.restore_rater(&cy).unwrap());
        assert_eq!(r, pairs(&[("restore", "rater")]));

        let r = records(&mut store, |s| {
            s.erase_transcripts(&[tid]).unwrap();
        });
        assert_eq!(r, pairs(&[("erase", "transcripts")]));
    }

    #[test]
    fn a_change_said_to_be_unchanged_is_refused_and_rolled_back() {
        let mut store = Store::open_in_memory("t").unwrap();
        let err = store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO project (key, value) VALUES ('setting.x', '1')",
                    [],
                )?;
                Ok(Audited::unchanged(()))
            })
            .unwrap_err();
        assert!(err.to_string().contains("audit record"), "{err}");
        assert_eq!(store.setting("x").unwrap(), None);
        assert_eq!(store.audit_log().unwrap().len(), 1);
    }
}
