//! Positions in REFI-QDA files. The standard counts code points, but NVivo (for Windows and for
//! Mac) counts UTF-16 code units, and both count in the source text as the tool stored it (CRLF line
//! ends included). [`PositionMap`] maps either unit in that original text onto char offsets of
//! Accord's normalised text (BOM removed, CRLF -> LF); [`detect`] decides which unit a source uses
//! from its selections, and [`settled`] which unit a file's decisive sources agree on, for the
//! sources that cannot tell.

/// The unit a file's `startPosition`/`endPosition` count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PositionUnit {
    /// Unicode code points (the standard; ATLAS.ti, QualCoder, Accord).
    CodePoints,
    /// UTF-16 code units (NVivo, for Windows and for Mac).
    Utf16,
}

impl PositionUnit {
    /// For people.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::CodePoints => "code points",
            Self::Utf16 => "UTF-16 code units",
        }
    }
}

/// Offsets of every char of an original text: its UTF-16 offset and its char offset once normalised.
#[derive(Debug, Clone)]
pub struct PositionMap {
    /// UTF-16 offset of each char, and the total at the end.
    utf16: Vec<usize>,
    /// Normalised char offset of each char, and the normalised length at the end.
    normalised: Vec<usize>,
    /// The original chars (for scoring word boundaries).
    chars: Vec<char>,
}

impl PositionMap {
    /// The map for `original` (a leading BOM is skipped; CR before LF is dropped by normalising).
    #[must_use]
    pub fn new(original: &str) -> Self {
        let original = original.strip_prefix('\u{feff}').unwrap_or(original);
        let chars: Vec<char> = original.chars().collect();
        let mut utf16 = Vec::with_capacity(chars.len() + 1);
        let mut normalised = Vec::with_capacity(chars.len() + 1);
        let (mut units, mut kept) = (0, 0);
        for (i, &c) in chars.iter().enumerate() {
            utf16.push(units);
            normalised.push(kept);
            units += c.len_utf16();
            let dropped = c == '\r' && chars.get(i + 1) == Some(&'\n');
            if !dropped {
                kept += 1;
            }
        }
        utf16.push(units);
        normalised.push(kept);
        Self {
            utf16,
            normalised,
            chars,
        }
    }

    /// Length of the original text in chars.
    #[must_use]
    pub fn len_chars(&self) -> usize {
        self.chars.len()
    }

    /// Length of the original text in UTF-16 units.
    #[must_use]
    pub fn len_utf16(&self) -> usize {
        self.utf16.last().copied().unwrap_or(0)
    }

    /// The original char index of a position, rounding a position inside a surrogate pair down
    /// (`up` false) or up; `None` past the end.
    fn original_char(&self, position: usize, unit: PositionUnit, up: bool) -> Option<usize> {
        match unit {
            PositionUnit::CodePoints => (position <= self.len_chars()).then_some(position),
            PositionUnit::Utf16 => match self.utf16.binary_search(&position) {
                Ok(i) => Some(i),
                Err(i) if i > self.len_chars() => None,
                Err(i) => Some(if up { i } else { i - 1 }),
            },
        }
    }

    /// A `[start, end)` selection in `unit` as chars of the normalised text; `None` when it lies
    /// outside the text or is empty once mapped.
    #[must_use]
    pub fn span(&self, start: usize, end: usize, unit: PositionUnit) -> Option<(usize, usize)> {
        let a = self.normalised[self.original_char(start, unit, false)?];
        let b = self.normalised[self.original_char(end, unit, true)?];
        (a < b).then_some((a, b))
    }

    /// True when the position does not fall inside a word (or a surrogate pair).
    fn clean_cut(&self, position: usize, unit: PositionUnit) -> bool {
        let Some(i) = self.original_char(position, unit, false) else {
            return false;
        };
        if unit == PositionUnit::Utf16 && self.utf16[i] != position {
            return false;
        }
        let before = i.checked_sub(1).and_then(|j| self.chars.get(j));
        let after = self.chars.get(i);
        !matches!((before, after), (Some(b), Some(a)) if b.is_alphanumeric() && a.is_alphanumeric())
    }

    /// How many selection ends fall between words when read in `unit`.
    #[must_use]
    pub fn score(&self, selections: &[(usize, usize)], unit: PositionUnit) -> usize {
        selections
            .iter()
            .map(|&(s, e)| {
                usize::from(self.clean_cut(s, unit)) + usize::from(self.clean_cut(e, unit))
            })
            .sum()
    }
}

