//! Reliability data: units x raters, a category or missing in each cell. Stored compressed as distinct
//! rating patterns with counts, so that a million binary units cost a handful of patterns and every
//! statistic runs in time proportional to the number of distinct patterns.

use std::collections::HashMap;

use super::AgreementError;

/// One declared category. `value` is used by the interval and ratio levels; ordinal uses the order of
/// declaration.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Category {
    /// Its label.
    pub label: String,
    /// Its numeric value, if it has one.
    pub value: Option<f64>,
}

impl Category {
    /// A category with a label and a value.
    #[must_use]
    pub fn new(label: impl Into<String>, value: Option<f64>) -> Self {
        Self {
            label: label.into(),
            value,
        }
    }
}

/// One distinct way the raters rated a unit, and how many units were rated that way.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// One cell per rater: a category index, or `None` when that rater did not rate the unit.
    pub cells: Vec<Option<u32>>,
    /// How many units have this pattern.
    pub count: u64,
}

/// Units x raters reliability data with a declared category set.
#[derive(Debug, Clone, Default)]
pub struct ReliabilityData {
    raters: Vec<String>,
    categories: Vec<Category>,
    patterns: Vec<Pattern>,
    /// Pattern key to index in `patterns`.
    index: HashMap<u64, usize>,
    /// Patterns too wide to key in a u64 (many raters or categories) are found by their cells.
    wide_index: HashMap<Vec<Option<u32>>, usize>,
}

impl ReliabilityData {
    /// Empty data for these raters and declared categories.
    #[must_use]
    pub fn new(raters: Vec<String>, categories: Vec<Category>) -> Self {
        Self {
            raters,
            categories,
            ..Self::default()
        }
    }

    /// Empty binary data: category 0 "not coded" (value 0), category 1 "coded" (value 1).
    #[must_use]
    pub fn binary(raters: Vec<String>) -> Self {
        Self::new(
            raters,
            vec![
                Category::new("not coded", Some(0.0)),
                Category::new("coded", Some(1.0)),
            ],
        )
    }

    /// Adds one unit.
    pub fn push_unit(&mut self, cells: &[Option<u32>]) -> Result<(), AgreementError> {
        self.push_pattern(cells, 1)
    }

    /// Adds `count` units rated the same way. A count of zero adds nothing.
    pub fn push_pattern(
        &mut self,
        cells: &[Option<u32>],
        count: u64,
    ) -> Result<(), AgreementError> {
        if cells.len() != self.raters.len() {
            return Err(AgreementError::RaterCount {
                expected: self.raters.len(),
                found: cells.len(),
            });
        }
        if let Some(&bad) = cells
            .iter()
            .flatten()
            .find(|&&c| c as usize >= self.categories.len())
        {
            return Err(AgreementError::CategoryIndex {
                index: bad,
                n_categories: self.categories.len(),
            });
        }
        if count == 0 {
            return Ok(());
        }
        let slot = match self.key(cells) {
            Some(key) => self.index.get(&key).copied(),
            None => self.wide_index.get(cells).copied(),
        };
        if let Some(i) = slot {
            self.patterns[i].count += count;
            return Ok(());
        }
        let i = self.patterns.len();
        match self.key(cells) {
            Some(key) => {
                self.index.insert(key, i);
            }
            None => {
                self.wide_index.insert(cells.to_vec(), i);
            }
        }
        self.patterns.push(Pattern {
            cells: cells.to_vec(),
            count,
        });
        Ok(())
    }

    /// A pattern's key in base (categories + 1), when it fits in 64 bits.
    fn key(&self, cells: &[Option<u32>]) -> Option<u64> {
        let base = self.categories.len() as u64 + 1;
        let mut key: u64 = 0;
        for c in cells {
            key = key
                .checked_mul(base)?
                .checked_add(c.map_or(0, |v| u64::from(v) + 1))?;
        }
        Some(key)
    }

    /// The raters' names.
    #[must_use]
    pub fn raters(&self) -> &[String] {
        &self.raters
    }

    /// The declared categories.
    #[must_use]
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The distinct patterns, in order of first appearance.
    #[must_use]
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Number of units.
    #[must_use]
    pub fn n_units(&self) -> u64 {
        self.patterns.iter().map(|p| p.count).sum()
    }

    /// Adds another data set's units (same raters and categories), for pooling.
    pub fn merge(&mut self, other: &ReliabilityData) -> Result<(), AgreementError> {
        if self.raters.is_empty() && self.categories.is_empty() && self.patterns.is_empty() {
            self.raters.clone_from(&other.raters);
            self.categories.clone_from(&other.categories);
        }
        if other.raters != self.raters || other.categories != self.categories {
            return Err(AgreementError::Mismatch);
        }
        for p in &other.patterns {
            self.push_pattern(&p.cells, p.count)?;
        }
        Ok(())
    }

    /// The same patterns with other counts (zero drops a pattern): a bootstrap replicate.
    #[must_use]
    pub fn with_counts(&self, counts: &[u64]) -> ReliabilityData {
        let mut out = ReliabilityData::new(self.raters.clone(), self.categories.clone());
        for (p, &count) in self.patterns.iter().zip(counts) {
            if count > 0 {
                // Cannot fail: the pattern was valid in `self`, which has the same raters and categories.
                let _ = out.push_pattern(&p.cells, count);
            }
        }
        out
    }

    /// The same units seen by a subset of raters (for pairwise statistics), patterns re-merged.
    #[must_use]
    pub fn select_raters(&self, idx: &[usize]) -> ReliabilityData {
        let raters = idx
            .iter()
            .filter_map(|&i| self.raters.get(i).cloned())
            .collect();
        let mut out = ReliabilityData::new(raters, self.categories.clone());
        for p in &self.patterns {
            let cells: Vec<Option<u32>> = idx
                .iter()
                .map(|&i| p.cells.get(i).copied().flatten())
                .collect();
            // Cannot fail: the cells have one entry per selected rater and valid categories.
            let _ = out.push_pattern(&cells, p.count);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_merge_and_validate() {
        let mut d = ReliabilityData::binary(vec!["a".into(), "b".into()]);
        for _ in 0..1000 {
            d.push_unit(&[Some(1), Some(1)]).unwrap();
        }
        d.push_unit(&[Some(0), None]).unwrap();
        d.push_pattern(&[Some(1), Some(1)], 5).unwrap();
        assert_eq!(d.patterns().len(), 2);
        assert_eq!(d.n_units(), 1006);
        assert!(d.push_unit(&[Some(2), Some(0)]).is_err());
        assert!(d.push_unit(&[Some(0)]).is_err());
        let only_a = d.select_raters(&[0]);
        assert_eq!(only_a.patterns().len(), 2);
        let mut pooled = ReliabilityData::default();
        pooled.merge(&d).unwrap();
        pooled.merge(&d).unwrap();
        assert_eq!(pooled.n_units(), 2012);
    }

    #[test]
    fn wide_patterns_still_merge() {
        let raters: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
        let cats: Vec<Category> = (0..9)
            .map(|i| Category::new(i.to_string(), Some(f64::from(i))))
            .collect();
        let mut d = ReliabilityData::new(raters, cats);
        let cells: Vec<Option<u32>> = (0..40).map(|i| Some(i % 9)).collect();
        d.push_unit(&cells).unwrap();
        d.push_unit(&cells).unwrap();
        assert_eq!((d.patterns().len(), d.n_units()), (1, 2));
    }
}
