//! A test that the reverse of each change that is not an [`Edit`](crate::model::Edit) (settings,
//! memos, raters) undoes it. The reverses themselves are with their tables: settings in
//! `project.rs`, memos in `memos.rs`, raters in `raters.rs`, transcripts in `transcripts.rs`.

#[cfg(test)]
mod tests {
    use crate::model::{BLIND_MODE, MemoTarget, RaterKind};
    use crate::store::Store;

    #[test]
    fn settings_memos_and_raters_reverse() {
        let mut store = Store::open_in_memory("t").unwrap();
        assert!(!store.blind_mode().unwrap());
        store.set_setting(BLIND_MODE, Some("on")).unwrap();
        assert!(store.blind_mode().unwrap());
        store.set_setting(BLIND_MODE, None).unwrap();
        assert!(!store.blind_mode().unwrap());

        let rater = store.add_rater("Ana", RaterKind::Human).unwrap();
        let memo = store
            .add_memo(MemoTarget::Project, Some(rater.rater_id), "first thoughts")
            .unwrap();
        assert!(store.remove_rater(rater.rater_id).is_err());
        store.delete_memo(memo.memo_id).unwrap();
        assert!(store.memos(MemoTarget::Project).unwrap().is_empty());
        store.restore_memo(&memo).unwrap();
        assert_eq!(
            store.memos(MemoTarget::Project).unwrap(),
            vec![memo.clone()]
        );
        store.delete_memo(memo.memo_id).unwrap();
        store.remove_rater(rater.rater_id).unwrap();
        assert!(store.raters().unwrap().is_empty());
    }
}
