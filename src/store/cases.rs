//! Cases (participants) and their attributes, such as a REDCap export's arm, site and tenure.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::transcripts::parse_col;
use super::{Audit, Result, Store};
use crate::model::{AttributeReport, Case, CaseId, now_rfc3339};

/// The id of the case named `name`, creating it when missing (its audit record then goes into
/// `made`, to be returned with the change).
pub(super) fn ensure_case(tx: &Connection, name: &str, made: &mut Vec<Audit>) -> Result<CaseId> {
    if let Some(id) = case_id_by_name(tx, name)? {
        return Ok(id);
    }
    let id = CaseId::new_random();
    made.push(insert_case_row(tx, id, name)?);
    Ok(id)
}

/// Inserts a case row; returns its audit record.
fn insert_case_row(tx: &Connection, case_id: CaseId, name: &str) -> Result<Audit> {
    tx.execute(
        "INSERT INTO cases (case_id, name, created_at) VALUES (?1, ?2, ?3)",
        params![case_id.to_text(), name, now_rfc3339()],
    )?;
    Ok(Audit::new(
        "create",
        "case",
        Some(&case_id.to_text()),
        serde_json::json!({ "name": name }),
    ))
}

/// Deletes a case with its attributes (inside the caller's transaction).
pub(super) fn delete_case(tx: &Connection, case_id: &str) -> Result<()> {
    delete_attributes(tx, case_id)?;
    tx.execute("DELETE FROM cases WHERE case_id = ?1", [case_id])?;
    Ok(())
}

fn delete_attributes(tx: &Connection, case_id: &str) -> Result<()> {
    tx.execute("DELETE FROM case_attributes WHERE case_id = ?1", [case_id])?;
    Ok(())
}

fn case_id_by_name(tx: &Connection, name: &str) -> Result<Option<CaseId>> {
    let found: Option<String> = tx
        .query_row("SELECT case_id FROM cases WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(found.and_then(|s| s.parse().ok()))
}

impl Store {
    /// All cases with their attributes, by name.
    pub fn cases(&self) -> Result<Vec<Case>> {
        let mut stmt = self
            .conn
            .prepare("SELECT case_id, name FROM cases ORDER BY name")?;
        let mut cases = stmt
            .query_map([], |r| {
                Ok(Case {
                    case_id: parse_col(r, 0)?,
                    name: r.get(1)?,
                    attributes: BTreeMap::new(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut attrs = self
            .conn
            .prepare("SELECT name, value FROM case_attributes WHERE case_id = ?1")?;
        for case in &mut cases {
            let rows = attrs.query_map([case.case_id.to_text()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            case.attributes = rows.collect::<Result<BTreeMap<String, String>, _>>()?;
        }
        Ok(cases)
    }

    /// Adds a case with a given id (from a REFI-QDA file). A case already stored with that id and
    /// name is left as it is; a case of that name with another id, or that id with another name, is
    /// refused.
    pub(super) fn insert_case(&mut self, case_id: CaseId, name: &str) -> Result<()> {
        if let Some(existing) = self
            .cases()?
            .iter()
            .find(|c| c.case_id == case_id || c.name == name)
        {
            if existing.case_id == case_id && existing.name == name {
                return Ok(());
            }
            return Err(super::StoreError::Duplicate {
                what: "case",
                name: existing.name.clone(),
            });
        }
        self.write(|tx| Ok(insert_case_row(tx, case_id, name)?.with(())))
    }

    /// Makes the named cases' attributes exactly these (the reverse of setting some), in one
    /// transaction; names of cases that no longer exist are skipped.
    pub(super) fn replace_attributes(
        &mut self,
        rows: &[(String, BTreeMap<String, String>)],
    ) -> Result<()> {
        self.write(|tx| {
            for (name, values) in rows {
                let Some(case_id) = case_id_by_name(tx, name)? else {
                    continue;
                };
                delete_attributes(tx, &case_id.to_text())?;
                for (key, value) in values {
                    tx.execute(
                        "INSERT INTO case_attributes (case_id, name, value) VALUES (?1, ?2, ?3)",
                        params![case_id.to_text(), key, value],
                    )?;
                }
            }
            Ok(Audit::new(
                "replace",
                "attributes",
                None,
                serde_json::json!({ "cases": rows.len() }),
            )
            .with(()))
        })
    }

    /// Removes cases that no transcript belongs to (the reverse of creating them from attributes).
    pub(super) fn remove_empty_cases(&mut self, names: &[String]) -> Result<()> {
        self.write(|tx| {
            for name in names {
                let Some(case_id) = case_id_by_name(tx, name)? else {
                    continue;
                };
                let used: i64 = tx.query_row(
                    "SELECT count(*) FROM transcripts WHERE case_id = ?1",
                    [case_id.to_text()],
                    |r| r.get(0),
                )?;
                if used > 0 {
                    return Err(super::StoreError::Refused(format!(
                        "case {name:?} has transcripts; it is kept"
                    )));
                }
                delete_case(tx, &case_id.to_text())?;
            }
            Ok(Audit::new(
                "remove",
                "cases",
                None,
                serde_json::json!({ "names": names }),
            )
            .with(()))
        })
    }

    /// Sets case attributes from rows of (case name, attribute map), in one transaction. Rows naming
    /// no case are skipped and reported, unless `create_missing` creates those cases.
    pub(super) fn set_attributes(
        &mut self,
        rows: &[(String, BTreeMap<String, String>)],
        create_missing: bool,
    ) -> Result<AttributeReport> {
        self.write(|tx| {
            let mut report = AttributeReport::default();
            let mut made = Vec::new();
            for (name, values) in rows {
                let case_id = match case_id_by_name(tx, name)? {
                    Some(id) => {
                        report.updated.push(name.clone());
                        id
                    }
                    None if create_missing => {
                        report.created.push(name.clone());
                        ensure_case(tx, name, &mut made)?
                    }
                    None => {
                        report.unmatched.push(name.clone());
                        continue;
                    }
                };
                for (key, value) in values {
                    tx.execute(
                        "INSERT INTO case_attributes (case_id, name, value) VALUES (?1, ?2, ?3)
                         ON CONFLICT (case_id, name) DO UPDATE SET value = excluded.value",
                        params![case_id.to_text(), key, value],
                    )?;
                    report.values += 1;
                }
            }
            Ok(Audit::new(
                "set",
                "attributes",
                None,
                serde_json::to_value(&report).unwrap_or_default(),
            )
            .with(report)
            .after(made))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Rater, RaterId, RaterKind};

    #[test]
    fn cases_and_raters_with_given_ids_are_idempotent_and_refuse_clashes() {
        let mut store = Store::open_in_memory("t").unwrap();
        let id = CaseId::new_random();
        store.insert_case(id, "P1").unwrap();
        store.insert_case(id, "P1").unwrap();
        assert!(store.insert_case(CaseId::new_random(), "P1").is_err());
        assert!(store.insert_case(id, "P2").is_err());
        assert_eq!(store.cases().unwrap().len(), 1);
        assert_eq!(store.cases().unwrap()[0].case_id, id);
        let rater = Rater {
            rater_id: RaterId::new_random(),
            name: "Ana".into(),
            kind: RaterKind::Consensus,
        };
        store.insert_rater(&rater).unwrap();
        store.insert_rater(&rater).unwrap();
        let clash = Rater {
            rater_id: RaterId::new_random(),
            ..rater.clone()
        };
        assert!(store.insert_rater(&clash).is_err());
        assert_eq!(store.raters().unwrap(), [rater]);
    }
}
