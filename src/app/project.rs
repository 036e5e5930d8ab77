//! Whole-file commands: merging rater files, issuing one, erasing transcripts, de-identifying,
//! restoring a backup and encrypting the project.
//! They are commands like the others, carried out by [`super::apply`], but each is more than one
//! transaction: a merge takes a backup and then merges each file in its own transaction with its
//! own undo step; erasing and de-identifying cannot be undone (they drop the steps) and purge the
//! old text outside any transaction, holding the project exclusively. Restoring puts a backup in
//! place of the file, holding the project exclusively, after backing up the project as it was (the
//! way back: it is not an undo step); the store goes on with the restored file. Encrypting copies
//! the project (undo steps included) into an encrypted file put in its place, holding the project
//! exclusively; the store goes on with the encrypted file.

use super::command::{Outcome, ProjectCommand};
use super::{Result, deidentify, encrypt, erase, team};
use crate::store::Store;

/// Carries out a whole-file command (its own transactions, backups and purges).
pub(super) fn carry_out(store: &mut Store, command: ProjectCommand) -> Result<Outcome> {
    Ok(match command {
        ProjectCommand::MergeRaterFiles(files) => {
            let (backup, outcomes) = team::merge_rater_files(store, &files)?;
            Outcome::Merged { backup, outcomes }
        }
        ProjectCommand::IssueRaterFile {
            rater,
            transcripts,
            out,
            round,
            second_pass,
        } => Outcome::Issued(team::issue_rater_file(
            store,
            &rater,
            &transcripts,
            &out,
            round.as_deref(),
            second_pass,
        )?),
        ProjectCommand::Erase(ids) => Outcome::Erased(erase::erase(store, &ids)?),
        ProjectCommand::Deidentify(list) => {
            Outcome::Deidentified(deidentify::apply_and_purge(store, &list)?)
        }
        ProjectCommand::Restore { backup } => Outcome::Restored {
            kept: store.restore_here(&backup)?,
            from: backup,
        },
        ProjectCommand::Encrypt(key) => Outcome::Encrypted(encrypt::encrypt(store, &key)?),
    })
}