/// How firmly a source's selections settle its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Nothing to settle: both units agree on the text, or there are no selections.
    Moot,
    /// The source's own selections settle it.
    Decisive,
    /// The source's selections fit both units equally; another source of the same file settled it.
    FromFile,
    /// The selections fit both units equally and nothing else in the file settles it: the unit is
    /// the writing tool's habit, a guess the import report names.
    Even,
}

/// Which unit a file uses, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The unit.
    pub unit: PositionUnit,
    /// Why, for the import report.
    pub reason: String,
    /// How firmly.
    pub evidence: Evidence,
}

/// The unit a tool writes: UTF-16 code units for NVivo (for Windows and for Mac alike), code points
/// (the standard's unit) for every other tool.
#[must_use]
pub fn habit(origin: &str) -> PositionUnit {
    if origin.to_lowercase().contains("nvivo") {
        PositionUnit::Utf16
    } else {
        PositionUnit::CodePoints
    }
}

/// Decides the unit of a source's selections: the same when the text has no char outside the Basic
/// Multilingual Plane; UTF-16 when a selection ends past the text in code points; else the unit whose
/// positions cut fewer words apart. On a tie, the unit `settled` by the other sources of the same
/// file when they agree, else the tool's habit ([`habit`]; then the evidence is [`Evidence::Even`]).
#[must_use]
pub fn detect(
    map: &PositionMap,
    selections: &[(usize, usize)],
    origin: &str,
    settled: Option<PositionUnit>,
) -> Detection {
    let habit = habit(origin);
    let detection = |unit, reason: String, evidence| Detection {
        unit,
        reason,
        evidence,
    };
    if map.len_utf16() == map.len_chars() {
        return detection(
            PositionUnit::CodePoints,
            "the text has no characters outside the Basic Multilingual Plane, so both units agree"
                .into(),
            Evidence::Moot,
        );
    }
    if selections.is_empty() {
        return detection(
            habit,
            "no selections to judge by, so the writing tool's habit".into(),
            Evidence::Moot,
        );
    }
    if selections.iter().any(|&(_, e)| e > map.len_chars()) {
        return detection(
            PositionUnit::Utf16,
            "a selection ends past the text counted in code points".into(),
            Evidence::Decisive,
        );
    }
    let points = map.score(selections, PositionUnit::CodePoints);
    let units = map.score(selections, PositionUnit::Utf16);
    let counts = format!(
        "{points} of {} selection ends fall between words in code points, {units} in UTF-16 units",
        selections.len() * 2
    );
    match points.cmp(&units) {
        std::cmp::Ordering::Greater => {
            detection(PositionUnit::CodePoints, counts, Evidence::Decisive)
        }
        std::cmp::Ordering::Less => detection(PositionUnit::Utf16, counts, Evidence::Decisive),
        std::cmp::Ordering::Equal => match settled {
            Some(unit) => detection(
                unit,
                format!(
                    "{counts}, so the other sources of this file settle it: they count in {}",
                    unit.describe()
                ),
                Evidence::FromFile,
            ),
            None => detection(
                habit,
                format!(
                    "{counts}: the evidence is even and no other source of this file settles it, so {} as the writing tool usually counts; check these codings",
                    habit.describe()
                ),
                Evidence::Even,
            ),
        },
    }
}

/// The unit the decisive sources of a file agree on (`None` when none is decisive, or when they
/// disagree).
#[must_use]
pub fn settled<'a>(detections: impl IntoIterator<Item = &'a Detection>) -> Option<PositionUnit> {
    let units: std::collections::BTreeSet<PositionUnit> = detections
        .into_iter()
        .filter(|d| d.evidence == Evidence::Decisive)
        .map(|d| d.unit)
        .collect();
    match units.len() {
        1 => units.into_iter().next(),
        _ => None,
    }
}

