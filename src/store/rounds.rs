//! Reliability rounds: a set of transcripts coded by a set of raters under one codebook version,
//! and each code's agreement in that round, kept as it was computed.

use rusqlite::params;

use super::transcripts::parse_col;
use super::{Audit, Result, Store, StoreError};
use crate::model::{CodeId, Round, RoundId, RoundRule};

impl Store {
    /// Records a new round.
    pub(super) fn add_round(&mut self, round: &Round) -> Result<()> {
        if self.rounds()?.iter().any(|r| r.name == round.name) {
            return Err(StoreError::Duplicate {
                what: "round",
                name: round.name.clone(),
            });
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO rounds (round_id, name, codebook_version, unit, created_at, computed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
                params![
                    round.round_id.to_text(),
                    round.name,
                    round.codebook_version,
                    round.unit,
                    round.created_at
                ],
            )?;
            for t in &round.transcripts {
                tx.execute(
                    "INSERT INTO round_transcripts (round_id, transcript_id) VALUES (?1, ?2)",
                    params![round.round_id.to_text(), t.to_text()],
                )?;
            }
            for r in &round.raters {
                tx.execute(
                    "INSERT INTO round_raters (round_id, rater_id) VALUES (?1, ?2)",
                    params![round.round_id.to_text(), r.to_text()],
                )?;
            }
            Ok(Audit::new("create", "round", Some(&round.round_id.to_text()), serde_json::json!({ "name": round.name, "codebook_version": round.codebook_version,
                    "transcripts": round.transcripts.len(), "raters": round.raters.len() })).with(()))
        })
    }

    /// Removes a round with its results (the reverse of starting it).
    pub(super) fn remove_round(&mut self, round_id: RoundId) -> Result<()> {
        self.write(|tx| {
            for table in [
                "round_rules",
                "round_results",
                "round_raters",
                "round_transcripts",
                "rounds",
            ] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE round_id = ?1"),
                    [round_id.to_text()],
                )?;
            }
            Ok(Audit::new(
                "remove",
                "round",
                Some(&round_id.to_text()),
                serde_json::json!({}),
            )
            .with(()))
        })
    }

    /// Every round, oldest first.
    pub fn rounds(&self) -> Result<Vec<Round>> {
        let mut stmt = self.conn.prepare(
            "SELECT round_id, name, codebook_version, unit, created_at, computed_at FROM rounds
             ORDER BY created_at, name",
        )?;
        let mut rounds = stmt
            .query_map([], |r| {
                Ok(Round {
                    round_id: parse_col(r, 0)?,
                    name: r.get(1)?,
                    codebook_version: r.get(2)?,
                    unit: r.get(3)?,
                    created_at: r.get(4)?,
                    computed_at: r.get(5)?,
                    transcripts: Vec::new(),
                    raters: Vec::new(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut transcripts = self.conn.prepare(
            "SELECT transcript_id FROM round_transcripts WHERE round_id = ?1 ORDER BY transcript_id",
        )?;
        let mut raters = self
            .conn
            .prepare("SELECT rater_id FROM round_raters WHERE round_id = ?1 ORDER BY rater_id")?;
        for round in &mut rounds {
            let id = round.round_id.to_text();
            round.transcripts = transcripts
                .query_map([&id], |r| parse_col(r, 0))?
                .collect::<Result<Vec<_>, _>>()?;
            round.raters = raters
                .query_map([&id], |r| parse_col(r, 0))?
                .collect::<Result<Vec<_>, _>>()?;
        }
        Ok(rounds)
    }

    /// Replaces a round's stored results (code id, the result as JSON), in one transaction.
    pub(super) fn set_round_results(
        &mut self,
        round_id: RoundId,
        results: &[(CodeId, String)],
        computed_at: &str,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM round_results WHERE round_id = ?1",
                [round_id.to_text()],
            )?;
            for (code, result) in results {
                tx.execute(
                    "INSERT INTO round_results (round_id, code_id, result) VALUES (?1, ?2, ?3)",
                    params![round_id.to_text(), code.to_text(), result],
                )?;
            }
            tx.execute(
                "UPDATE rounds SET computed_at = ?2 WHERE round_id = ?1",
                params![round_id.to_text(), computed_at],
            )?;
            Ok(Audit::new(
                "compute",
                "round",
                Some(&round_id.to_text()),
                serde_json::json!({ "codes": results.len() }),
            )
            .with(()))
        })
    }

    /// A round's stored results: (code id, result JSON), by code id.
    pub fn round_results(&self, round_id: RoundId) -> Result<Vec<(CodeId, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT code_id, result FROM round_results WHERE round_id = ?1 ORDER BY code_id",
        )?;
        let rows = stmt.query_map([round_id.to_text()], |r| Ok((parse_col(r, 0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// A round's stopping rule, if one is set.
    pub fn round_rule(&self, round_id: RoundId) -> Result<Option<RoundRule>> {
        let mut stmt = self.conn.prepare(
            "SELECT statistic, lower_bound, set_at FROM round_rules WHERE round_id = ?1",
        )?;
        let mut rows = stmt.query_map([round_id.to_text()], |r| {
            Ok(RoundRule {
                statistic: r.get(0)?,
                lower_bound: r.get(1)?,
                set_at: r.get(2)?,
            })
        })?;
        Ok(rows.next().transpose()?)
    }

    /// Sets (or, with `None`, clears) a round's stopping rule, in one transaction.
    pub(super) fn set_round_rule(
        &mut self,
        round_id: RoundId,
        rule: Option<&RoundRule>,
    ) -> Result<()> {
        if !self.rounds()?.iter().any(|r| r.round_id == round_id) {
            return Err(StoreError::Refused(format!(
                "no round {} to keep a rule with",
                round_id.to_text()
            )));
        }
        self.write(|tx| {
            tx.execute(
                "DELETE FROM round_rules WHERE round_id = ?1",
                [round_id.to_text()],
            )?;
            if let Some(rule) = rule {
                tx.execute(
                    "INSERT INTO round_rules (round_id, statistic, lower_bound, set_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![
                        round_id.to_text(),
                        rule.statistic,
                        rule.lower_bound,
                        rule.set_at
                    ],
                )?;
            }
            Ok(Audit::new(
                if rule.is_some() { "set-rule" } else { "clear-rule" },
                "round",
                Some(&round_id.to_text()),
                rule.map_or(serde_json::json!({}), |r| {
                    serde_json::json!({ "statistic": r.statistic, "lower_bound": r.lower_bound })
                }),
            )
            .with(()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(codebook_version: i64) -> Round {
        Round {
            round_id: RoundId::new_random(),
            name: "Pilot".into(),
            codebook_version,
            unit: "turn".into(),
            created_at: crate::model::now_rfc3339(),
            computed_at: None,
            transcripts: Vec::new(),
            raters: Vec::new(),
        }
    }

    /// A project written at schema version 4 (before rules were kept) opens, is taken to version
    /// 5 with its round intact and no rule, and then keeps one.
    #[test]
    fn a_schema_4_project_opens_and_keeps_rules() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.accord");
        let mut store = Store::create(&path, "Old").unwrap();
        let book = crate::model::Codebook {
            name: "b".into(),
            ..crate::model::Codebook::default()
        };
        store.import_codebook(&book, "b").unwrap();
        let r = round(store.codebook_version().unwrap());
        {
            store.add_round(&r).unwrap();
            // What version 4 was: everything but migration 5's table (and migration 6's).
            store
                .conn
                .execute_batch(super::super::correct::UNDO_MIGRATION_6)
                .unwrap();
            store
                .conn
                .execute_batch("DROP TABLE round_rules; PRAGMA user_version = 4;")
                .unwrap();
        }
        drop(store);
        let mut store = Store::open(&path).unwrap();
        let version: i32 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, super::super::schema::SCHEMA_VERSION);
        assert_eq!(store.rounds().unwrap(), vec![r.clone()]);
        assert_eq!(store.round_rule(r.round_id).unwrap(), None);
        let rule = RoundRule {
            statistic: "alpha".into(),
            lower_bound: 0.7,
            set_at: "now".into(),
        };
        store.set_round_rule(r.round_id, Some(&rule)).unwrap();
        assert_eq!(store.round_rule(r.round_id).unwrap(), Some(rule));
        // The schema refuses what no rule can be; removing the round removes its rule.
        let bad = RoundRule {
            statistic: "tau".into(),
            lower_bound: 0.7,
            set_at: "now".into(),
        };
        assert!(store.set_round_rule(r.round_id, Some(&bad)).is_err());
        store.remove_round(r.round_id).unwrap();
        assert!(store.set_round_rule(r.round_id, None).is_err());
        let left: i64 = store
            .conn
            .query_row("SELECT count(*) FROM round_rules", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }
}