/// Decides the unit as [`detect`] does (`settled` as there), and also whether the file counts a CRLF line end as two
/// positions (`crlf`, the text as stored) or as one (`lf`, the text once normalised); returns true
/// for two. Without CRLF in the text the two maps agree and `crlf` is used.
#[must_use]
pub fn detect_line_ends(
    crlf: &PositionMap,
    lf: &PositionMap,
    selections: &[(usize, usize)],
    origin: &str,
    settled: Option<PositionUnit>,
) -> (bool, Detection) {
    let stored = detect(crlf, selections, origin, settled);
    if crlf.len_chars() == lf.len_chars() || selections.is_empty() {
        return (true, stored);
    }
    let normalised = detect(lf, selections, origin, settled);
    let (a, b) = (
        crlf.score(selections, stored.unit),
        lf.score(selections, normalised.unit),
    );
    if b > a {
        let reason = format!(
            "{}; line ends counted as one position ({b} clean ends, {a} counting CRLF as two)",
            normalised.reason
        );
        (
            false,
            Detection {
                reason,
                ..normalised
            },
        )
    } else {
        (true, stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_utf16_and_crlf_onto_normalised_chars() {
        // "😀 hi\r\nyo": the emoji is 2 UTF-16 units; CR is dropped by normalising.
        let map = PositionMap::new("\u{feff}😀 hi\r\nyo");
        assert_eq!((map.len_chars(), map.len_utf16()), (8, 9));
        // "hi" is chars 2..4, UTF-16 3..5; "yo" is chars 6..8 (original), 5..7 normalised.
        assert_eq!(map.span(3, 5, PositionUnit::Utf16), Some((2, 4)));
        assert_eq!(map.span(2, 4, PositionUnit::CodePoints), Some((2, 4)));
        assert_eq!(map.span(7, 9, PositionUnit::Utf16), Some((5, 7)));
        assert_eq!(map.span(6, 8, PositionUnit::CodePoints), Some((5, 7)));
        // Inside the surrogate pair: start rounds down, end up.
        assert_eq!(map.span(1, 2, PositionUnit::Utf16), Some((0, 1)));
        assert_eq!(map.span(0, 99, PositionUnit::Utf16), None);
    }

    #[test]
    fn detects_the_unit_from_word_boundaries() {
        let text = "😀😀 alpha beta gamma";
        let map = PositionMap::new(text);
        // "beta" in code points is 9..13; in UTF-16 11..15.
        let points = detect(&map, &[(9, 13)], "ATLAS.ti", None);
        assert_eq!(points.unit, PositionUnit::CodePoints, "{}", points.reason);
        let units = detect(&map, &[(11, 15)], "", None);
        assert_eq!(units.unit, PositionUnit::Utf16, "{}", units.reason);
        let plain = detect(
            &PositionMap::new("no emoji"),
            &[(0, 2)],
            "NVivo for Windows 12",
            None,
        );
        assert_eq!(plain.unit, PositionUnit::CodePoints);
        let past = detect(&map, &[(0, 21)], "", None);
        assert_eq!(past.unit, PositionUnit::Utf16);
        // 0..2 cuts cleanly in both units: NVivo's habit (for Mac too), or what the file settled.
        let tie = detect(&map, &[(0, 2)], "NVivo for Mac 12.7.0", None);
        assert_eq!(
            (tie.unit, tie.evidence),
            (PositionUnit::Utf16, Evidence::Even)
        );
        let tie = detect(&map, &[(0, 2)], "ATLAS.ti", None);
        assert_eq!(
            (tie.unit, tie.evidence),
            (PositionUnit::CodePoints, Evidence::Even)
        );
        let file = detect(&map, &[(0, 2)], "ATLAS.ti", Some(PositionUnit::Utf16));
        assert_eq!(
            (file.unit, file.evidence),
            (PositionUnit::Utf16, Evidence::FromFile)
        );
        assert_eq!(settled([&units, &past, &tie]), Some(PositionUnit::Utf16));
        assert_eq!(settled([&units, &points]), None);
    }

    #[test]
    fn detects_whether_crlf_counts_as_one_position_or_two() {
        let stored = "one two\r\nthree four\r\nfive six";
        let (crlf, lf) = (
            PositionMap::new(stored),
            PositionMap::new(&stored.replace("\r\n", "\n")),
        );
        // "four" and "six" counted on the LF text: 14..18 and 24..27; on the CRLF text 15..19, 26..29.
        let on_lf = [(14, 18), (24, 27)];
        let (two, d) = detect_line_ends(&crlf, &lf, &on_lf, "", None);
        assert!(!two, "{}", d.reason);
        assert_eq!(lf.span(14, 18, d.unit), Some((14, 18)));
        assert_eq!(lf.span(24, 27, d.unit), Some((24, 27)));
        let (two, d) = detect_line_ends(&crlf, &lf, &[(15, 19), (26, 29)], "", None);
        assert_eq!(crlf.span(26, 29, d.unit), Some((24, 27)));
        assert!(two);
    }
}
